import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';

type Entities = NonNullable<DataSourceOptions['entities']>;

/**
 * pg's clients emit 'error' when the server ends their connection (a restart, a failover). pg-pool and
 * TypeORM listen while a client is idle in the pool or lent to a query runner, but not in the moments
 * between (handed over, or released after a first error): an 'error' with no listener ends the process —
 * a worker died so when PostgreSQL stopped mid-run. Every client of the pool listens for its whole life;
 * the failure still reaches whoever was using the client, as the rejection of its query.
 */
class ListeningClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * One source of truth for the app, the migration CLI, the seeds and the tests. It names no entity: each
 * feature module lists its own (TypeOrmModule.forFeature, loaded by autoLoadEntities in app.module.ts);
 * migrations and seeds speak SQL, and a test that wants a repository passes the entities it uses.
 */
export function dataSourceOptions(databaseUrl: string, entities: Entities = [], replicaUrls: readonly string[] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    // Replicas serve only the reads that ask for them (ReadReplicas); everything else, TypeORM's own reads
    // included, stays on the primary (defaultMode).
    ...(replicaUrls.length
      ? { replication: { master: { url: databaseUrl }, slaves: replicaUrls.map((url) => ({ url })), defaultMode: 'master' as const } }
      : {}),
    entities,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false, // failures surface as exceptions, logged once where they are handled
    extra: { max: 10, application_name: 'target-monitor', Client: ListeningClient },
  };
}

export function createDataSource(databaseUrl: string, entities: Entities = []): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, entities));
}
