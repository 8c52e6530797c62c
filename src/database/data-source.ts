import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';

type Entities = NonNullable<DataSourceOptions['entities']>;

/** An unlistened 'error' from a pg client ends the process, and pg-pool/TypeORM do not always listen:
 *  every client listens for its whole life (its user still gets the failed query). */
class ListeningClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** One source for app, migration CLI, seeds and tests; entities come from each module's forFeature. */
export function dataSourceOptions(databaseUrl: string, entities: Entities = [], replicaUrls: readonly string[] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    // Replicas serve only the reads that ask for them (ReadReplicas); the rest stays on the primary.
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
