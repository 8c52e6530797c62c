import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCountUnit, isPercentUnit, parseNumberInput } from './number-input.js';

// [input, accepted value (and percent) | a fragment of the refusal]
const ACCEPTED: [number | string, string, boolean?][] = [
  ['820', '820'], ['８２０', '820'], ['８２０．５', '820.5'], ['－３', '-3'], ['−3', '-3'], ['+12', '12'], ['  42 ', '42'],
  ['1,234', '1234'], ['1,234.5', '1234.5'], ['12,345,678.90', '12345678.9'], ['１，２３４', '1234'], ['0.5', '0.5'], ['.5', '0.5'],
  ['85%', '85', true], ['85 %', '85', true], ['８５％', '85', true], ['-2.5%', '-2.5', true], ['1000000000000000', '1000000000000000'],
  ['\u3000318.5\u3000', '318.5'], ['\u00a012', '12'], [318.5, '318.5'], [1e15, '1000000000000000'], [-0, '0'],
];

const REFUSED: [string | number, string][] = [
  ['23 318.5 86', '粘贴了多个单元格'], ['23\t318.5\t86', '粘贴了多个单元格'], ['23\n318.5', '粘贴了多个单元格'], ['2 0', '粘贴了多个单元格'],
  ['1 234', '粘贴了多个单元格'], ['12,34', '每三位一组'], ['1,2345', '每三位一组'], [',123', '每三位一组'], ['1,234,56', '每三位一组'],
  ['3e2', '科学计数法'], ['1E+15', '科学计数法'], ['1.5e-3', '科学计数法'], ['12家', '不是数值'], ['0x10', '不是数值'], ['1..2', '不是数值'],
  ['1.2.3', '不是数值'], ['NaN', '不是数值'], ['Infinity', '不是数值'], ['--1', '不是数值'], ['+-1', '不是数值'], ['١٢٣', '不是数值'],
  ['1_000', '不是数值'], ['12.', '不是数值'], ['%', '不是数值'], ['85%%', '不是数值'], ['', '为空'], ['   ', '为空'],
  ['1000000000000001', '超出范围'], [`0.${'0'.repeat(30)}1`, '小数位数'], [Number.NaN, '不是有限'], [1e16, '超出范围'],
];

describe('parseNumberInput: one grammar for API, entry page and imports', () => {
  for (const [input, value, percent = false] of ACCEPTED) {
    it(`${JSON.stringify(input)} → ${value}${percent ? ' (%)' : ''}`, () => {
      assert.deepEqual(parseNumberInput(input), { ok: true, value, percent });
    });
  }
  for (const [input, fragment] of REFUSED) {
    it(`${JSON.stringify(input)} is refused (${fragment})`, () => {
      const parsed = parseNumberInput(input);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.match(parsed.message, new RegExp(fragment));
      if (typeof input === 'string' && input.trim()) assert.ok(parsed.message.includes(`“${input.trim()}”`), `quotes the input: ${parsed.message}`);
    });
  }
});

describe('units', () => {
  const cases: [string, boolean, boolean][] = [
    ['家', true, false], ['万辆', true, false], ['辆', true, false], ['个', true, false], ['项', true, false], ['人', true, false],
    ['万人', true, false], ['亿元', false, false], ['%', false, true], ['％', false, true], ['万吨', false, false], ['指数', false, false],
  ];
  for (const [unit, count, percent] of cases) {
    it(`${unit}: count ${count}, percent ${percent}`, () => {
      assert.equal(isCountUnit(unit), count);
      assert.equal(isPercentUnit(unit), percent);
    });
  }
});
