import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { subnetOf } from '../detection/shared/network.js';
import type { OrderPaid, OrderPlaced, OrderRefunded, SalesClaimed } from '../events/event.schema.js';
import type { CommittedEvent } from '../ingest/event-log.writer.js';

/**
 * What a batch changed in the ledger: the streams whose orders or claim
 * moved, and stream boundaries seen in the batch itself (the streams
 * directory may write them after us in the same batch).
 */
export interface LedgerChange {
  touchedStreams: Set<string>;
  /** Streams that got a refund or a claim in the batch: what can reveal that a stream without stream.ended is over. */
  trailingStreams: Set<string>;
  startedAt: Map<string, number>;
  endedAt: Map<string, number>;
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
    const change: LedgerChange = { touchedStreams: new Set(), trailingStreams: new Set(), startedAt: new Map(), endedAt: new Map() };
    // One row per order per statement: ON CONFLICT may not touch a row twice.
    const placed = new Map<string, OrderPlaced>();
    const paid = new Map<string, OrderPaid>();
    const refunds = new Map<string, OrderRefunded>();
    const claims = new Map<string, SalesClaimed>();
    for (const { event } of batch) {
      switch (event.type) {
        case 'order.placed': {
          const current = placed.get(event.orderId);
          if (!current || before(event, current)) placed.set(event.orderId, event);
          change.touchedStreams.add(event.streamId);
          break;
        }
        case 'order.paid': {
          const current = paid.get(event.orderId);
          if (!current || before(current, event)) paid.set(event.orderId, event);
          change.touchedStreams.add(event.streamId);
          break;
        }
        case 'order.refunded':
          refunds.set(event.id, event);
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
        case 'stream.started':
          change.startedAt.set(event.streamId, Math.min(change.startedAt.get(event.streamId) ?? event.ts, event.ts));
          change.touchedStreams.add(event.streamId);
          break;
        case 'stream.ended':
          change.endedAt.set(event.streamId, Math.max(change.endedAt.get(event.streamId) ?? event.ts, event.ts));
          change.touchedStreams.add(event.streamId);
          break;
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

  private async upsertPlaced(events: OrderPlaced[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO orders AS o (order_id, stream_id, room_id, account_id, device_id, ip, subnet, sku_id, quantity,
                                unit_price, list_price, currency, phone_hash, address_hash, placed_at, placed_event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::int[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[],
                            $15::bigint[], $16::text[])
       ON CONFLICT (order_id) DO UPDATE SET
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
      ],
    );
  }

  private async upsertPaid(events: OrderPaid[]): Promise<void> {
    // A payment before its order: the row starts with the payment's stream,
    // room and account; order.placed overwrites them when it arrives.
    await this.pool.query(
      `INSERT INTO orders AS o (order_id, stream_id, room_id, account_id, paid_amount, paid_at, paid_event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])
       ON CONFLICT (order_id) DO UPDATE SET
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
      ],
    );
  }

  private async insertRefunds(events: OrderRefunded[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO order_refunds (event_id, order_id, stream_id, amount, refunded_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.orderId),
        events.map((e) => e.streamId),
        events.map((e) => String(e.amount)),
        events.map((e) => e.ts),
      ],
    );
    // One stub row per order (refunds of one order in one batch share it).
    const stubs = new Map<string, OrderRefunded>();
    for (const event of events) if (!stubs.has(event.orderId)) stubs.set(event.orderId, event);
    const orders = [...stubs.values()];
    await this.pool.query(
      `INSERT INTO orders (order_id, stream_id, room_id, account_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (order_id) DO NOTHING`,
      [orders.map((e) => e.orderId), orders.map((e) => e.streamId), orders.map((e) => e.roomId), orders.map((e) => e.accountId)],
    );
    // Recomputed from the refund rows, so replaying a refund cannot count it twice.
    await this.pool.query(
      `UPDATE orders o SET refunded_amount = r.amount, refund_count = r.refunds, refunded_at = r.first_at,
                           last_refunded_at = r.last_at, updated_at = now()
       FROM (SELECT order_id, sum(amount)::bigint AS amount, count(*)::int AS refunds,
                    min(refunded_at) AS first_at, max(refunded_at) AS last_at
             FROM order_refunds WHERE order_id = ANY($1::text[]) GROUP BY order_id) r
       WHERE o.order_id = r.order_id
         AND (o.refunded_amount, o.refund_count, o.refunded_at, o.last_refunded_at)
             IS DISTINCT FROM (r.amount, r.refunds, r.first_at, r.last_at)`,
      [orders.map((e) => e.orderId)],
    );
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

/** Deterministic event order: event time, then id (ids are unique; SQL compares them COLLATE "C" to agree). */
function before(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}
