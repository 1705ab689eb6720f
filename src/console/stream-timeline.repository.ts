import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';

/** The bucket grid of a timeline: bucket i covers [origin + i·bucketMs, origin + (i+1)·bucketMs). */
export interface BucketGrid {
  origin: number;
  bucketMs: number;
  /** Buckets in the window; an event before the window counts in bucket -1, one past it in the last bucket. */
  buckets: number;
}

/** What one bucket of a stream's log holds; money in minor units. */
export interface ActivityBucket {
  bucket: number;
  /** Highest viewer.count.displayed; null when none was sent. */
  displayed: number | null;
  joins: number;
  leaves: number;
  comments: number;
  orders: number;
  refunds: number;
  paidAmount: number;
  refundedAmount: number;
}

/** The stream's log after a point: late payments and refunds. */
export interface LogTail {
  events: number;
  orders: number;
  refunds: number;
  paidAmount: number;
  refundedAmount: number;
  /** Null when there is no event after the point. */
  lastTs: number | null;
}

/** An account's first event in a stream (its first join when it joined) and its activity counts. */
export interface AccountFirstSeen {
  accountId: string;
  ts: number;
  type: string;
  payload: Record<string, unknown>;
  comments: number;
  likes: number;
  orders: number;
}

/**
 * The console's read models over the event log (`events`, by its
 * (stream_id, ts) index): per-bucket figures of one stream and the accounts
 * in it. Reads only, each bounded by the stream and the bucket grid.
 */
@Injectable()
export class StreamTimelineRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Event times of the stream's first and last events in the log; null for each when it has none. */
  async span(streamId: string): Promise<{ firstTs: number | null; lastTs: number | null }> {
    const { rows } = await this.pool.query<{ min: string | null; max: string | null }>(
      `SELECT min(ts)::text AS min, max(ts)::text AS max FROM events WHERE stream_id = $1`,
      [streamId],
    );
    const row = rows[0];
    return { firstTs: row?.min == null ? null : Number(row.min), lastTs: row?.max == null ? null : Number(row.max) };
  }

  /** Activity per bucket of the events in [from, to]; buckets without events are absent. */
  async activity(streamId: string, grid: BucketGrid, window: { from: number; to: number }): Promise<ActivityBucket[]> {
    const { rows } = await this.pool.query<{
      bucket: number;
      displayed: string | null;
      joins: number;
      leaves: number;
      comments: number;
      orders: number;
      refunds: number;
      paid_amount: string;
      refunded_amount: string;
    }>(
      `SELECT LEAST(GREATEST((ts - $2) / $3, -1), $6)::int AS bucket,
              max((payload->>'displayed')::bigint) FILTER (WHERE type = 'viewer.count')::text AS displayed,
              count(*) FILTER (WHERE type = 'viewer.joined')::int AS joins,
              count(*) FILTER (WHERE type = 'viewer.left')::int AS leaves,
              count(*) FILTER (WHERE type = 'comment')::int AS comments,
              count(*) FILTER (WHERE type = 'order.placed')::int AS orders,
              count(*) FILTER (WHERE type = 'order.refunded')::int AS refunds,
              coalesce(sum((payload->>'amount')::bigint) FILTER (WHERE type = 'order.paid'), 0)::text AS paid_amount,
              coalesce(sum((payload->>'amount')::bigint) FILTER (WHERE type = 'order.refunded'), 0)::text AS refunded_amount
         FROM events
        WHERE stream_id = $1 AND ts >= $4 AND ts <= $5
        GROUP BY 1`,
      [streamId, grid.origin, grid.bucketMs, window.from, window.to, grid.buckets],
    );
    return rows.map((row) => ({
      bucket: row.bucket,
      displayed: row.displayed === null ? null : Number(row.displayed),
      joins: row.joins,
      leaves: row.leaves,
      comments: row.comments,
      orders: row.orders,
      refunds: row.refunds,
      paidAmount: Number(row.paid_amount),
      refundedAmount: Number(row.refunded_amount),
    }));
  }

  /**
   * Presence changes per bucket up to `to`, from the stream's start so a
   * window opening mid-stream starts from the right count: a join counts
   * when the account was not present, a leave when it was.
   */
  async presenceChanges(streamId: string, grid: BucketGrid, to: number): Promise<Array<{ bucket: number; delta: number }>> {
    const { rows } = await this.pool.query<{ bucket: number; delta: number }>(
      `SELECT bucket, sum(delta)::int AS delta FROM (
         SELECT LEAST(GREATEST((ts - $2) / $3, -1), $5)::int AS bucket,
                CASE WHEN type = 'viewer.joined' AND coalesce(lag(type) OVER w, 'viewer.left') = 'viewer.left' THEN 1
                     WHEN type = 'viewer.left' AND lag(type) OVER w = 'viewer.joined' THEN -1
                     ELSE 0 END AS delta
           FROM events
          WHERE stream_id = $1 AND ts <= $4 AND account_id IS NOT NULL AND type IN ('viewer.joined', 'viewer.left')
         WINDOW w AS (PARTITION BY account_id ORDER BY ts, seq)
       ) changes GROUP BY bucket`,
      [streamId, grid.origin, grid.bucketMs, to, grid.buckets],
    );
    return rows;
  }

  /** What the stream's log holds after `after` (event time). */
  async tailAfter(streamId: string, after: number): Promise<LogTail> {
    const { rows } = await this.pool.query<{
      events: number;
      orders: number;
      refunds: number;
      paid_amount: string;
      refunded_amount: string;
      last_ts: string | null;
    }>(
      `SELECT count(*)::int AS events,
              count(*) FILTER (WHERE type = 'order.placed')::int AS orders,
              count(*) FILTER (WHERE type = 'order.refunded')::int AS refunds,
              coalesce(sum((payload->>'amount')::bigint) FILTER (WHERE type = 'order.paid'), 0)::text AS paid_amount,
              coalesce(sum((payload->>'amount')::bigint) FILTER (WHERE type = 'order.refunded'), 0)::text AS refunded_amount,
              max(ts)::text AS last_ts
         FROM events WHERE stream_id = $1 AND ts > $2`,
      [streamId, after],
    );
    const row = rows[0]!;
    return {
      events: row.events,
      orders: row.orders,
      refunds: row.refunds,
      paidAmount: Number(row.paid_amount),
      refundedAmount: Number(row.refunded_amount),
      lastTs: row.last_ts === null ? null : Number(row.last_ts),
    };
  }

  /** The currency of one of the stream's orders; null before any order. */
  async currency(streamId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ currency: string | null }>(
      `SELECT payload->>'currency' AS currency FROM events WHERE stream_id = $1 AND type = 'order.placed' LIMIT 1`,
      [streamId],
    );
    return rows[0]?.currency ?? null;
  }

  /** The first appearance and activity counts of each of these accounts that has an event in the stream. */
  async accountsFirstSeen(streamId: string, accountIds: readonly string[]): Promise<AccountFirstSeen[]> {
    const { rows } = await this.pool.query<{
      account_id: string;
      ts: string;
      type: string;
      payload: Record<string, unknown>;
      comments: number;
      likes: number;
      orders: number;
    }>(
      `WITH mine AS (
         SELECT account_id, type, ts, seq, payload FROM events WHERE stream_id = $1 AND account_id = ANY($2::text[])
       ), firsts AS (
         SELECT DISTINCT ON (account_id) account_id, ts::text AS ts, type, payload
           FROM mine ORDER BY account_id, (type = 'viewer.joined') DESC, ts, seq
       ), counts AS (
         SELECT account_id,
                count(*) FILTER (WHERE type = 'comment')::int AS comments,
                count(*) FILTER (WHERE type = 'like')::int AS likes,
                count(*) FILTER (WHERE type = 'order.placed')::int AS orders
           FROM mine GROUP BY account_id
       )
       SELECT f.*, c.comments, c.likes, c.orders FROM firsts f JOIN counts c USING (account_id)`,
      [streamId, accountIds],
    );
    return rows.map((row) => ({
      accountId: row.account_id,
      ts: Number(row.ts),
      type: row.type,
      payload: row.payload,
      comments: row.comments,
      likes: row.likes,
      orders: row.orders,
    }));
  }
}
