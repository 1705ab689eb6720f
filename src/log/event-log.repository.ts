import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import { type CommittedEvent, EVENT_SEQ_BLOCK } from './event-log.writer.js';
import { STORED_EVENT_COLUMNS, type StoredEventRecord, fromStoredRecord } from './stored-event.js';

/**
 * Every read of the `events` table: the log read back in commit order (restart
 * replay, catch-up, a detect process following another's commits) and one
 * event by its position (a quarantined event replayed). The writer keeps the
 * appends (event-log.writer.ts): they go below this on purpose, for throughput.
 */
@Injectable()
export class EventLogRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The committed events with afterSeq < seq <= upToSeq, in seq order. */
  async readRange(afterSeq: number, upToSeq: number): Promise<CommittedEvent[]> {
    const result = await this.pool.query<StoredEventRecord>(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
      [afterSeq, upToSeq],
    );
    return result.rows.map(toCommitted);
  }

  /** The committed events of these types with afterSeq < seq <= upToSeq, in seq order (the decision profiles' warm-up). */
  async readRangeOfTypes(afterSeq: number, upToSeq: number, types: readonly string[]): Promise<CommittedEvent[]> {
    const result = await this.pool.query<StoredEventRecord>(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE seq > $1 AND seq <= $2 AND type = ANY($3::text[]) ORDER BY seq`,
      [afterSeq, upToSeq, types],
    );
    return result.rows.map(toCommitted);
  }

  /**
   * A seq no committed event lies above: the end of the newest block any
   * writer reserved (EVENT_SEQ_BLOCK), read from the sequence, not the table.
   */
  async reservedThrough(): Promise<number> {
    const result = await this.pool.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM events_seq`);
    const row = result.rows[0]!;
    return row.is_called ? Number(row.last_value) + EVENT_SEQ_BLOCK - 1 : 0;
  }

  /**
   * The committed events of the given partitions with afterSeq < seq <=
   * upToSeq, in seq order, each with its partition: what a detect worker
   * reads (index idx_events_partition_seq: one range scan per partition).
   */
  async readPartitions(afterSeq: number, upToSeq: number, partitions: readonly number[]): Promise<PartitionedEvent[]> {
    if (partitions.length === 0) return [];
    const result = await this.pool.query<StoredEventRecord & { room_partition: number }>(
      `SELECT ${STORED_EVENT_COLUMNS}, room_partition FROM events
        WHERE room_partition = ANY($3::smallint[]) AND seq > $1 AND seq <= $2 ORDER BY seq`,
      [afterSeq, upToSeq, partitions],
    );
    return result.rows.map((record) => ({ ...toCommitted(record), partition: Number(record.room_partition) }));
  }

  /**
   * How many committed events lie at afterSeq < seq <= upToSeq, counted up to
   * `cap` (an index-only range scan, bounded: seqs come in blocks per flush,
   * so the span of seqs says nothing about the count).
   */
  async countRange(afterSeq: number, upToSeq: number, cap: number): Promise<number> {
    if (upToSeq <= afterSeq) return 0;
    const result = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM events WHERE seq > $1 AND seq <= $2 LIMIT $3) AS behind`,
      [afterSeq, upToSeq, cap],
    );
    return result.rows[0]!.n;
  }

  /** The same for some partitions, each after its own checkpoint (a detect worker's backlog). */
  async countPartitions(after: readonly PartitionCheckpoint[], upToSeq: number, cap: number): Promise<number> {
    if (after.length === 0) return 0;
    const result = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM unnest($1::smallint[], $2::bigint[]) AS p(partition, after_seq)
           JOIN events e ON e.room_partition = p.partition AND e.seq > p.after_seq AND e.seq <= $3
         LIMIT $4) AS behind`,
      [after.map((p) => p.partition), after.map((p) => p.afterSeq), upToSeq, cap],
    );
    return result.rows[0]!.n;
  }

  /** The event at one log position, or null when none was committed there. */
  async readOne(seq: number): Promise<CommittedEvent | null> {
    const result = await this.pool.query<StoredEventRecord>(`SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE seq = $1`, [seq]);
    const record = result.rows[0];
    return record ? toCommitted(record) : null;
  }
}

/** A partition and the log position its reader has processed through. */
export interface PartitionCheckpoint {
  partition: number;
  afterSeq: number;
}

/** An event read by partition: its log position, the event and its room's partition. */
export interface PartitionedEvent extends CommittedEvent {
  partition: number;
}

function toCommitted(record: StoredEventRecord): CommittedEvent {
  return { seq: Number(record.seq), event: fromStoredRecord(record) };
}
