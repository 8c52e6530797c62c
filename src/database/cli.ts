/** The migration, role and audit-verification commands, as the migration user. */
import 'reflect-metadata';
import pg from 'pg';
import { parseExpect, verifyAuditChain } from './audit-chain.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { createDataSource } from './data-source.js';
import { migrate } from './migrate.js';
import { appConnectionProblem, appUrlOf, userOf } from './roles.store.js';
import { DependencyUnavailableError, ensureDatabase } from './startup-checks.js';

async function verify(migrationUrl: string, args: string[]): Promise<number> {
  const at = args.indexOf('--expect');
  const expect = at >= 0 ? parseExpect(args[at + 1] ?? '') : undefined;
  if (expect === null) throw new Error('usage: audit:verify [-- --expect <seq>:<64 hex digits>]');
  const client = new pg.Client({ connectionString: migrationUrl });
  await client.connect();
  try {
    const report = await verifyAuditChain(client, expect);
    if (report.broken) {
      const { auditId, seq, problem } = report.broken;
      console.log(`BROKEN: ${problem}${auditId === null ? '' : ` — audit_log id ${auditId}`}${seq === null ? '' : `, chain link ${seq}`}`);
      console.log(`${report.rows} rows verified before it`);
      return 1;
    }
    console.log(`ok: ${report.rows} audit rows chained, none changed or deleted`);
    if (report.head) console.log(`head: ${report.head.seq}:${report.head.hash} (note it elsewhere; --expect it later)`);
    return 0;
  } finally {
    await client.end();
  }
}

async function main(command: string | undefined, args: string[]): Promise<number> {
  const config = loadConfig(process.env);
  if (command === 'audit-verify') return verify(config.migrationUrl, args);
  await ensureDatabase(config.migrationUrl);
  const dataSource = createDataSource(config.migrationUrl);
  await dataSource.initialize();
  try {
    if (command === 'run' || command === 'roles') {
      const ran = await migrate(dataSource, config.migrationUrl, appUrlOf(config));
      console.log(ran.length ? `applied: ${ran.join(', ')}` : 'no pending migrations');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else {
      throw new Error('usage: cli.ts run|revert|roles|audit-verify');
    }
  } finally {
    await dataSource.destroy();
  }
  if (command === 'roles') {
    if (!appUrlOf(config)) {
      console.log(`one user for migrations and the app ("${userOf(config.databaseUrl)}"): set DATABASE_MIGRATION_URL to the owner and DATABASE_URL to the app's role`);
    } else {
      console.log(`granted "${userOf(config.databaseUrl)}": SELECT, INSERT on audit_log and figure_revisions; SELECT, INSERT, UPDATE, DELETE on the other tables`);
    }
    const problem = await appConnectionProblem(config.databaseUrl);
    console.log(problem ? `WARNING: ${problem}` : `ok: DATABASE_URL's role cannot change or delete audit rows`);
    return problem ? 1 : 0;
  }
  return 0;
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof DependencyUnavailableError;
    console.error(known ? (error as Error).message : error);
    process.exit(1);
  },
);
