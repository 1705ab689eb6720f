import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';

/** A partition this worker holds: the fencing token it was granted with. */
export interface HeldLease {
  partition: number;
  token: number;
}

/**
 * The detect workers' partition leases (`partition_leases`) and heartbeats
 * (`detect_workers`). Every expiry is compared with PostgreSQL's now(), so
 * the workers' own clocks never decide who holds what; each statement is one
 * atomic UPDATE, so two workers can never both be granted a partition.
 */
@Injectable()
export class PartitionLeasesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The partition count this database was built with (migration LogPartitions). */
  async partitionCount(): Promise<number> {
    const result = await this.pool.query<{ partitions: number }>('SELECT partitions FROM log_partitioning');
    return Number(result.rows[0]?.partitions ?? 0);
  }

  /** Says this worker is alive for `ttlMs`; forgets workers silent past their expiry. Returns the live workers, oldest first. */
  async heartbeat(worker: string, ttlMs: number): Promise<string[]> {
    await this.pool.query(
      `INSERT INTO detect_workers (worker_id, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (worker_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [worker, ttlMs],
    );
    await this.pool.query('DELETE FROM detect_workers WHERE expires_at < now()');
    const live = await this.pool.query<{ worker_id: string }>('SELECT worker_id FROM detect_workers ORDER BY started_at, worker_id');
    return live.rows.map((row) => row.worker_id);
  }

  /** Extends every lease the worker still holds; the ones it lost (expired and taken, or released) are not returned. */
  async renew(worker: string, ttlMs: number): Promise<HeldLease[]> {
    const result = await this.pool.query<{ partition: number; token: string }>(
      `UPDATE partition_leases SET expires_at = now() + $2 * interval '1 millisecond'
        WHERE owner = $1 AND expires_at >= now()
        RETURNING partition, token`,
      [worker, ttlMs],
    );
    return result.rows.map(toLease).sort((a, b) => a.partition - b.partition);
  }

  /**
   * Takes up to `count` free partitions (never held, released, or expired),
   * lowest first, each with a new token. SKIP LOCKED: two workers acquiring
   * at once take different rows instead of waiting on each other.
   */
  async acquire(worker: string, count: number, ttlMs: number): Promise<HeldLease[]> {
    if (count <= 0) return [];
    const result = await this.pool.query<{ partition: number; token: string }>(
      `UPDATE partition_leases SET owner = $1, token = token + 1, expires_at = now() + $3 * interval '1 millisecond'
        WHERE partition IN (
          SELECT partition FROM partition_leases WHERE owner IS NULL OR expires_at < now()
           ORDER BY partition LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING partition, token`,
      [worker, count, ttlMs],
    );
    return result.rows.map(toLease).sort((a, b) => a.partition - b.partition);
  }

  /** Gives partitions back at once (a worker shedding load for a newcomer, or shutting down). */
  async release(worker: string, partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.pool.query(
      `UPDATE partition_leases SET owner = NULL, expires_at = now() WHERE owner = $1 AND partition = ANY($2::smallint[])`,
      [worker, partitions],
    );
  }

  /** Leaves the worker table (shutdown): the others rebalance without waiting for its heartbeat to lapse. */
  async leave(worker: string): Promise<void> {
    await this.pool.query('DELETE FROM detect_workers WHERE worker_id = $1', [worker]);
  }
}

function toLease(row: { partition: number; token: string }): HeldLease {
  return { partition: Number(row.partition), token: Number(row.token) };
}
