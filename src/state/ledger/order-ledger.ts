import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import { subnetOf } from '../../detection/shared/network.js';
import type { OrderPaid, OrderPlaced, OrderRefunded, SalesClaimed } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';

/**
 * What a batch changed in the ledger: the streams whose orders or claim
 * moved. Stream boundaries are the streams stage's (BatchStream), derived
 * once per batch.
 */
export interface LedgerChange {
  touchedStreams: Set<string>;
  /** Streams that got a refund or a claim in the batch: what can reveal that a stream without stream.ended is over. */
  trailingStreams: Set<string>;
}

/**
 * The order ledger: folds order.* and sales.claimed events into `orders`,
 * `order_refunds` and `sales_claims`. Every write is a set, never an
 * increment, and is order-free, so a batch handed twice (after a crash) or
 * events arriving in any order across connections give the same rows:
 *
 * - order.placed fills the order's own columns; the earliest placed event
 *   (by ts, then event id) wins if a platform ever sends two.
 * - order.paid is the order's payment state: the latest payment event (by
 *   ts, then event id) wins. A payment is not a movement that adds up; a
 *   second order.paid for one order is a re-notification or a correction.
 * - order.refunded is a movement: each refund event is its own row keyed by
 *   event id, and an order's refunded amount is the sum of its refund rows
 *   (a partial refund returns part of the order; several refunds add up).
 * - sales.claimed: the latest claim per stream (by ts, then event id).
 *
 * A payment or refund that arrives before its order.placed creates the
 * order's row with only that side filled; order.placed later fills the rest.
 */
@Injectable()
export class OrderLedger {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async apply(batch: readonly CommittedEvent[]): Promise<LedgerChange> {
    const change: LedgerChange = { touchedStreams: new Set(), trailingStreams: new Set() };
    const owners = await this.owners(batch);
    if (owners.size > 0) await this.adoptOwnerless(owners);
    const keyOf = (event: { streamId: string; orderId: string }): OrderKey => {
      const merchant = owners.get(event.streamId);
      return merchant === undefined
        ? { merchantId: '', ownerlessStream: event.streamId, orderId: event.orderId }
        : { merchantId: merchant, ownerlessStream: '', orderId: event.orderId };
    };
    // One row per order per statement: ON CONFLICT may not touch a row twice.
    const placed = new Map<string, Keyed<OrderPlaced>>();
    const paid = new Map<string, Keyed<OrderPaid>>();
    const refunds = new Map<string, Keyed<OrderRefunded>>();
    const claims = new Map<string, SalesClaimed>();
    for (const { event } of batch) {
      switch (event.type) {
        case 'order.placed': {
          const key = keyOf(event);
          const current = placed.get(keyText(key));
          if (!current || before(event, current.event)) placed.set(keyText(key), { key, event });
          change.touchedStreams.add(event.streamId);
          break;
        }
        case 'order.paid': {
          const key = keyOf(event);
          const current = paid.get(keyText(key));
          if (!current || before(current.event, event)) paid.set(keyText(key), { key, event });
          change.touchedStreams.add(event.streamId);
          break;
        }
        case 'order.refunded':
          refunds.set(event.id, { key: keyOf(event), event });
          change.touchedStreams.add(event.streamId);
          change.trailingStreams.add(event.streamId);
          break;
        case 'sales.claimed': {
          const current = claims.get(event.streamId);
          if (!current || before(current, event)) claims.set(event.streamId, event);
          change.touchedStreams.add(event.streamId);
          change.trailingStreams.add(event.streamId);
          break;
        }
        default:
          break;
      }
    }
    if (placed.size > 0) await this.upsertPlaced([...placed.values()]);
    if (paid.size > 0) await this.upsertPaid([...paid.values()]);
    if (refunds.size > 0) await this.insertRefunds([...refunds.values()]);
    if (claims.size > 0) await this.upsertClaims([...claims.values()]);
    return change;
  }

  /**
   * The owner of every stream the batch names, from `stream_owners` (ingest
   * claims it before the stream.started is committed). A stream.started
   * without a claim (a log written before the claims existed) claims here,
   * first committed wins as at ingest.
   */
  private async owners(batch: readonly CommittedEvent[]): Promise<Map<string, string>> {
    const streams = new Set<string>();
    const starts = new Map<string, { merchantId: string; id: string }>();
    for (const { event } of batch) {
      if (event.type.startsWith('order.') || event.type === 'stream.started') streams.add(event.streamId);
      if (event.type === 'stream.started' && !starts.has(event.streamId)) starts.set(event.streamId, { merchantId: event.merchantId, id: event.id });
    }
    if (streams.size === 0) return new Map();
    const read = async () => {
      const result = await this.pool.query<{ stream_id: string; merchant_id: string }>(
        'SELECT stream_id, merchant_id FROM stream_owners WHERE stream_id = ANY($1::text[])',
        [[...streams]],
      );
      return new Map(result.rows.map((row) => [row.stream_id, row.merchant_id]));
    };
    const owners = await read();
    const unclaimed = [...starts].filter(([streamId]) => !owners.has(streamId));
    if (unclaimed.length === 0) return owners;
    await this.pool.query(
      `INSERT INTO stream_owners (stream_id, merchant_id, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (stream_id) DO NOTHING`,
      [unclaimed.map(([streamId]) => streamId), unclaimed.map(([, start]) => start.merchantId), unclaimed.map(([, start]) => start.id)],
    );
    return read();
  }

  /**
   * Moves the orders of streams whose owner is now known from their waiting
   * key ('', stream) under the merchant. Where the merchant already has the
   * order (its other events came through another of its streams), the two
   * rows fold by the ledger's rules: earliest placed, latest paid, refunds
   * summed from their rows. One transaction, so a crash leaves either key.
   */
  private async adoptOwnerless(owners: Map<string, string>): Promise<void> {
    const streams = [...owners.keys()];
    const waiting = await this.pool.query('SELECT 1 FROM orders WHERE ownerless_stream = ANY($1::text[]) LIMIT 1', [streams]);
    if (waiting.rowCount === 0) return;
    const params = [streams, streams.map((stream) => owners.get(stream)!)];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE order_refunds r SET merchant_id = m.merchant_id, ownerless_stream = ''
           FROM unnest($1::text[], $2::text[]) AS m(stream_id, merchant_id) WHERE r.ownerless_stream = m.stream_id`,
        params,
      );
      const pairs = `FROM orders w JOIN unnest($1::text[], $2::text[]) AS m(stream_id, merchant_id) ON w.ownerless_stream = m.stream_id
                    WHERE t.merchant_id = m.merchant_id AND t.ownerless_stream = '' AND t.order_id = w.order_id`;
      await client.query(
        `UPDATE orders t SET stream_id = w.stream_id, room_id = w.room_id, account_id = w.account_id, device_id = w.device_id,
                             ip = w.ip, subnet = w.subnet, sku_id = w.sku_id, quantity = w.quantity, unit_price = w.unit_price,
                             list_price = w.list_price, currency = w.currency, phone_hash = w.phone_hash,
                             address_hash = w.address_hash, placed_at = w.placed_at, placed_event_id = w.placed_event_id,
                             updated_at = now()
         ${pairs} AND w.placed_event_id IS NOT NULL
           AND (t.placed_event_id IS NULL
                OR (w.placed_at, w.placed_event_id COLLATE "C") < (t.placed_at, t.placed_event_id COLLATE "C"))`,
        params,
      );
      await client.query(
        `UPDATE orders t SET paid_amount = w.paid_amount, paid_at = w.paid_at, paid_event_id = w.paid_event_id, updated_at = now()
         ${pairs} AND w.paid_event_id IS NOT NULL
           AND (t.paid_event_id IS NULL OR (w.paid_at, w.paid_event_id COLLATE "C") > (t.paid_at, t.paid_event_id COLLATE "C"))`,
        params,
      );
      const folded = await client.query<{ order_id: string; merchant_id: string }>(
        `DELETE FROM orders w USING unnest($1::text[], $2::text[]) AS m(stream_id, merchant_id), orders t
          WHERE w.ownerless_stream = m.stream_id
            AND t.merchant_id = m.merchant_id AND t.ownerless_stream = '' AND t.order_id = w.order_id
          RETURNING w.order_id, m.merchant_id`,
        params,
      );
      await client.query(
        `UPDATE orders w SET merchant_id = m.merchant_id, ownerless_stream = '', updated_at = now()
           FROM unnest($1::text[], $2::text[]) AS m(stream_id, merchant_id) WHERE w.ownerless_stream = m.stream_id`,
        params,
      );
      if (folded.rows.length > 0) {
        await client.query(RECOMPUTE_REFUNDS, [
          folded.rows.map((row) => row.merchant_id),
          folded.rows.map(() => ''),
          folded.rows.map((row) => row.order_id),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async upsertPlaced(placed: Keyed<OrderPlaced>[]): Promise<void> {
    const events = placed.map((p) => p.event);
    await this.pool.query(
      `INSERT INTO orders AS o (order_id, stream_id, room_id, account_id, device_id, ip, subnet, sku_id, quantity,
                                unit_price, list_price, currency, phone_hash, address_hash, placed_at, placed_event_id,
                                merchant_id, ownerless_stream)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::int[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[],
                            $15::bigint[], $16::text[], $17::text[], $18::text[])
       ON CONFLICT (merchant_id, ownerless_stream, order_id) DO UPDATE SET
         stream_id = EXCLUDED.stream_id, room_id = EXCLUDED.room_id, account_id = EXCLUDED.account_id,
         device_id = EXCLUDED.device_id, ip = EXCLUDED.ip, subnet = EXCLUDED.subnet, sku_id = EXCLUDED.sku_id,
         quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price, list_price = EXCLUDED.list_price,
         currency = EXCLUDED.currency, phone_hash = EXCLUDED.phone_hash, address_hash = EXCLUDED.address_hash,
         placed_at = EXCLUDED.placed_at, placed_event_id = EXCLUDED.placed_event_id, updated_at = now()
       WHERE o.placed_event_id IS NULL
          OR (EXCLUDED.placed_at, EXCLUDED.placed_event_id COLLATE "C") < (o.placed_at, o.placed_event_id COLLATE "C")`,
      [
        events.map((e) => e.orderId),
        events.map((e) => e.streamId),
        events.map((e) => e.roomId),
        events.map((e) => e.accountId),
        events.map((e) => e.deviceId ?? null),
        events.map((e) => e.ip ?? null),
        events.map((e) => subnetOf(e.ip) ?? null),
        events.map((e) => e.skuId),
        events.map((e) => e.quantity),
        events.map((e) => String(e.unitPrice)),
        events.map((e) => String(e.listPrice)),
        events.map((e) => e.currency),
        events.map((e) => e.phoneHash ?? null),
        events.map((e) => e.addressHash ?? null),
        events.map((e) => e.ts),
        events.map((e) => e.id),
        placed.map((p) => p.key.merchantId),
        placed.map((p) => p.key.ownerlessStream),
      ],
    );
  }

  private async upsertPaid(paid: Keyed<OrderPaid>[]): Promise<void> {
    const events = paid.map((p) => p.event);
    // A payment before its order: the row starts with the payment's stream,
    // room and account; order.placed overwrites them when it arrives.
    await this.pool.query(
      `INSERT INTO orders AS o (order_id, stream_id, room_id, account_id, paid_amount, paid_at, paid_event_id,
                                merchant_id, ownerless_stream)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
                            $8::text[], $9::text[])
       ON CONFLICT (merchant_id, ownerless_stream, order_id) DO UPDATE SET
         paid_amount = EXCLUDED.paid_amount, paid_at = EXCLUDED.paid_at, paid_event_id = EXCLUDED.paid_event_id,
         updated_at = now()
       WHERE o.paid_event_id IS NULL
          OR (EXCLUDED.paid_at, EXCLUDED.paid_event_id COLLATE "C") > (o.paid_at, o.paid_event_id COLLATE "C")`,
      [
        events.map((e) => e.orderId),
        events.map((e) => e.streamId),
        events.map((e) => e.roomId),
        events.map((e) => e.accountId),
        events.map((e) => String(e.amount)),
        events.map((e) => e.ts),
        events.map((e) => e.id),
        paid.map((p) => p.key.merchantId),
        paid.map((p) => p.key.ownerlessStream),
      ],
    );
  }

  private async insertRefunds(refunds: Keyed<OrderRefunded>[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO order_refunds (event_id, order_id, stream_id, amount, refunded_at, merchant_id, ownerless_stream)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        refunds.map((r) => r.event.id),
        refunds.map((r) => r.event.orderId),
        refunds.map((r) => r.event.streamId),
        refunds.map((r) => String(r.event.amount)),
        refunds.map((r) => r.event.ts),
        refunds.map((r) => r.key.merchantId),
        refunds.map((r) => r.key.ownerlessStream),
      ],
    );
    // One stub row per order (refunds of one order in one batch share it).
    const stubs = new Map<string, Keyed<OrderRefunded>>();
    for (const refund of refunds) if (!stubs.has(keyText(refund.key))) stubs.set(keyText(refund.key), refund);
    const orders = [...stubs.values()];
    await this.pool.query(
      `INSERT INTO orders (order_id, stream_id, room_id, account_id, merchant_id, ownerless_stream)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (merchant_id, ownerless_stream, order_id) DO NOTHING`,
      [
        orders.map((r) => r.event.orderId),
        orders.map((r) => r.event.streamId),
        orders.map((r) => r.event.roomId),
        orders.map((r) => r.event.accountId),
        orders.map((r) => r.key.merchantId),
        orders.map((r) => r.key.ownerlessStream),
      ],
    );
    await this.pool.query(RECOMPUTE_REFUNDS, [
      orders.map((r) => r.key.merchantId),
      orders.map((r) => r.key.ownerlessStream),
      orders.map((r) => r.key.orderId),
    ]);
  }

  private async upsertClaims(events: SalesClaimed[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO sales_claims AS c (stream_id, room_id, gmv, orders, claimed_at, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[])
       ON CONFLICT (stream_id) DO UPDATE SET
         room_id = EXCLUDED.room_id, gmv = EXCLUDED.gmv, orders = EXCLUDED.orders,
         claimed_at = EXCLUDED.claimed_at, event_id = EXCLUDED.event_id, updated_at = now()
       WHERE (EXCLUDED.claimed_at, EXCLUDED.event_id COLLATE "C") > (c.claimed_at, c.event_id COLLATE "C")`,
      [
        events.map((e) => e.streamId),
        events.map((e) => e.roomId),
        events.map((e) => String(e.gmv)),
        events.map((e) => String(e.orders)),
        events.map((e) => e.ts),
        events.map((e) => e.id),
      ],
    );
  }
}

/** An order's identity in the ledger: its stream's merchant and its id, or ('', stream) while the owner is unknown. */
interface OrderKey {
  merchantId: string;
  ownerlessStream: string;
  orderId: string;
}

interface Keyed<E> {
  key: OrderKey;
  event: E;
}

/** Map key of an OrderKey; ids never hold NUL (validation refuses it). */
function keyText(key: OrderKey): string {
  return `${key.merchantId}\u0000${key.ownerlessStream}\u0000${key.orderId}`;
}

/** An order's refund totals recomputed from its refund rows, so replaying a refund cannot count it twice. */
const RECOMPUTE_REFUNDS = `
  UPDATE orders o SET refunded_amount = r.amount, refund_count = r.refunds, refunded_at = r.first_at,
                      last_refunded_at = r.last_at, updated_at = now()
  FROM (SELECT merchant_id, ownerless_stream, order_id, sum(amount)::bigint AS amount, count(*)::int AS refunds,
               min(refunded_at) AS first_at, max(refunded_at) AS last_at
          FROM order_refunds
         WHERE (merchant_id, ownerless_stream, order_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
         GROUP BY merchant_id, ownerless_stream, order_id) r
  WHERE (o.merchant_id, o.ownerless_stream, o.order_id) = (r.merchant_id, r.ownerless_stream, r.order_id)
    AND (o.refunded_amount, o.refund_count, o.refunded_at, o.last_refunded_at)
        IS DISTINCT FROM (r.amount, r.refunds, r.first_at, r.last_at)`;

/** Deterministic event order: event time, then id (ids are unique; SQL compares them COLLATE "C" to agree). */
function before(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}
