import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachment, csvBuffer, csvField, MAX_SHEET_NAME, neutralise, sheetName, unneutralise } from './cells.js';

describe('neutralise (formula injection)', () => {
  const cases: [string, string][] = [
    ['=cmd|\' /C calc\'!A0', '\'=cmd|\' /C calc\'!A0'],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['＝1+1', "'＝1+1"],
    ['快报 =1', '快报 =1'],
    ['', ''],
    ["'already", "'already"],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(neutralise(input), expected);
      assert.equal(unneutralise(neutralise(input)), input, 'the import reads it back as typed');
    });
  }
});

describe('csv', () => {
  it('quotes what needs quoting, keeps numbers as numbers, neutralises text', () => {
    assert.deepEqual(
      [csvField('a,b'), csvField('say "hi"'), csvField('two\nlines'), csvField(-12.5), csvField({ decimal: '-0.000000000000000000001' }),
        csvField('-12.5'), csvField(null), csvField(' padded')],
      ['"a,b"', '"say ""hi"""', '"two\nlines"', '-12.5', '-0.000000000000000000001', "'-12.5", '', '" padded"'],
    );
  });

  // A `;`-separator locale (Excel with a decimal comma) or a TSV reader splits a field at `;` or a tab: the part
  // after it must not become a cell of its own, where a formula would run.
  // Such a reader sees a quote only at a cell's start, so the part after `;` is neutralised as well.
  const separators: [string, string][] = [
    ["x;=cmd|' /C calc'!A0", `"x;'=cmd|' /C calc'!A0"`],
    ["x;=cmd|' /C calc'!A0;", `"x;'=cmd|' /C calc'!A0;"`],
    ['a;b', '"a;b"'],
    ['a; -1', '"a; -1"'],
    ['x\t=1+1', `"x\t'=1+1"`],
    ['x\t@SUM(A1)', `"x\t'@SUM(A1)"`],
    ['=1;=2', `"'=1;'=2"`],
    ['\t=1', `"'\t'=1"`],
    ['x;;+1;-2', `"x;;'+1;'-2"`],
    ['x;＝1', `"x;'＝1"`],
    ['a；b', 'a；b'],
    ['快报', '快报'],
  ];
  for (const [input, expected] of separators) {
    it(`quotes ${JSON.stringify(input)} as ${expected}`, () => {
      assert.equal(csvField(input), expected);
      const inner = expected.startsWith('"') ? expected.slice(1, -1).replace(/""/g, '"') : expected;
      assert.equal(unneutralise(inner), input, 'reads back as written');
    });
  }

  it('writes UTF-8 with a BOM and CRLF line ends', () => {
    const buffer = csvBuffer([['指标', 1], ['=x', null]]);
    assert.deepEqual([...buffer.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(buffer.toString('utf8').slice(1), "指标,1\r\n'=x,\r\n");
  });
});

describe('sheetName', () => {
  const cases: { name: string; taken?: string[]; expected: string }[] = [
    { name: '区经济信息委', expected: '区经济信息委' },
    { name: 'a[b]:c*d?e/f\\g', expected: 'a_b__c_d_e_f_g' },
    { name: "'quoted'", expected: 'quoted' },
    { name: '   ', expected: 'Sheet' },
    { name: 'History', expected: 'History_' },
    { name: '汇总', taken: ['汇总'], expected: '汇总 (2)' },
    { name: 'Econ', taken: ['ECON', 'econ (2)'], expected: 'Econ (3)' },
    { name: 'x'.repeat(40), expected: 'x'.repeat(31) },
    { name: 'y'.repeat(40), taken: ['y'.repeat(31)], expected: `${'y'.repeat(27)} (2)` },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.name)} → ${JSON.stringify(c.expected)}`, () => {
      const name = sheetName(c.name, c.taken);
      assert.equal(name, c.expected);
      assert.ok([...name].length <= MAX_SHEET_NAME);
      assert.doesNotMatch(name, /[[\]:*?/\\]/);
    });
  }
});

describe('attachment', () => {
  it('names the file in ASCII and exactly in UTF-8 (filename*)', () => {
    const header = attachment('目标进度 (全区).xlsx');
    assert.equal(header, `attachment; filename="____ (__).xlsx"; filename*=UTF-8''%E7%9B%AE%E6%A0%87%E8%BF%9B%E5%BA%A6%20%28%E5%85%A8%E5%8C%BA%29.xlsx`);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(header)![1];
    assert.equal(decodeURIComponent(encoded), '目标进度 (全区).xlsx');
  });
});
