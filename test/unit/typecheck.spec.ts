import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/**
 * The tests run through @swc-node/register, which strips types without checking them; this runs the
 * compiler over the project (tsconfig.json: src, migrations, seeds, test, bench) so `npm test` is a
 * build check too. Among what it checks: test/e2e/api-client.e2e.ts reads typed fields of the
 * openapi-fetch client's responses, typed by test/support/api-types.ts from the OpenAPI document,
 * so a response schema that goes missing from the document fails here.
 */
describe('typecheck', () => {
  it('tsc --noEmit -p tsconfig.json finds no error', { timeout: 180_000 }, () => {
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(tsc.error, undefined);
    assert.equal(tsc.status, 0, `tsc exited with ${tsc.status}:\n${tsc.stdout}${tsc.stderr}`);
  });
});
