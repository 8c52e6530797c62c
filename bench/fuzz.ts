/**
 * `npm run fuzz -- [--requests N] [--seed S]`
 *
 * Not a test (test/e2e/fuzz.e2e.ts is the CI-sized version). Starts the real app in this process on a
 * scratch database cloned from the migrated test template (dropped at the end) with its own Redis prefix,
 * creates two departments and two targets, then sends N (default 10 000) random and mutated requests to
 * the write routes (test/support/fuzz.ts: fast-check mutations of valid bodies of POST/PATCH targets,
 * PUT figures, POST figures/batch, departments, users, imports (multipart), documents/extract, auth/login,
 * plus URL, raw-body and credential mutations), one at a time between two fingerprints of the database
 * (row count and hash per table). Fails (exit 1) on any 5xx and on any rejected request (4xx) after which
 * the database differs. Prints the counts per status and per route; the seed makes a run repeatable.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startApp, type TestApp } from '../test/support/app.js';
import { fuzzRequests, QUIET_SCHEDULES, runFuzz, setUp } from '../test/support/fuzz.js';

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
  },
  strict: true,
});
const COUNT = Number(opts.requests);
const SEED = Number(opts.seed);
const log = (message: string) => process.stderr.write(`[fuzz] ${message}\n`);

let t: TestApp | undefined;
async function main(): Promise<number> {
  t = await startApp('fuzz_bench', { LOG_LEVEL: 'error', ...QUIET_SCHEDULES });
  await setUp(t);
  const requests = fuzzRequests(COUNT, SEED);
  log(`seed ${SEED}: ${requests.length} requests; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const started = Date.now();
  const report = await runFuzz(t, requests, (done, r) => {
    if (done % 1000 === 0) log(`${done} sent (${((Date.now() - started) / 1000).toFixed(0)} s): ${JSON.stringify(r.byStatus)}`);
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n${report.sent} requests in ${seconds.toFixed(0)} s (seed ${SEED}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  console.log('| route | ' + Object.keys(report.byStatus).sort().join(' | ') + ' |');
  console.log('|---|' + Object.keys(report.byStatus).map(() => '---:').join('|') + '|');
  for (const [template, counts] of Object.entries(report.byTemplate).sort()) {
    console.log(`| ${template} | ${Object.keys(report.byStatus).sort().map((s) => counts[s] ?? 0).join(' | ')} |`);
  }
  console.log(`| all | ${Object.keys(report.byStatus).sort().map((s) => report.byStatus[s]).join(' | ')} |`);
  console.log(`\n5xx: ${report.serverErrors.length}; rejected requests that changed the database: ${report.writesOnReject.length}`);
  for (const e of report.serverErrors.slice(0, 20)) console.log(`  ${e.status} ${e.request}\n      → ${e.body}`);
  for (const w of report.writesOnReject.slice(0, 20)) console.log(`  ${w.status} changed ${w.changed.join(', ')}: ${w.request}`);
  console.log(JSON.stringify({ seed: SEED, sent: report.sent, seconds, byStatus: report.byStatus, serverErrors: report.serverErrors.length, writesOnReject: report.writesOnReject.length }));
  return report.serverErrors.length || report.writesOnReject.length ? 1 : 0;
}

main()
  .then(async (code) => {
    await t?.close();
    process.exit(code);
  })
  .catch(async (error) => {
    log(`failed: ${(error as Error).stack ?? error}`);
    await t?.close().catch(() => undefined);
    process.exit(1);
  });
