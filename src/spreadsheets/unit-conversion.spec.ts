import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertUnit, groupDigits, unitInText } from './unit-conversion.js';
import { nameKey, splitAliases } from './names.js';

describe('convertUnit', () => {
  const cases: [string, string, string, string][] = [
    // value, from, to → value in `to` (or the error's start)
    ['12000', '万元', '亿元', '1.2'],
    ['1.2', '亿元', '万元', '12000'],
    ['35000', '元', '万元', '3.5'],
    ['2.5', '万元', '元', '25000'],
    ['1234', '辆', '万辆', '0.1234'],
    ['0.1234', '万辆', '辆', '1234'],
    ['5', '万个', '个', '50000'],
    ['86', '人', '万人', '0.0086'],
    ['12.5', '‰', '%', '1.25'],
    ['1.25', '%', '‰', '12.5'],
    ['1.25', '％', '%', '1.25'],
    ['7', ' 亿元 ', '亿元', '7'],
    ['7', '（亿元）', '亿元', '7'],
    ['123456789012345.123456789', '元', '亿元', '1234567.89012345123456789'],
    ['3', '万吨', '亿元', 'error: 单位 万吨 与指标单位 亿元 不符'],
    ['3', '家', '个', 'error: 单位 家 与指标单位 个 不符'],
    ['3', '公里', '千米', 'error: 单位 公里 与指标单位 千米 不符'],
    ['900000000000000', '亿元', '元', 'error: 900000000000000 亿元 换算为 元 后超出范围或精度'],
  ];
  for (const [value, from, to, expected] of cases) {
    it(`${value} ${from} → ${to}`, () => {
      const r = convertUnit(value, from, to);
      assert.equal(r.error !== undefined ? `error: ${r.error.split(' (')[0]}` : r.value, expected);
      if (r.error === undefined) assert.equal(r.converted, r.value !== value);
    });
  }

  it('groups digits for the preview and finds 单位：… in a title', () => {
    assert.equal(groupDigits('12000'), '12\u2009000');
    assert.equal(groupDigits('-1234567.891'), '-1\u2009234\u2009567.891');
    assert.equal(groupDigits('1.2'), '1.2');
    assert.equal(unitInText('单位：亿元'), '亿元');
    assert.equal(unitInText('2025年1-9月主要经济指标（单位: 万辆）'), '万辆');
    assert.equal(unitInText('单位 ： %'), '%');
    assert.equal(unitInText('主要经济指标'), null);
  });
});

describe('names and aliases', () => {
  it('compares names after NFKC, without whitespace, with Chinese punctuation as ASCII', () => {
    const same: [string, string][] = [
      ['规上工业增加值', ' 规上工业 增加值 '],
      ['新能源汽车产量（万辆）', '新能源汽车产量(万辆)'],
      ['“专精特新”企业数', '"专精特新"企业数'],
      ['ＧＤＰ增速', 'gdp增速'],
      ['R＆D经费', 'r&d经费'],
      ['数字经济核心产业—增加值', '数字经济核心产业-增加值'],
    ];
    for (const [a, b] of same) assert.equal(nameKey(a), nameKey(b), `${a} = ${b}`);
    assert.notEqual(nameKey('新能源汽车产量'), nameKey('新能源汽车销量'));
  });

  it('splits an alias list on lines, 、 and semicolons, dropping blanks and repeats', () => {
    assert.deepEqual(splitAliases('规上工业增加值\n工业增加值（规上）、 规模以上工业增加值;\r\n；规上工业增加值 \n\n'),
      ['规上工业增加值', '工业增加值（规上）', '规模以上工业增加值']);
    assert.deepEqual(splitAliases('  '), []);
  });
});
