import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations/index.js';
import { ALL_ENTITIES } from './entities.js';

/**
 * The one data-source definition, shared by the Nest module, the boot-time
 * migrator and the TypeORM CLI. `synchronize` is never on: the schema is what
 * the migrations say.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: { max: 10, connectionTimeoutMillis: 5_000 },
  };
}

// For the TypeORM CLI: `npx typeorm migration:show -d dist/src/platform/database/data-source.js`.
export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roomwatch'),
);
