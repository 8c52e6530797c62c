import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '../..');

describe('documentation', () => {
  it('documents every environment variable the code reads (config schema, process.env, shell scripts)', () => {
    const r = spawnSync(process.execPath, ['scripts/check-docs.mjs', '--variables'], { cwd: root, encoding: 'utf8' });
    const count = Number(/^(\d+) variables/m.exec(r.stdout)?.[1]);
    assert.ok(count >= 30, `only ${count} variables found: is the config schema still parsed?\n${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
  });
});
