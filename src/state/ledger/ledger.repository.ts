import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import { moneyFromSql } from './money.js';
import type { OrderFact, RefundFact, SalesClaimFact } from '../../detection/ledger/order-facts.js';
import { subnetOf } from '../../detection/shared/network.js';
import type { OrderPaid, OrderPlaced, OrderRefunded, SalesClaimed } from '../../events/event.schema.js';
import { DEVICE_COLUMN_NAMES, deviceColumnArrays, deviceParams } from '../device-columns.js';

/** An order's identity in the ledger: its stream's merchant and its id, or ('', stream) while the owner is unknown. */
export interface OrderKey {
  merchantId: string;
  ownerlessStream: string;
  orderId: string;
}

/** An order event with the key it is filed under. */
export interface Keyed<E> {
  key: OrderKey;
  event: E;
}

/** Map key of an OrderKey; ids never hold NUL (validation refuses it). */
export function orderKeyText(key: OrderKey): string {
  return `${key.merchantId}\u0000${key.ownerlessStream}\u0000${key.orderId}`;
}

/**
 * A stream's sales-audit sums over its orders (CONTRACT.md §4), exact: sums
 * are PostgreSQL numeric, handed over as decimal text, never a float.
 */
export interface StreamOrderSums {
  /** Placed orders; paid among them; with at least one refund among them. */
  orders: number;
  paidOrders: number;
  refundedOrders: number;
  grossAtListPrice: string;
  grossPaid: string;
  refunded: string;
  /** Paid amount of placed orders from the given suspected accounts. */
  suspected: string;
  /** Orders whose order.placed has not arrived, and their payments and refunds. */
  pendingOrders: number;
  pendingPaid: string;
  pendingRefunded: string;
  /** The most common currency of the stream's orders; null before any order. */
  currency: string | null;
}

/** An order's refund totals recomputed from its refund rows, so replaying a refund cannot count it twice. */
const RECOMPUTE_REFUNDS = `
  UPDATE orders o SET refunded_amount = r.amount, refund_count = r.refunds, refunded_at = r.first_at,
                      last_refunded_at = r.last_at, refunded_unreturned_amount = r.unreturned, updated_at = now()
  FROM (SELECT merchant_id, ownerless_stream, order_id, sum(amount)::bigint AS amount, count(*)::int AS refunds,
               min(refunded_at) AS first_at, max(refunded_at) AS last_at,
               -- Refunds the platform says came without the goods; unknown (NULL) is not counted as unreturned.
               coalesce(sum(amount) FILTER (WHERE returned = false), 0)::bigint AS unreturned
          FROM order_refunds
         WHERE (merchant_id, ownerless_stream, order_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
         GROUP BY merchant_id, ownerless_stream, order_id) r
  WHERE (o.merchant_id, o.ownerless_stream, o.order_id) = (r.merchant_id, r.ownerless_stream, r.order_id)
    AND (o.refunded_amount, o.refund_count, o.refunded_at, o.last_refunded_at, o.refunded_unreturned_amount)
        IS DISTINCT FROM (r.amount, r.refunds, r.first_at, r.last_at, r.unreturned)`;

/** The v2 columns order.placed fills (CONTRACT.md v2 §1), in the order upsertPlaced passes them. */
const PLACED_V2_COLUMNS = ['coupon_id', 'discount', 'recipient_hash', 'payment_account_hash', 'virtual', 'category', ...DEVICE_COLUMN_NAMES];

/**
 * The order ledger's tables (`orders`, `order_refunds`, `sales_claims`). The
 * writes are the ledger's rules (order-ledger.ts) as statements: every write
 * is a set, never an increment, and order-free, so a batch applied twice or
 * events in any order give the same rows. Each write takes at most one row
 * per key: ON CONFLICT may not touch a row twice in one statement.
 */
/** An order's ledger key (merchant, waiting stream, order id) as one unambiguous text: a JSON array. */
const ORDER_KEY_SQL = (table: string) => `json_build_array(${table}.merchant_id, ${table}.ownerless_stream, ${table}.order_id)::text`;

/** The orders of one stream, oldest order id first. */
export interface StreamOrders {
  roomId: string;
  orders: OrderFact[];
}

/** A refunded order of an account, with its stream's boundaries as the streams directory has them. */
export interface RefundedOrderRecord {
  /** The order's ledger key as one text (orderKeyText form): what tells two reads of one order apart from two orders. */
  orderKey: string;
  accountId: string;
  deviceId: string | null;
  phoneHash: string | null;
  addressHash: string | null;
  streamId: string;
  roomId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** The stream's last live activity: where an unannounced end is inferred from. */
  activityTs: number | null;
  placedAt: number | null;
  paidAt: number | null;
  paidAmount: number;
  refundedAmount: number;
  firstRefundAt: number | null;
}

interface OrderRow {
  order_key: string;
  order_id: string;
  stream_id: string;
  room_id: string;
  account_id: string;
  device_id: string | null;
  ip: string | null;
  subnet: string | null;
  phone_hash: string | null;
  address_hash: string | null;
  sku_id: string | null;
  quantity: number | null;
  currency: string | null;
  virtual?: boolean | null;
  category?: string | null;
  unit_price: string | null;
  list_price: string | null;
  placed_at: string | null;
  paid_at: string | null;
  paid_amount: string | null;
}

/** Devices, phone hashes and shipping-address hashes to look orders up by. */
export interface IdentifierSets {
  device: readonly string[];
  phone: readonly string[];
  address: readonly string[];
}

interface RefundedOrderRow {
  order_key: string;
  account_id: string;
  device_id: string | null;
  phone_hash: string | null;
  address_hash: string | null;
  stream_id: string;
  room_id: string;
  merchant_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  placed_at: string | null;
  paid_at: string | null;
  paid_amount: string | null;
  refunded_amount: string;
  refunded_at: string | null;
  activity_ts: string | null;
}

/** Reads of the order ledger (`orders`, `order_refunds`, `sales_claims`) as the ledger detectors judge it. */

@Injectable()
export class LedgerRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Moves the orders of streams whose owner is now known from their waiting
   * key ('', stream) under the merchant. Where the merchant already has the
   * order (its other events came through another of its streams), the two
   * rows fold by the ledger's rules: earliest placed, latest paid, refunds
   * summed from their rows. One transaction, so a crash leaves either key.
   */
  async adoptOwnerless(owners: ReadonlyMap<string, string>): Promise<void> {
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
                             ${PLACED_V2_COLUMNS.map((column) => `${column} = w.${column}`).join(', ')},
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

  /** order.placed: the earliest placed event (ts, then event id) fills the order's own columns. */
  async upsertPlaced(placed: readonly Keyed<OrderPlaced>[]): Promise<void> {
    if (placed.length === 0) return;
    const events = placed.map((p) => p.event);
    await this.pool.query(
      `INSERT INTO orders AS o (order_id, stream_id, room_id, account_id, device_id, ip, subnet, sku_id, quantity,
                                unit_price, list_price, currency, phone_hash, address_hash, placed_at, placed_event_id,
                                merchant_id, ownerless_stream, ${PLACED_V2_COLUMNS.join(', ')})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::int[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[],
                            $15::bigint[], $16::text[], $17::text[], $18::text[],
                            $19::text[], $20::bigint[], $21::text[], $22::text[], $23::boolean[], $24::text[], ${deviceParams(25)})
       ON CONFLICT (merchant_id, ownerless_stream, order_id) DO UPDATE SET
         stream_id = EXCLUDED.stream_id, room_id = EXCLUDED.room_id, account_id = EXCLUDED.account_id,
         device_id = EXCLUDED.device_id, ip = EXCLUDED.ip, subnet = EXCLUDED.subnet, sku_id = EXCLUDED.sku_id,
         quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price, list_price = EXCLUDED.list_price,
         currency = EXCLUDED.currency, phone_hash = EXCLUDED.phone_hash, address_hash = EXCLUDED.address_hash,
         placed_at = EXCLUDED.placed_at, placed_event_id = EXCLUDED.placed_event_id,
         ${PLACED_V2_COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}, updated_at = now()
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
        events.map((e) => e.couponId ?? null),
        events.map((e) => (e.discount === undefined ? null : String(e.discount))),
        events.map((e) => e.recipientHash ?? null),
        events.map((e) => e.paymentAccountHash ?? null),
        events.map((e) => e.virtual ?? null),
        events.map((e) => e.category ?? null),
        ...deviceColumnArrays(events.map((e) => e.device)),
      ],
    );
  }

  /** order.paid: the latest payment event (ts, then event id) is the order's payment. */
  async upsertPaid(paid: readonly Keyed<OrderPaid>[]): Promise<void> {
    if (paid.length === 0) return;
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

  /** order.refunded: one row per refund event, and the order's totals recomputed from its rows. */
  async insertRefunds(refunds: readonly Keyed<OrderRefunded>[]): Promise<void> {
    if (refunds.length === 0) return;
    await this.pool.query(
      `INSERT INTO order_refunds (event_id, order_id, stream_id, amount, refunded_at, merchant_id, ownerless_stream, returned, reason)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[],
                            $8::boolean[], $9::text[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        refunds.map((r) => r.event.id),
        refunds.map((r) => r.event.orderId),
        refunds.map((r) => r.event.streamId),
        refunds.map((r) => String(r.event.amount)),
        refunds.map((r) => r.event.ts),
        refunds.map((r) => r.key.merchantId),
        refunds.map((r) => r.key.ownerlessStream),
        refunds.map((r) => r.event.returned ?? null),
        refunds.map((r) => r.event.reason ?? null),
      ],
    );
    // One stub row per order (refunds of one order in one batch share it).
    const stubs = new Map<string, Keyed<OrderRefunded>>();
    for (const refund of refunds) if (!stubs.has(orderKeyText(refund.key))) stubs.set(orderKeyText(refund.key), refund);
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

  /** sales.claimed: the latest claim of each stream (ts, then event id); one event per stream. */
  async upsertClaims(events: readonly SalesClaimed[]): Promise<void> {
    if (events.length === 0) return;
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

  /** The sales audit's sums over the stream's orders; `suspectedAccounts` mark the brushing share. */
  async streamSums(streamId: string, suspectedAccounts: readonly string[]): Promise<StreamOrderSums> {
    const { rows } = await this.pool.query<{
      orders: string;
      paid_orders: string;
      refunded_orders: string;
      gross_at_list: string;
      gross_paid: string;
      refunded: string;
      suspected: string;
      pending_orders: string;
      pending_paid: string;
      pending_refunded: string;
      currency: string | null;
    }>(
      `WITH stream_orders AS (
         SELECT o.*, (o.placed_at IS NOT NULL) AS placed, (o.account_id = ANY($2::text[])) AS brushing
           FROM orders o
          WHERE o.stream_id = $1
       )
       SELECT count(*) FILTER (WHERE placed)                                         AS orders,
              count(*) FILTER (WHERE placed AND paid_event_id IS NOT NULL)           AS paid_orders,
              count(*) FILTER (WHERE placed AND refund_count > 0)                    AS refunded_orders,
              coalesce(sum(list_price::numeric * quantity) FILTER (WHERE placed), 0)::text AS gross_at_list,
              coalesce(sum(paid_amount) FILTER (WHERE placed), 0)::text              AS gross_paid,
              coalesce(sum(refunded_amount) FILTER (WHERE placed), 0)::text          AS refunded,
              coalesce(sum(paid_amount) FILTER (WHERE placed AND brushing), 0)::text AS suspected,
              count(*) FILTER (WHERE NOT placed)                                     AS pending_orders,
              coalesce(sum(paid_amount) FILTER (WHERE NOT placed), 0)::text          AS pending_paid,
              coalesce(sum(refunded_amount) FILTER (WHERE NOT placed), 0)::text      AS pending_refunded,
              (SELECT currency FROM stream_orders WHERE currency IS NOT NULL
                GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1)          AS currency
         FROM stream_orders`,
      [streamId, suspectedAccounts],
    );
    const row = rows[0]!;
    return {
      orders: Number(row.orders),
      paidOrders: Number(row.paid_orders),
      refundedOrders: Number(row.refunded_orders),
      grossAtListPrice: row.gross_at_list,
      grossPaid: row.gross_paid,
      refunded: row.refunded,
      suspected: row.suspected,
      pendingOrders: Number(row.pending_orders),
      pendingPaid: row.pending_paid,
      pendingRefunded: row.pending_refunded,
      currency: row.currency,
    };
  }

  /** The stream's latest claim as exact decimal text; null without one. */
  async claimOf(streamId: string): Promise<{ gmv: string; orders: string } | null> {
    const { rows } = await this.pool.query<{ gmv: string; orders: string }>(
      'SELECT gmv::text, orders::text FROM sales_claims WHERE stream_id = $1',
      [streamId],
    );
    return rows[0] ?? null;
  }

  async claimsOf(streamIds: readonly string[]): Promise<Map<string, SalesClaimFact>> {
    const result = await this.pool.query<{ stream_id: string; gmv: string; orders: string; claimed_at: string }>(
      'SELECT stream_id, gmv::text, orders::text, claimed_at::text FROM sales_claims WHERE stream_id = ANY($1::text[])',
      [streamIds],
    );
    return new Map(
      result.rows.map((row) => [row.stream_id, { gmv: moneyFromSql(row.gmv), orders: moneyFromSql(row.orders), claimedAt: Number(row.claimed_at) }]),
    );
  }

  /** Every order of these streams with its refunds (oldest first), by stream. */
  async ordersOf(streamIds: readonly string[]): Promise<Map<string, StreamOrders>> {
    const [orders, refunds] = await Promise.all([
      this.pool.query<OrderRow>(
        `SELECT ${ORDER_KEY_SQL('orders')} AS order_key, order_id, stream_id, room_id, account_id, device_id, ip, subnet,
                phone_hash, address_hash, sku_id, quantity, currency, unit_price::text, list_price::text, placed_at::text, paid_at::text, paid_amount::text,
                virtual, category
           FROM orders WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, order_id`,
        [streamIds],
      ),
      this.pool.query<{ order_key: string; amount: string; refunded_at: string; returned: boolean | null }>(
        `SELECT ${ORDER_KEY_SQL('r')} AS order_key, r.amount::text, r.refunded_at::text, r.returned
           FROM orders o JOIN order_refunds r
             ON (r.merchant_id, r.ownerless_stream, r.order_id) = (o.merchant_id, o.ownerless_stream, o.order_id)
          WHERE o.stream_id = ANY($1::text[]) ORDER BY r.order_id, r.refunded_at, r.event_id`,
        [streamIds],
      ),
    ]);
    const refundsByOrder = new Map<string, RefundFact[]>();
    for (const row of refunds.rows) {
      const list = refundsByOrder.get(row.order_key) ?? [];
      list.push({ amount: moneyFromSql(row.amount), at: Number(row.refunded_at), returned: row.returned });
      refundsByOrder.set(row.order_key, list);
    }
    const byStream = new Map<string, StreamOrders>();
    for (const row of orders.rows) {
      let stream = byStream.get(row.stream_id);
      if (!stream) {
        stream = { roomId: row.room_id, orders: [] };
        byStream.set(row.stream_id, stream);
      }
      stream.roomId = row.room_id;
      stream.orders.push({
        orderId: row.order_id,
        accountId: row.account_id,
        deviceId: row.device_id,
        ip: row.ip,
        subnet: row.subnet,
        phoneHash: row.phone_hash,
        addressHash: row.address_hash,
        skuId: row.sku_id,
        quantity: row.quantity,
        unitPrice: exactOrNull(row.unit_price),
        listPrice: exactOrNull(row.list_price),
        placedAt: exactOrNull(row.placed_at),
        paidAt: exactOrNull(row.paid_at),
        paidAmount: row.paid_amount === null ? 0 : moneyFromSql(row.paid_amount),
        refunds: refundsByOrder.get(row.order_key) ?? [],
        currency: row.currency,
        virtual: row.virtual,
        category: row.category,
      });
    }
    return byStream;
  }

  /**
   * The refunded orders of these accounts placed within [placedFrom,
   * placedTo], in any stream, at most `limit` (by account, then placement):
   * their history across rooms and merchants.
   */
  async refundedOrdersOf(accounts: readonly string[], placedFrom: number, placedTo: number, limit: number): Promise<RefundedOrderRecord[]> {
    const result = await this.pool.query<RefundedOrderRow>(
      `${REFUNDED_ORDER_SELECT}
        WHERE o.account_id = ANY($1::text[]) AND o.placed_at BETWEEN $2 AND $3 AND o.refund_count > 0
        ORDER BY o.account_id, o.placed_at, o.order_id
        LIMIT $4`,
      [accounts, placedFrom, placedTo, limit],
    );
    return result.rows.map(refundedOrderRecord);
  }

  /**
   * The refunded orders placed within [placedFrom, placedTo] that carry one
   * of these devices, phone hashes or addresses, in any stream, at most
   * `limit` (by placement): the accounts an operator's identifiers tie to
   * the candidates (idx_orders_device_placed and its siblings).
   */
  async refundedOrdersSharing(ids: IdentifierSets, placedFrom: number, placedTo: number, limit: number): Promise<RefundedOrderRecord[]> {
    if (ids.device.length + ids.phone.length + ids.address.length === 0 || limit <= 0) return [];
    const result = await this.pool.query<RefundedOrderRow>(
      `${REFUNDED_ORDER_SELECT}
        WHERE (o.device_id = ANY($1::text[]) OR o.phone_hash = ANY($2::text[]) OR o.address_hash = ANY($3::text[]))
          AND o.placed_at BETWEEN $4 AND $5 AND o.refund_count > 0
        ORDER BY o.placed_at, o.order_id
        LIMIT $6`,
      [ids.device, ids.phone, ids.address, placedFrom, placedTo, limit],
    );
    return result.rows.map(refundedOrderRecord);
  }

  /**
   * How many distinct accounts placed an order carrying each of these
   * identifiers within [placedFrom, placedTo], keyed `device:…`, `phone:…`,
   * `address:…` (identifiers no order carries are absent).
   */
  async identifierUsers(ids: IdentifierSets, placedFrom: number, placedTo: number): Promise<Map<string, number>> {
    if (ids.device.length + ids.phone.length + ids.address.length === 0) return new Map();
    const result = await this.pool.query<{ key: string; users: number }>(
      `SELECT 'device:' || device_id AS key, count(DISTINCT account_id)::int AS users FROM orders
        WHERE device_id = ANY($1::text[]) AND placed_at BETWEEN $4 AND $5 GROUP BY device_id
       UNION ALL
       SELECT 'phone:' || phone_hash, count(DISTINCT account_id)::int FROM orders
        WHERE phone_hash = ANY($2::text[]) AND placed_at BETWEEN $4 AND $5 GROUP BY phone_hash
       UNION ALL
       SELECT 'address:' || address_hash, count(DISTINCT account_id)::int FROM orders
        WHERE address_hash = ANY($3::text[]) AND placed_at BETWEEN $4 AND $5 GROUP BY address_hash`,
      [ids.device, ids.phone, ids.address, placedFrom, placedTo],
    );
    return new Map(result.rows.map((row) => [row.key, row.users]));
  }
}

const REFUNDED_ORDER_SELECT = `
  SELECT ${ORDER_KEY_SQL('o')} AS order_key,
         o.account_id, o.device_id, o.phone_hash, o.address_hash, o.stream_id, o.room_id,
         s.merchant_id, s.started_at::text, s.ended_at::text, s.activity_ts::text,
         o.placed_at::text, o.paid_at::text, o.paid_amount::text, o.refunded_amount::text, o.refunded_at::text
    FROM orders o LEFT JOIN streams s ON s.stream_id = o.stream_id`;

function refundedOrderRecord(row: RefundedOrderRow): RefundedOrderRecord {
  return {
    orderKey: row.order_key,
    accountId: row.account_id,
    deviceId: row.device_id,
    phoneHash: row.phone_hash,
    addressHash: row.address_hash,
    streamId: row.stream_id,
    roomId: row.room_id,
    merchantId: row.merchant_id,
    startedAt: exactOrNull(row.started_at),
    endedAt: exactOrNull(row.ended_at),
    activityTs: exactOrNull(row.activity_ts),
    placedAt: exactOrNull(row.placed_at),
    paidAt: exactOrNull(row.paid_at),
    paidAmount: row.paid_amount === null ? 0 : moneyFromSql(row.paid_amount),
    refundedAmount: moneyFromSql(row.refunded_amount),
    firstRefundAt: exactOrNull(row.refunded_at),
  };
}

/** A bigint column (money or event time) exactly, or null. */
function exactOrNull(value: string | null): number | null {
  return value === null ? null : moneyFromSql(value);
}
