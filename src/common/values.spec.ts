/**
 * The decimal check of figure and target values (`decimalValue`): the fast check (`checkDecimal`, a regular
 * expression and digit comparisons) accepts and refuses exactly what the decimal.js reference
 * (`checkDecimalSlow`) does, and normalises to the same string.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decimalValue } from './number-input.js';
import { checkDecimal, checkDecimalSlow, MAX_DECIMAL_PLACES } from './values.js';

const TOO_MANY = `0.${'0'.repeat(MAX_DECIMAL_PLACES)}1`;

// [input, expected]
const CASES: [number | string, string][] = [
  [0, '0'], [-0, '0'], [1, '1'], [-1, '-1'], [123.45, '123.45'], [0.1, '0.1'], [-0.5, '-0.5'],
  [1e15, '1000000000000000'], [-1e15, '-1000000000000000'], [1e15 + 2, 'too-large'], [999999999999999.9, '999999999999999.9'],
  [1e21, 'too-large'], [1e-7, '0.0000001'], [1.5e-10, '0.00000000015'], [5e-324, 'too-many-places'],
  [Number.MAX_SAFE_INTEGER, 'too-large'], [Number.NaN, 'not-finite'], [Number.POSITIVE_INFINITY, 'not-finite'],
  [Number.NEGATIVE_INFINITY, 'not-finite'],
  ['0', '0'], ['-0', '0'], ['+0', '0'], ['-0.000', '0'], ['00', '0'], ['.0', '0'], ['0.', '0'],
  ['1', '1'], ['+1', '1'], ['001.500', '1.5'], ['1.', '1'], ['.5', '0.5'], ['-.5', '-0.5'], ['  42  ', '42'],
  ['\t-7.25\n', '-7.25'], ['123.4500', '123.45'],
  ['1000000000000000', '1000000000000000'], ['1000000000000000.000', '1000000000000000'],
  ['-1000000000000000', '-1000000000000000'], ['1000000000000000.0000001', 'too-large'],
  ['1000000000000001', 'too-large'], ['9999999999999999', 'too-large'], ['00001000000000000000', '1000000000000000'],
  ['99999999999999999999999', 'too-large'], ['999999999999999.999999999999999999999999999999', '999999999999999.999999999999999999999999999999'],
  [`0.${'1'.repeat(MAX_DECIMAL_PLACES)}`, `0.${'1'.repeat(MAX_DECIMAL_PLACES)}`], [TOO_MANY, 'too-many-places'],
  [`1.${'5'.repeat(MAX_DECIMAL_PLACES)}${'0'.repeat(20)}`, `1.${'5'.repeat(MAX_DECIMAL_PLACES)}`],
  [`1${'0'.repeat(40)}.${'1'.repeat(40)}`, 'too-large'],
  ['1e15', '1000000000000000'], ['1E+15', '1000000000000000'], ['1.0000000000000001e15', 'too-large'],
  ['1e16', 'too-large'], ['-2.5e3', '-2500'], ['2.5e-3', '0.0025'], ['1e-30', `0.${'0'.repeat(29)}1`], ['1e-31', 'too-many-places'],
  ['1e-1000000000', 'too-many-places'], ['1e1000000000', 'too-large'], ['0e5', '0'], ['.5e1', '5'], ['5.e-1', '0.5'],
  ['', 'not-finite'], [' ', 'not-finite'], ['.', 'not-finite'], ['-', 'not-finite'], ['+', 'not-finite'], ['1..2', 'not-finite'],
  ['1.2.3', 'not-finite'], ['1,5', 'not-finite'], ['1 000', 'not-finite'], ['0x10', 'not-finite'], ['0b1', 'not-finite'],
  ['1e', 'not-finite'], ['e5', 'not-finite'], ['1e+', 'not-finite'], ['NaN', 'not-finite'], ['Infinity', 'not-finite'],
  ['-Infinity', 'not-finite'], ['--1', 'not-finite'], ['+-1', 'not-finite'], ['１２３', 'not-finite'], ['٣', 'not-finite'],
  ['1_000', 'not-finite'], ['12abc', 'not-finite'], ['\u00a012', '12'], ['1\u0000', 'not-finite'],
];

describe('decimal values', () => {
  for (const [input, expected] of CASES) {
    it(`${JSON.stringify(typeof input === 'number' && Object.is(input, -0) ? '-0 (number)' : input)} → ${expected}`, () => {
      assert.equal(checkDecimalSlow(input), expected, 'reference');
      assert.equal(checkDecimal(input), expected, 'fast');
    });
  }

  it('agrees with decimal.js on any number', () => {
    fc.assert(fc.property(fc.oneof(fc.double(), fc.integer(), fc.double({ min: -1e16, max: 1e16 })),
      (n) => assert.equal(checkDecimal(n), checkDecimalSlow(n))), { numRuns: 20_000 });
  });

  it('agrees with decimal.js on any string of decimal characters', () => {
    const chars = fc.constantFrom('0', '0', '0', '1', '5', '9', '.', '-', '+', 'e', 'E', ' ', 'x');
    const digits = (max: number) => fc.string({ unit: fc.constantFrom('0', '1', '9', '0'), maxLength: max });
    const plain = fc.tuple(fc.constantFrom('', '-', '+', ' '), digits(20), fc.constantFrom('', '.'), digits(40), fc.constantFrom('', 'e3', 'e-40', ' '))
      .map((parts) => parts.join(''));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: chars, maxLength: 40 }), plain, fc.string()),
      (s) => assert.equal(checkDecimal(s), checkDecimalSlow(s))), { numRuns: 20_000 });
  });

  it('decimalValue gives the normalised string or the message', () => {
    assert.deepEqual(decimalValue.safeParse('001.50'), { success: true, data: '1.5' });
    const messages = (v: unknown) => decimalValue.safeParse(v).error?.issues.map((i) => i.message);
    assert.deepEqual(messages('1e16'), ['“1e16” 是科学计数法，请填写完整数字 ("1e16" is in scientific notation: write the number out)']);
    assert.deepEqual(messages('10000000000000000'), ['“10000000000000000” 超出范围：绝对值不得超过一千万亿 ("10000000000000000" is too large: at most 10^15)']);
    assert.deepEqual(messages(TOO_MANY), [`“${TOO_MANY}” 的小数位数超过 ${MAX_DECIMAL_PLACES} 位 (${JSON.stringify(TOO_MANY)} has more than ${MAX_DECIMAL_PLACES} decimal places)`]);
    assert.deepEqual(messages('abc'), ['“abc” 不是数值：只能含数字、正负号、小数点、千位分隔符，百分比指标可带 % ("abc" is not a number)']);
    assert.deepEqual(messages('85%'), ['目标值不带 %，单位写在“单位”中 (no % sign: the unit says it)']);
    assert.deepEqual(messages(Number.NaN), ['须为数字或数字字符串 (must be a number or a decimal string)']); // z.number() refuses NaN and ±Infinity
    assert.deepEqual(messages(Number.POSITIVE_INFINITY), ['须为数字或数字字符串 (must be a number or a decimal string)']);
    assert.deepEqual(messages(true), ['须为数字或数字字符串 (must be a number or a decimal string)']);
  });
});
