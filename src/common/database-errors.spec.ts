import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable } from './database-errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  const cases: [string, unknown, boolean][] = [
    ['administrator shutdown 57P01', pgError('57P01', 'terminating connection due to administrator command'), true],
    ['starting up 57P03', pgError('57P03', 'the database system is starting up'), true],
    ['connection failure 08006', pgError('08006'), true],
    ['refused socket', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), true],
    ['wrapped by TypeORM', { message: 'query failed', driverError: pgError('57P01') }, true],
    ['ended connection', new Error('Connection terminated unexpectedly'), true],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect'), true],
    ['unique violation 23505', pgError('23505', 'duplicate key'), false],
    ['NUL in text 22021', pgError('22021'), false],
    ['a plain bug', new TypeError('x is undefined'), false],
    ['nothing', undefined, false],
  ];
  for (const [name, error, expected] of cases) it(`${name} → ${expected}`, () => assert.equal(isDatabaseUnavailable(error), expected));
});
