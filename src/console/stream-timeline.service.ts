import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type pg from 'pg';
import type { Principal } from '../platform/auth/principal.js';
import { PG_POOL } from '../platform/database/database.module.js';
import { subnetOf } from '../detection/shared/network.js';
import type { StreamAccount, StreamSummary, StreamTimeline, TimelinePoint } from './stream-views.js';
import { TIMELINE_CONFIG } from './timeline.config.js';

interface StreamRow {
  stream_id: string;
  room_id: string;
  merchant_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  first_ts: string;
  last_ts: string;
}

const STREAM_COLUMNS = 'stream_id, room_id, merchant_id, started_at, ended_at, first_ts, last_ts';

function toSummary(row: StreamRow): StreamSummary {
  const ms = (value: string | null) => (value === null ? null : Number(value));
  return {
    streamId: row.stream_id,
    roomId: row.room_id,
    merchantId: row.merchant_id,
    startedAt: ms(row.started_at),
    endedAt: ms(row.ended_at),
    firstTs: Number(row.first_ts),
    lastTs: Number(row.last_ts),
  };
}

/**
 * Read models for the console, straight from the event log and the streams
 * table. Every answer is bounded: timelines by bucket count, lookups by the
 * caps in TIMELINE_CONFIG. Merchant keys see their own streams only (as the
 * sales audit, CONTRACT.md §4): another merchant's stream answers 404.
 */
@Injectable()
export class StreamTimelineService {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async list(principal: Principal, filter: { merchantId?: string; roomId?: string; limit: number }): Promise<StreamSummary[]> {
    const merchantId = principal.role === 'merchant' ? principal.merchantId : filter.merchantId;
    const { rows } = await this.pool.query<StreamRow>(
      `SELECT ${STREAM_COLUMNS} FROM streams
        WHERE ($1::text IS NULL OR merchant_id = $1) AND ($2::text IS NULL OR room_id = $2)
        ORDER BY coalesce(started_at, first_ts) DESC, stream_id
        LIMIT $3`,
      [merchantId ?? null, filter.roomId ?? null, filter.limit],
    );
    return rows.map(toSummary);
  }

  /** The stream if the caller may see it; 404 otherwise, so a merchant learns nothing about others' streams. */
  async visibleStream(principal: Principal, streamId: string): Promise<StreamSummary> {
    const { rows } = await this.pool.query<StreamRow>(`SELECT ${STREAM_COLUMNS} FROM streams WHERE stream_id = $1`, [streamId]);
    const stream = rows[0];
    if (!stream || (principal.role === 'merchant' && stream.merchant_id !== principal.merchantId)) {
      throw new NotFoundException(`stream ${streamId}: not found`);
    }
    return toSummary(stream);
  }

  /**
   * Per-bucket figures for [from, to]; by default the stream's start to a
   * short tail after its end, with anything later summed in `after`. Buckets
   * are whole minutes, wider for long windows, at most `maxPoints`.
   */
  async timeline(principal: Principal, streamId: string, window: { from?: number; to?: number } = {}): Promise<StreamTimeline> {
    const stream = await this.visibleStream(principal, streamId);
    const { minBucketMs, maxPoints, tailAfterEndMs, tailAfterEndShare } = TIMELINE_CONFIG;
    // The log's own bounds: the streams row may trail the latest batch.
    const span = await this.pool.query<{ min: string | null; max: string | null }>(
      `SELECT min(ts)::text AS min, max(ts)::text AS max FROM events WHERE stream_id = $1`,
      [streamId],
    );
    const firstTs = Math.min(Number(span.rows[0]?.min ?? stream.firstTs), stream.startedAt ?? Infinity);
    const lastTs = Math.max(Number(span.rows[0]?.max ?? stream.lastTs), stream.endedAt ?? -Infinity);
    const defaultTo =
      stream.endedAt === null
        ? lastTs
        : Math.min(lastTs, stream.endedAt + Math.round(Math.max(tailAfterEndMs, (stream.endedAt - firstTs) * tailAfterEndShare)));
    const from = Math.max(window.from ?? firstTs, firstTs);
    const to = Math.max(Math.min(window.to ?? defaultTo, lastTs), from);
    const origin = Math.floor(from / minBucketMs) * minBucketMs;
    const minutes = Math.floor((to - origin) / minBucketMs) + 1;
    const bucketMs = minBucketMs * Math.ceil(minutes / maxPoints);
    const buckets = Math.floor((to - origin) / bucketMs) + 1;

    const [activity, presence, after, currency] = await Promise.all([
      this.pool.query<{
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
        [streamId, origin, bucketMs, from, to, buckets],
      ),
      // Presence changes per account, from the stream's start so a window
      // opening mid-stream starts from the right count: a join counts when
      // the account was not present, a leave when it was.
      this.pool.query<{ bucket: number; delta: number }>(
        `SELECT bucket, sum(delta)::int AS delta FROM (
           SELECT LEAST(GREATEST((ts - $2) / $3, -1), $5)::int AS bucket,
                  CASE WHEN type = 'viewer.joined' AND coalesce(lag(type) OVER w, 'viewer.left') = 'viewer.left' THEN 1
                       WHEN type = 'viewer.left' AND lag(type) OVER w = 'viewer.joined' THEN -1
                       ELSE 0 END AS delta
             FROM events
            WHERE stream_id = $1 AND ts <= $4 AND account_id IS NOT NULL AND type IN ('viewer.joined', 'viewer.left')
           WINDOW w AS (PARTITION BY account_id ORDER BY ts, seq)
         ) changes GROUP BY bucket`,
        [streamId, origin, bucketMs, to, buckets],
      ),
      this.pool.query<{ events: number; orders: number; refunds: number; paid_amount: string; refunded_amount: string; last_ts: string | null }>(
        `SELECT count(*)::int AS events,
                count(*) FILTER (WHERE type = 'order.placed')::int AS orders,
                count(*) FILTER (WHERE type = 'order.refunded')::int AS refunds,
                coalesce(sum((payload->>'amount')::bigint) FILTER (WHERE type = 'order.paid'), 0)::text AS paid_amount,
                coalesce(sum((payload->>'amount')::bigint) FILTER (WHERE type = 'order.refunded'), 0)::text AS refunded_amount,
                max(ts)::text AS last_ts
           FROM events WHERE stream_id = $1 AND ts > $2`,
        [streamId, to],
      ),
      this.pool.query<{ currency: string | null }>(
        `SELECT payload->>'currency' AS currency FROM events WHERE stream_id = $1 AND type = 'order.placed' LIMIT 1`,
        [streamId],
      ),
    ]);

    const points: TimelinePoint[] = Array.from({ length: buckets }, (_, index) => ({
      t: origin + index * bucketMs,
      displayed: null,
      present: 0,
      joins: 0,
      leaves: 0,
      comments: 0,
      orders: 0,
      refunds: 0,
      paidAmount: 0,
      refundedAmount: 0,
    }));
    const clamp = (bucket: number) => Math.min(Math.max(bucket, 0), buckets - 1);
    for (const row of activity.rows) {
      const point = points[clamp(row.bucket)];
      if (row.displayed !== null) point.displayed = Math.max(point.displayed ?? 0, Number(row.displayed));
      point.joins += row.joins;
      point.leaves += row.leaves;
      point.comments += row.comments;
      point.orders += row.orders;
      point.refunds += row.refunds;
      point.paidAmount += Number(row.paid_amount);
      point.refundedAmount += Number(row.refunded_amount);
    }
    const deltas = new Array<number>(buckets).fill(0);
    for (const row of presence.rows) deltas[clamp(row.bucket)] += row.delta;
    let present = 0;
    for (let index = 0; index < buckets; index++) {
      present += deltas[index];
      points[index].present = present;
    }
    const tail = after.rows[0];
    return {
      stream,
      from,
      to,
      bucketMs,
      points,
      currency: currency.rows[0]?.currency ?? null,
      after:
        tail && tail.events > 0 && tail.last_ts !== null
          ? {
              events: tail.events,
              orders: tail.orders,
              refunds: tail.refunds,
              paidAmount: Number(tail.paid_amount),
              refundedAmount: Number(tail.refunded_amount),
              lastTs: Number(tail.last_ts),
            }
          : null,
    };
  }

  /**
   * The given accounts as they showed up in the stream: identity from their
   * first join (or first event), activity counts, and how many of the others
   * share each device, IP, subnet and model.
   */
  async accounts(principal: Principal, streamId: string, accountIds: string[]): Promise<StreamAccount[]> {
    await this.visibleStream(principal, streamId);
    const ids = [...new Set(accountIds)].slice(0, TIMELINE_CONFIG.maxAccounts);
    if (ids.length === 0) return [];
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
      [streamId, ids],
    );
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
    const flag = (value: unknown) => (typeof value === 'boolean' ? value : null);
    const accounts = rows.map((row): StreamAccount => {
      const device = (row.payload.device ?? {}) as Record<string, unknown>;
      const ip = text(row.payload.ip);
      return {
        accountId: row.account_id,
        firstSeenAt: Number(row.ts),
        joined: row.type === 'viewer.joined',
        accountCreatedAt: typeof row.payload.accountCreatedAt === 'number' ? row.payload.accountCreatedAt : null,
        deviceId: text(row.payload.deviceId),
        ip,
        subnet: subnetOf(ip ?? undefined) ?? null,
        model: text(device.model),
        os: text(device.os),
        emulator: flag(device.emulator),
        rooted: flag(device.rooted),
        comments: row.comments,
        likes: row.likes,
        orders: row.orders,
        shared: { device: 0, ip: 0, subnet: 0, model: 0 },
      };
    });
    const tally = (key: 'deviceId' | 'ip' | 'subnet' | 'model') => {
      const counts = new Map<string, number>();
      for (const account of accounts) {
        const value = account[key];
        if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
      }
      return (value: string | null) => (value === null ? 0 : (counts.get(value) ?? 1) - 1);
    };
    const [device, ip, subnet, model] = (['deviceId', 'ip', 'subnet', 'model'] as const).map(tally);
    for (const account of accounts) {
      account.shared = { device: device(account.deviceId), ip: ip(account.ip), subnet: subnet(account.subnet), model: model(account.model) };
    }
    return accounts.sort((a, b) => a.firstSeenAt - b.firstSeenAt || (a.accountId < b.accountId ? -1 : 1));
  }

  /** The accounts a report names, for the evidence table; 404 when there is no such report. */
  async reportAccounts(reportId: string): Promise<{ streamId: string; accounts: string[] }> {
    const { rows } = await this.pool.query<{ stream_id: string; accounts: string[] }>(
      `SELECT stream_id, accounts FROM reports WHERE id = $1`,
      [reportId],
    );
    if (!rows[0]) throw new NotFoundException(`report ${reportId}: not found`);
    return { streamId: rows[0].stream_id, accounts: rows[0].accounts };
  }
}
