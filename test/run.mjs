#!/usr/bin/env node
// `npm test`: every unit spec (src/**/*.spec.ts, test/unit/**/*.spec.ts) and e2e spec
// (test/e2e/**/*.e2e.ts) in one run of Node's test runner, so CI reads one summary.
// Files run one at a time: e2e files start real apps and workers. Pass paths to run a subset.
// First scripts/prepare-test-env.sh checks what the tests need (PostgreSQL, Redis, Chromium, the CJK font)
// and installs it or stops with the command to run; TEST_PREPARE=skip leaves that out.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function find(dir, suffix) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

if (process.env.TEST_PREPARE !== 'skip') {
  const prepared = spawnSync('bash', [join(root, 'scripts/prepare-test-env.sh')], { cwd: root, stdio: 'inherit' });
  if (prepared.status !== 0) process.exit(prepared.status ?? 1);
}

const args = process.argv.slice(2);
const files = args.length
  ? args
  : [...find('src', '.spec.ts'), ...find('test/unit', '.spec.ts'), ...find('test/e2e', '.e2e.ts')];

const result = spawnSync(
  process.execPath,
  ['--import', '@swc-node/register/esm-register', '--test', '--test-concurrency=1', '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', CONTRACT_CHECK: process.env.CONTRACT_CHECK ?? 'on' } },
);
process.exit(result.status ?? 1);
