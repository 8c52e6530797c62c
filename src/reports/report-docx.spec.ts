import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { chineseNumeral, renderReportDocx, unzipEntries } from './report-docx.js';
import { buildReportModel } from './report-model.js';

// A 1×1 PNG, twice: two drawings, whose ids docx would otherwise take from a counter shared by the process.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const target = (code: string) => ({
  code, name: `指标${code}`, unit: '家', departmentCode: 'ECON', departmentName: '区经济信息委', targetValue: '350', targetPeriod: '2027',
  status: 'lagging' as const, completion: 0.2, elapsed: 0.6, expected: 290, pace: 0.33, latestPeriod: '2026Q3', latestValue: '230',
  overdue: false, duePeriod: '2026Q3',
});
const model = buildReportModel({
  period: '2026Q3', runId: 'run', asOf: new Date('2026-10-25T00:00:00Z'), createdAt: new Date('2026-10-26T08:00:00Z'), demo: true,
  evaluations: [target('A'), target('B')],
  explanations: [{ code: 'A', state: 'submitted', cause: '原因', measures: '措施', dueAt: null }],
  figures: new Map([['A', [{ period: '2026Q3', value: '230' }]]]), charts: new Map([['A', PNG], ['B', PNG]]), revisions: [],
});

describe('the 通报 .docx', () => {
  it('is the same bytes for the same model, whenever it is rendered (zip times, core properties, drawing ids)', async () => {
    const first = await renderReportDocx(model);
    mock.timers.enable({ apis: ['Date'], now: new Date('2031-05-17T13:45:59Z') });
    let later: Buffer;
    try {
      later = await renderReportDocx(JSON.parse(JSON.stringify(model)));
    } finally {
      mock.timers.reset();
    }
    assert.ok(first.equals(later), 'byte-identical');
    const core = unzipEntries(first).get('docProps/core.xml')!.toString();
    assert.ok(core.includes('<dcterms:created xsi:type="dcterms:W3CDTF">2026-10-26T08:00:00Z</dcterms:created>'), core);
    // Every zip entry carries the model's time: 2026-10-26 08:00 as DOS date and time.
    const dosDate = ((2026 - 1980) << 9) | (10 << 5) | 26;
    let central = first.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    let entries = 0;
    while (central >= 0) {
      assert.equal(first.readUInt16LE(central + 14), dosDate);
      assert.equal(first.readUInt16LE(central + 12), 8 << 11);
      entries += 1;
      central = first.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), central + 4);
    }
    assert.ok(entries >= 8, `${entries} entries`);
  });

  it('is A4, with the page number as — 1 —, the 示例 header, numbered sections and the charts', async () => {
    const files = unzipEntries(await renderReportDocx(model));
    const doc = files.get('word/document.xml')!.toString();
    assert.match(doc, /<w:pgSz w:w="11906" w:h="16838"/);
    const text = doc.replace(/<[^>]+>/g, '');
    for (const s of ['一、总体情况', '二、各责任单位指标进展', '（一）区经济信息委', '三、滞后指标及情况说明', '1. 指标A', '原因分析：原因', '未提交情况说明。']) {
      assert.ok(text.includes(s), s);
    }
    assert.ok(doc.includes('w:eastAsia="仿宋_GB2312"') && doc.includes('w:eastAsia="黑体"'));
    const footer = [...files.entries()].find(([k]) => k.startsWith('word/footer'))![1].toString();
    assert.ok(footer.includes('— ') && footer.includes('PAGE'), footer);
    const header = [...files.entries()].find(([k]) => k.startsWith('word/header'))![1].toString();
    assert.ok(header.includes('示例'));
    assert.equal([...files.keys()].filter((k) => k.startsWith('word/media/')).length, 1, 'one image file, used twice');
    assert.deepEqual([...doc.matchAll(/<wp:docPr id="(\d+)"/g)].map((m) => m[1]), ['1', '2']);
  });

  it('numbers sections in Chinese', () => {
    assert.deepEqual([1, 9, 10, 11, 20, 23].map(chineseNumeral), ['一', '九', '十', '十一', '二十', '二十三']);
  });
});
