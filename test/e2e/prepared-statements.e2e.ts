// The hot statements run as named (prepared) statements (src/database/rows.ts): on the connection of the
// caller's transaction when there is one, else on the pool; once parsed per connection; rows as pg returns them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { preparedQuery, queryAs, sizedQuery, PREPARED_MAX_ROWS } from '../../src/database/prepared.store.js';
import { createTestDatabase } from '../support/database.js';

const BY_CODE = 'SELECT name FROM departments WHERE code = $1';
const PREPARED = `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`;

describe('prepared statements (preparedQuery)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  before(async () => {
    database = await createTestDatabase('prepared');
    dataSource = createDataSource(database.url);
    await dataSource.initialize();
  });
  after(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('runs in the caller\'s transaction: it sees the transaction\'s own rows, prepared once on that connection', async () => {
    await assert.rejects(dataSource.transaction(async (tx) => {
      await tx.query(`INSERT INTO departments (code, name) VALUES ('PREP-A', '预备局')`);
      assert.deepEqual(await preparedQuery(tx, BY_CODE, ['PREP-A']), [{ name: '预备局' }]);
      assert.deepEqual(await preparedQuery(tx, BY_CODE, ['PREP-A']), [{ name: '预备局' }]);
      // the same connection holds the statement, once, whatever the number of calls
      assert.deepEqual(await tx.query(PREPARED, [BY_CODE]), [{ n: 1 }]);
      throw new Error('roll back');
    }), /roll back/);
    // outside the transaction, on the pool: the rolled-back row is not there
    assert.deepEqual(await preparedQuery(dataSource, BY_CODE, ['PREP-A']), []);
  });

  it('answers with rows for every kind of statement (an UPDATE\'s RETURNING too), and carries PostgreSQL\'s errors', async () => {
    await dataSource.query(`INSERT INTO departments (code, name) VALUES ('PREP-B', '乙局')`);
    const updated = await preparedQuery(dataSource, `UPDATE departments SET name = $2 WHERE code = $1 RETURNING code, name`, ['PREP-B', '乙局（改）']);
    assert.deepEqual(updated, [{ code: 'PREP-B', name: '乙局（改）' }]);
    // the unique code: the error a caller maps to 409, with its SQLSTATE
    await assert.rejects(preparedQuery(dataSource, `INSERT INTO departments (code, name) VALUES ($1, $2)`, ['PREP-B', '重复']), { code: '23505' });
  });

  it('prepares small inputs only: sizedQuery plans a large one per call', async () => {
    const SUM = 'SELECT sum(x)::int AS s FROM unnest($1::int[]) AS x';
    const runner = dataSource.createQueryRunner(); // one connection throughout
    try {
      const large = Array.from({ length: PREPARED_MAX_ROWS + 1 }, () => 1);
      assert.deepEqual(await sizedQuery(runner.manager, large.length, SUM, [large]), [{ s: PREPARED_MAX_ROWS + 1 }]);
      assert.deepEqual(await queryAs(false, runner.manager, SUM, [[2, 3]]), [{ s: 5 }]);
      assert.deepEqual(await runner.query(PREPARED, [SUM]), [{ n: 0 }]);
      const small = Array.from({ length: PREPARED_MAX_ROWS }, (_, i) => i + 1);
      assert.deepEqual(await sizedQuery(runner.manager, small.length, SUM, [small]), [{ s: (PREPARED_MAX_ROWS * (PREPARED_MAX_ROWS + 1)) / 2 }]);
      assert.deepEqual(await runner.query(PREPARED, [SUM]), [{ n: 1 }]);
    } finally {
      await runner.release();
    }
  });
});
