import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';

/** One stream as the directory knows it: when it ran, as far as its events said. */
export interface StreamRecord {
  streamId: string;
  roomId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** Last live (non-order-lifecycle) event: where an unannounced end is inferred from. */
  activityTs: number | null;
  /** Latest event time of any of the stream's events. */
  lastTs: number | null;
}

interface StreamRow {
  stream_id: string;
  room_id: string;
  merchant_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  activity_ts: string | null;
  last_ts: string | null;
}

/** Reads of `streams`, the table the streams directory (stream-directory.ts) keeps. */
@Injectable()
export class StreamRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async findByIds(streamIds: readonly string[]): Promise<Map<string, StreamRecord>> {
    const result = await this.pool.query<StreamRow>(
      'SELECT stream_id, room_id, merchant_id, started_at, ended_at, activity_ts, last_ts FROM streams WHERE stream_id = ANY($1::text[])',
      [streamIds],
    );
    return new Map(
      result.rows.map((row) => [
        row.stream_id,
        {
          streamId: row.stream_id,
          roomId: row.room_id,
          merchantId: row.merchant_id,
          startedAt: numberOrNull(row.started_at),
          endedAt: numberOrNull(row.ended_at),
          activityTs: numberOrNull(row.activity_ts),
          lastTs: numberOrNull(row.last_ts),
        },
      ]),
    );
  }

  /** The highest log position any stream's events reached: 0 for an empty directory. */
  async highestLastSeq(): Promise<number> {
    const result = await this.pool.query<{ max: string | null }>('SELECT max(last_seq) AS max FROM streams');
    return Number(result.rows[0]?.max ?? 0);
  }

  /**
   * The first log position of any stream with live activity within
   * `horizonMs` (event time) of the newest activity; null for an empty
   * directory.
   */
  async firstSeqActiveWithin(horizonMs: number): Promise<number | null> {
    const result = await this.pool.query<{ first: string | null }>(
      `SELECT min(first_seq) AS first FROM streams
        WHERE activity_ts >= (SELECT max(activity_ts) FROM streams) - $1`,
      [horizonMs],
    );
    const first = result.rows[0]?.first;
    return first === null || first === undefined ? null : Number(first);
  }
}

/** bigint columns: event times in ms, exact as JS numbers. */
function numberOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}
