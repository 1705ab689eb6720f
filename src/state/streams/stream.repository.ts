import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';

/** What some committed events say about one stream: its boundaries and log span, folded with min/max only. */
export interface StreamSpan {
  streamId: string;
  roomId: string;
  /** Of the first stream.started seen: the first names the owner for good. */
  merchantId: string | null;
  anchorId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  firstTs: number;
  /** null when only announcements (sale.opened) were seen: they are in the stream's span, not on its clock. */
  lastTs: number | null;
  /** Latest live (non-order-lifecycle) event time, if any. */
  activityTs: number | null;
  firstSeq: number;
  lastSeq: number;
}

/** A stream as the API lists it: who owns it and when it ran (event-time ms). */
export interface StoredStream {
  streamId: string;
  roomId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  firstTs: number;
  lastTs: number;
}

interface StoredStreamRow {
  stream_id: string;
  room_id: string;
  merchant_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  first_ts: string;
  last_ts: string;
}

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

const STORED_STREAM_COLUMNS = 'stream_id, room_id, merchant_id, started_at, ended_at, first_ts, last_ts';

function toStoredStream(row: StoredStreamRow): StoredStream {
  return {
    streamId: row.stream_id,
    roomId: row.room_id,
    merchantId: row.merchant_id,
    startedAt: numberOrNull(row.started_at),
    endedAt: numberOrNull(row.ended_at),
    firstTs: Number(row.first_ts),
    lastTs: Number(row.last_ts),
  };
}

// LEAST/GREATEST make the upsert order-free and idempotent: replaying a batch
// or receiving it in two parts gives the same row.
// An announcement's ts (sale.opened: the opening, ahead of now) is in the
// stream's span but not its clock: a new row takes it as last_ts for want of
// any other, an existing row keeps its own (GREATEST ignores the NULL).
const UPSERT_STREAMS = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                         $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
      AS i(stream_id, room_id, merchant_id, anchor_id, started_at, ended_at, first_ts, clock_ts, activity_ts, first_seq, last_seq)
  )
  INSERT INTO streams AS s (stream_id, room_id, merchant_id, anchor_id, started_at, ended_at,
                            first_ts, last_ts, activity_ts, first_seq, last_seq)
  SELECT stream_id, room_id, merchant_id, anchor_id, started_at, ended_at,
         first_ts, coalesce(clock_ts, first_ts), activity_ts, first_seq, last_seq
    FROM input
  ON CONFLICT (stream_id) DO UPDATE SET
    -- The first stream.started names the owner for good (ingest rejects one naming another merchant).
    merchant_id = COALESCE(s.merchant_id, EXCLUDED.merchant_id),
    anchor_id   = COALESCE(EXCLUDED.anchor_id, s.anchor_id),
    started_at  = LEAST(s.started_at, EXCLUDED.started_at),
    ended_at    = GREATEST(s.ended_at, EXCLUDED.ended_at),
    first_ts    = LEAST(s.first_ts, EXCLUDED.first_ts),
    last_ts     = GREATEST(s.last_ts, (SELECT i.clock_ts FROM input i WHERE i.stream_id = EXCLUDED.stream_id)),
    activity_ts = GREATEST(s.activity_ts, EXCLUDED.activity_ts),
    first_seq   = LEAST(s.first_seq, EXCLUDED.first_seq),
    last_seq    = GREATEST(s.last_seq, EXCLUDED.last_seq),
    updated_at  = now()`;

/**
 * The `streams` table, one row per stream: who owns it (merchant scoping of
 * the sales audit and the console), when it ran, and where its events start
 * in the log (restart replay). The streams directory writes it; every other
 * module reads it through here.
 */
@Injectable()
export class StreamRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Folds spans into their streams' rows, one statement; at most one span per stream. */
  async record(spans: readonly StreamSpan[]): Promise<void> {
    if (spans.length === 0) return;
    await this.pool.query(UPSERT_STREAMS, [
      spans.map((s) => s.streamId),
      spans.map((s) => s.roomId),
      spans.map((s) => s.merchantId),
      spans.map((s) => s.anchorId),
      spans.map((s) => s.startedAt),
      spans.map((s) => s.endedAt),
      spans.map((s) => s.firstTs),
      spans.map((s) => s.lastTs),
      spans.map((s) => s.activityTs),
      spans.map((s) => s.firstSeq),
      spans.map((s) => s.lastSeq),
    ]);
  }

  async find(streamId: string): Promise<StoredStream | null> {
    const { rows } = await this.pool.query<StoredStreamRow>(`SELECT ${STORED_STREAM_COLUMNS} FROM streams WHERE stream_id = $1`, [streamId]);
    return rows[0] ? toStoredStream(rows[0]) : null;
  }

  /** Newest first (by start, or first event when the start is unknown), at most `limit`. */
  async list(filter: { merchantId?: string; roomId?: string; limit: number }): Promise<StoredStream[]> {
    const { rows } = await this.pool.query<StoredStreamRow>(
      `SELECT ${STORED_STREAM_COLUMNS} FROM streams
        WHERE ($1::text IS NULL OR merchant_id = $1) AND ($2::text IS NULL OR room_id = $2)
        ORDER BY coalesce(started_at, first_ts) DESC, stream_id
        LIMIT $3`,
      [filter.merchantId ?? null, filter.roomId ?? null, filter.limit],
    );
    return rows.map(toStoredStream);
  }

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
   * `horizonMs` (event time) of the newest activity, or within
   * `unendedHorizonMs` for a stream that has not ended (the engine holds
   * those longer); null for an empty directory.
   */
  async firstSeqActiveWithin(horizonMs: number, unendedHorizonMs: number = horizonMs): Promise<number | null> {
    const result = await this.pool.query<{ first: string | null }>(
      `SELECT min(first_seq) AS first FROM streams
        WHERE activity_ts >= (SELECT max(activity_ts) FROM streams) - (CASE WHEN ended_at IS NULL THEN $2::bigint ELSE $1::bigint END)`,
      [horizonMs, unendedHorizonMs],
    );
    const first = result.rows[0]?.first;
    return first === null || first === undefined ? null : Number(first);
  }
}

/** bigint columns: event times in ms, exact as JS numbers. */
function numberOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}
