import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFigureSheet, type SheetRow, SpreadsheetError } from './parse.js';

/** The sheets the statistics bureau sends: names instead of codes, a unit line or column, worded periods. */

const csv = (text: string) => Buffer.from(text, 'utf8');
const read = async (text: string) => parseFigureSheet(csv(text), 'bureau.csv');
const shape = (r: SheetRow) => ({
  row: r.row, target: r.target, name: r.name, period: r.period, periodText: r.periodText, value: r.value, unit: r.unit,
  errors: r.errors.map((e) => `${e.field}: ${e.message.split(' (')[0]}`),
});

describe('parseFigureSheet: the bureau’s columns', () => {
  const cases: { name: string; text: string; unit?: string | null; rows: ReturnType<typeof shape>[] }[] = [
    {
      name: '指标名称 instead of 指标代码, a unit line above the header, worded periods',
      text: '2025年1-9月全区主要经济指标\n单位：亿元\n指标名称,期间,数值\n规上工业增加值,2025年1—9月,"1,234.5"\n社会消费品零售总额,2025年三季度,88\n',
      unit: '亿元',
      rows: [
        { row: 4, target: null, name: '规上工业增加值', period: null, periodText: '2025年1—9月', value: '1234.5', unit: '亿元', errors: [] },
        { row: 5, target: null, name: '社会消费品零售总额', period: null, periodText: '2025年三季度', value: '88', unit: '亿元', errors: [] },
      ],
    },
    {
      name: 'header 指标 and 单位 column; a unit in the title; the row’s unit wins',
      text: '主要指标（单位：万元）\n指标,单位,报告期,实际值\n规上工业增加值,亿元,2025Q3,12\n研发投入,,2025Q3,3\n',
      unit: '万元',
      rows: [
        { row: 3, target: null, name: '规上工业增加值', period: '2025Q3', periodText: null, value: '12', unit: '亿元', errors: [] },
        { row: 4, target: null, name: '研发投入', period: '2025Q3', periodText: null, value: '3', unit: '万元', errors: [] },
      ],
    },
    {
      name: 'code and name columns: the code when given, else the name; neither is an error',
      text: '指标代码,指标名称,期间,数值,计量单位\nNEV-OUTPUT,新能源汽车产量,2025Q3,3,万辆\n,新能源汽车产量,2025Q3,4,\n,,2025Q3,5,\n',
      unit: null,
      rows: [
        { row: 2, target: 'NEV-OUTPUT', name: '新能源汽车产量', period: '2025Q3', periodText: null, value: '3', unit: '万辆', errors: [] },
        { row: 3, target: null, name: '新能源汽车产量', period: '2025Q3', periodText: null, value: '4', unit: null, errors: [] },
        { row: 4, target: null, name: null, period: '2025Q3', periodText: null, value: '5', unit: null, errors: ['name: 缺少指标代码或指标名称'] },
      ],
    },
    {
      name: 'a name column only: a blank name is an error',
      text: 'name,period,value\n,2025Q3,5\n',
      unit: null,
      rows: [{ row: 2, target: null, name: null, period: '2025Q3', periodText: null, value: '5', unit: null, errors: ['name: 缺少指标名称'] }],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const parsed = await read(c.text);
      assert.equal(parsed.unit, c.unit ?? null);
      assert.deepEqual(parsed.rows.map(shape), c.rows);
    });
  }

  it('a sheet naming the target neither by code nor by name is refused as a whole', async () => {
    const error = await read('期间,数值,单位\n2025Q3,1,亿元\n').then(() => null, (e: unknown) => e);
    assert.ok(error instanceof SpreadsheetError);
    assert.match(error.message, /缺少必需的列：指标代码（或指标名称）/);
  });
});
