import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import type { HeldLease } from './partition-leases.repository.js';

/** The checkpoint of one detection partition: `detection:p<n>` (the single-process consumer is `detection`). */
export function partitionConsumer(partition: number): string {
  return `detection:p${partition}`;
}

/** How far a consumer of the log has durably processed it (`engine_checkpoints`). */
@Injectable()
export class CheckpointRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The consumer's checkpoint: 0 before its first batch. */
  async processedSeq(consumer: string): Promise<number> {
    const result = await this.pool.query<{ processed_seq: string }>('SELECT processed_seq FROM engine_checkpoints WHERE consumer = $1', [consumer]);
    return Number(result.rows[0]?.processed_seq ?? 0);
  }

  /** Moves the checkpoint forward to `seq`, never back (a batch processed twice after a crash cannot lower it). */
  async advance(consumer: string, seq: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO engine_checkpoints (consumer, processed_seq) VALUES ($1, $2)
       ON CONFLICT (consumer) DO UPDATE SET processed_seq = GREATEST(engine_checkpoints.processed_seq, EXCLUDED.processed_seq), updated_at = now()`,
      [consumer, seq],
    );
  }

  /**
   * Each partition's checkpoint. A partition never checkpointed starts where
   * `fallback` (the single-process consumer) got: a deployment moving from
   * one detect process to partitioned workers neither replays the whole log
   * nor skips any of it.
   */
  async partitionSeqs(partitions: readonly number[], fallback: string): Promise<Map<number, number>> {
    const seqs = new Map<number, number>();
    if (partitions.length === 0) return seqs;
    const result = await this.pool.query<{ partition: number; processed_seq: string }>(
      `SELECT p.partition, coalesce(c.processed_seq, f.processed_seq, 0) AS processed_seq
         FROM unnest($1::int[]) AS p(partition)
         LEFT JOIN engine_checkpoints c ON c.consumer = 'detection:p' || p.partition
         LEFT JOIN engine_checkpoints f ON f.consumer = $2`,
      [partitions, fallback],
    );
    for (const row of result.rows) seqs.set(Number(row.partition), Number(row.processed_seq));
    return seqs;
  }

  /**
   * Moves the held partitions' checkpoints to `seq` (never back), each only
   * while the worker still holds its lease under the token it was granted
   * (the lease rows are locked for it, so a takeover waits for this or goes
   * first). Returns the partitions moved: one missing was lost.
   */
  async advancePartitions(worker: string, leases: readonly HeldLease[], seq: number): Promise<Set<number>> {
    if (leases.length === 0) return new Set();
    const result = await this.pool.query<{ consumer: string }>(
      `INSERT INTO engine_checkpoints (consumer, processed_seq)
       SELECT 'detection:p' || l.partition, $4::bigint
         FROM partition_leases l
         JOIN unnest($2::int[], $3::bigint[]) AS h(partition, token) ON l.partition = h.partition AND l.token = h.token
        WHERE l.owner = $1 AND l.expires_at >= now()
          FOR SHARE OF l
       ON CONFLICT (consumer) DO UPDATE SET processed_seq = GREATEST(engine_checkpoints.processed_seq, EXCLUDED.processed_seq), updated_at = now()
       RETURNING consumer`,
      [worker, leases.map((lease) => lease.partition), leases.map((lease) => lease.token), seq],
    );
    return new Set(result.rows.map((row) => Number(row.consumer.slice('detection:p'.length))));
  }

  /**
   * The lowest checkpoint among the partitions not in `held` (a partition
   * never checkpointed counts as far as `fallback` got), or null when the
   * worker holds them all: how far the slowest other worker got.
   */
  async lowestOtherSeq(held: readonly number[], partitions: number, fallback: string): Promise<number | null> {
    const result = await this.pool.query<{ lowest: string | null }>(
      `SELECT min(coalesce(c.processed_seq, f.processed_seq, 0)) AS lowest
         FROM generate_series(0, $1::int - 1) AS p(partition)
         LEFT JOIN engine_checkpoints c ON c.consumer = 'detection:p' || p.partition
         LEFT JOIN engine_checkpoints f ON f.consumer = $3
        WHERE NOT (p.partition = ANY($2::int[]))`,
      [partitions, held, fallback],
    );
    const lowest = result.rows[0]?.lowest;
    return lowest === null || lowest === undefined ? null : Number(lowest);
  }

  /**
   * How far detection got over every partition (the lowest partition
   * checkpoint), for an ingest node's backlog; null before any detect worker
   * or single process checkpointed anything.
   */
  async lowestPartitionSeq(partitions: number, fallback: string): Promise<number | null> {
    const result = await this.pool.query<{ lowest: string | null; any_row: boolean }>(
      `SELECT min(coalesce(c.processed_seq, f.processed_seq, 0)) AS lowest,
              bool_or(c.consumer IS NOT NULL OR f.consumer IS NOT NULL) AS any_row
         FROM generate_series(0, $1::int - 1) AS p(partition)
         LEFT JOIN engine_checkpoints c ON c.consumer = 'detection:p' || p.partition
         LEFT JOIN engine_checkpoints f ON f.consumer = $2`,
      [partitions, fallback],
    );
    const row = result.rows[0];
    return row?.any_row ? Number(row.lowest) : null;
  }
}
