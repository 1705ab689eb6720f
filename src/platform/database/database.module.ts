import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source.js';

/** A plain `pg` pool for hot paths that go below the ORM (event append, replay). */
export const PG_POOL = Symbol('PG_POOL');
/**
 * A small pool of its own for real-time decisions (src/decisions): a
 * decision's two statements must not queue behind the pipeline's batches and
 * report writes on the shared pool, whose wait would be the decision's latency.
 */
export const DECISIONS_PG_POOL = Symbol('DECISIONS_PG_POOL');
/**
 * The event log writer's own pool: its flushes, and the extra one it keeps
 * for urgent appends (a decision's event), must not wait for a connection
 * behind the pipeline's statements. Sized by the writer (LOG_POOL_SIZE).
 */
export const LOG_PG_POOL = Symbol('LOG_PG_POOL');
/** The writer's flushes in flight (two ordinary, one urgent) and its seq reservation beside them. */
export const LOG_POOL_SIZE = 4;

function newPool(config: AppConfig, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max,
    connectionTimeoutMillis: 5_000,
    // A statement stuck on a dying server must fail, so its callers get
    // a retryable error instead of an ack that never comes.
    statement_timeout: 60_000,
  });
  // An idle client's connection dropping (database restart) is not fatal.
  pool.on('error', () => undefined);
  return pool;
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.DATABASE_URL),
    }),
  ],
  providers: [
    { provide: PG_POOL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => newPool(config, 6) },
    // Two: the decision row's group commit, and the account standings' read each second beside it.
    { provide: DECISIONS_PG_POOL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => newPool(config, 2) },
    { provide: LOG_PG_POOL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => newPool(config, LOG_POOL_SIZE) },
  ],
  exports: [PG_POOL, DECISIONS_PG_POOL, LOG_PG_POOL],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(DECISIONS_PG_POOL) private readonly decisionsPool: pg.Pool,
    @Inject(LOG_PG_POOL) private readonly logPool: pg.Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pool.end(), this.decisionsPool.end(), this.logPool.end()]);
  }
}
