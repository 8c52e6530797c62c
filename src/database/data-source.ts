import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';

type Entities = NonNullable<DataSourceOptions['entities']>;

/**
 * One source of truth for the app, the migration CLI, the seeds and the tests. It names no entity: each
 * feature module lists its own (TypeOrmModule.forFeature, loaded by autoLoadEntities in app.module.ts);
 * migrations and seeds speak SQL, and a test that wants a repository passes the entities it uses.
 */
export function dataSourceOptions(databaseUrl: string, entities: Entities = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false, // failures surface as exceptions, logged once where they are handled
    extra: { max: 10, application_name: 'target-monitor' },
  };
}

export function createDataSource(databaseUrl: string, entities: Entities = []): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, entities));
}
