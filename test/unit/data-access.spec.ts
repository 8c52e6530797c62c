import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error a plain ES module script without types
import { check, findingsOf, isDataAccess, isPlumbing } from '../../scripts/check-data-access.mjs';

type Finding = { file: string; line: number; kind: 'sql' | 'handle' | 'call'; what: string };

describe('data access lives in stores (scripts/check-data-access.mjs)', () => {
  it('finds no SQL string outside *.store.ts, and no database handle or SQL call outside stores and src/database/', () => {
    const findings = (check() as Finding[]).map((f) => `${f.file}:${f.line} ${f.kind} ${f.what}`);
    assert.deepEqual(findings, []);
  });

  it('sees each kind it forbids (so the check above can fail)', () => {
    const text = [
      "import { InjectDataSource } from '@nestjs/typeorm';",
      "import type { DataSource } from 'typeorm';",
      "import pg from 'pg';",
      'const a = `SELECT id FROM targets WHERE code = $1`;',
      "const b = 'INSERT INTO figures (x) VALUES (1)';",
      'const c = `UPDATE alerts SET state = ${1}`;',
      'void this.dataSource.query(a);',
      'void this.repo.createQueryBuilder("t");',
    ].join('\n');
    const kinds = (findingsOf('src/x/x.service.ts', text) as Finding[]).map((f) => `${f.line}:${f.kind}`);
    assert.deepEqual(kinds, ['1:handle', '2:handle', '3:handle', '4:sql', '5:sql', '6:sql', '7:call', '8:call']);
  });

  it('leaves prose, error classes and entity decorators alone', () => {
    const text = [
      "import { DatabaseError } from 'pg';",
      "import { Column, Entity } from 'typeorm';",
      "const label = '请选择 (select a department)';",
      "const note = 'update the figure, then delete nothing';",
    ].join('\n');
    assert.deepEqual(findingsOf('src/x/x.service.ts', text), []);
  });

  it('counts stores as the places SQL belongs, and src/database/ as plumbing without SQL of its own', () => {
    assert.equal(isDataAccess('src/figures/figures.store.ts'), true);
    assert.equal(isDataAccess('src/database/roles.store.ts'), true);
    assert.equal(isDataAccess('src/database/migrate.ts'), false);
    assert.equal(isPlumbing('src/database/migrate.ts'), true);
    assert.equal(isPlumbing('src/database/roles.store.ts'), false);
    assert.equal(isDataAccess('src/figures/figures.service.ts'), false);
    assert.equal(isDataAccess('src/web/store.ts'), false);
  });
});
