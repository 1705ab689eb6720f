import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations/index.js';

/**
 * The one data-source definition, shared by the Nest module (the readiness
 * probe's pending-migrations check), the boot-time migrator and the TypeORM
 * CLI. It maps no entities: TypeORM runs the migrations, and every statement
 * of the service is plain SQL in a `*.repository.ts` on the PG_POOL (see
 * README.md here for why). `synchronize` is never on: the schema is what the
 * migrations say.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [],
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
