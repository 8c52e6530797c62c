import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  it('links every README and docs/*.md link to a file and heading that exist', () => {
    const r = spawnSync(process.execPath, ['scripts/check-docs.mjs'], { cwd: root, encoding: 'utf8' });
    assert.match(r.stdout, /; 0 broken links$/m, r.stderr);
  });

  // issue 16: the README is the front door (about 150 lines), details live in docs/
  it('keeps README short and pointing at the setup facts a newcomer needs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const lines = readme.split('\n').length;
    assert.ok(lines <= 175, `README.md has ${lines} lines: move detail into docs/`);
    for (const needed of [
      'npm install && npm start',
      'npm test',
      'scripts/prepare-test-env.sh',
      '.ci/run',
      'docker-compose',
      '](docs/configuration.md)',
      '](docs/security.md)',
      '](docs/benchmarks.md)',
      '](docs/scaling.md',
      'docs/screenshots/',
    ]) {
      assert.ok(readme.includes(needed), `README.md does not mention ${needed}`);
    }
  });
});
