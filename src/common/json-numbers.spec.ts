import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { InexactNumber, isExactJsonNumber, markInexactNumbers, restoreInexactNumbers } from './json-numbers.js';

const parse = (text: string) => restoreInexactNumbers(JSON.parse(markInexactNumbers(text)));

describe('JSON numbers a double holds as written', () => {
  it('tells exact from inexact number tokens', () => {
    for (const exact of ['0', '-0', '0.1', '2000.5', '1e2', '1E-7', '123456789012345.6', '0.30000000000000004', '1.5000000000000000000',
      '1000000000000000000000', '9007199254740992', '0.000000000000000000000000000001', '-1234.5678']) {
      assert.equal(isExactJsonNumber(exact), true, exact);
    }
    for (const inexact of ['1e-400', '1e400', '-1E+400', '2000.123456789012345', '999999999999999.99', '0.30000000000000001',
      '9007199254740993', '0.1000000000000000000000001']) {
      assert.equal(isExactJsonNumber(inexact), false, inexact);
    }
  });

  it('leaves a body without inexact numbers as it is (the same string)', () => {
    const text = '{"figures":[{"target":"A-1","period":"2025Q1","value":1234.56,"note":"2e5 个 13800138000123456"}]}';
    assert.equal(markInexactNumbers(text), text);
  });

  it('puts an InexactNumber where each inexact number was, wherever it is', () => {
    const body = parse('{"a": 1e-400, "b": [1, 2000.123456789012345, {"c": "1e-400 \\" 1e400", "d": -1e400}], "e": 0.1}') as any;
    assert.deepEqual(body.a, new InexactNumber('1e-400'));
    assert.equal(body.b[0], 1);
    assert.deepEqual(body.b[1], new InexactNumber('2000.123456789012345'));
    assert.equal(body.b[2].c, '1e-400 " 1e400');
    assert.deepEqual(body.b[2].d, new InexactNumber('-1e400'));
    assert.equal(body.e, 0.1);
    assert.deepEqual(parse('1e-400'), new InexactNumber('1e-400'));
  });

  it('does not make invalid JSON valid, and walks deep nesting without recursion', () => {
    assert.throws(() => parse('[01234567890123456789]'));
    const deep = `${'['.repeat(100_000)}1e-400${']'.repeat(100_000)}`;
    let node = parse(deep);
    for (let i = 0; i < 100_000; i++) node = (node as unknown[])[0];
    assert.deepEqual(node, new InexactNumber('1e-400'));
  });

  it('any schema refuses an InexactNumber, saying why', () => {
    const result = z.strictObject({ graceDays: z.number().int() }).safeParse({ graceDays: new InexactNumber('20.0000000000000001') });
    assert.equal(result.success, false);
    assert.match(result.error!.issues[0].message, /JSON 数值 20\.0000000000000001 .*decimal string/);
  });
});
