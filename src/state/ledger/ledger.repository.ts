import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import type { OrderFact, SalesClaimFact } from '../../detection/ledger/order-facts.js';
import { moneyFromSql } from './money.js';

/** An order's ledger key (merchant, waiting stream, order id) as one unambiguous text: a JSON array. */
const ORDER_KEY_SQL = (table: string) => `json_build_array(${table}.merchant_id, ${table}.ownerless_stream, ${table}.order_id)::text`;

/** The orders of one stream, oldest order id first. */
export interface StreamOrders {
  roomId: string;
  orders: OrderFact[];
}

/** A refunded order of an account, with its stream's boundaries as the streams directory has them. */
export interface RefundedOrderRecord {
  accountId: string;
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
  unit_price: string | null;
  list_price: string | null;
  placed_at: string | null;
  paid_at: string | null;
  paid_amount: string | null;
}

interface RefundedOrderRow {
  account_id: string;
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

  /** The latest claim of each stream that has one. */
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
                phone_hash, address_hash, sku_id, quantity, currency, unit_price::text, list_price::text, placed_at::text, paid_at::text, paid_amount::text
           FROM orders WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, order_id`,
        [streamIds],
      ),
      this.pool.query<{ order_key: string; amount: string; refunded_at: string }>(
        `SELECT ${ORDER_KEY_SQL('r')} AS order_key, r.amount::text, r.refunded_at::text
           FROM orders o JOIN order_refunds r
             ON (r.merchant_id, r.ownerless_stream, r.order_id) = (o.merchant_id, o.ownerless_stream, o.order_id)
          WHERE o.stream_id = ANY($1::text[]) ORDER BY r.order_id, r.refunded_at, r.event_id`,
        [streamIds],
      ),
    ]);
    const refundsByOrder = new Map<string, { amount: number; at: number }[]>();
    for (const row of refunds.rows) {
      const list = refundsByOrder.get(row.order_key) ?? [];
      list.push({ amount: moneyFromSql(row.amount), at: Number(row.refunded_at) });
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
      `SELECT o.account_id, o.stream_id, o.room_id, s.merchant_id, s.started_at::text, s.ended_at::text, s.activity_ts::text,
              o.placed_at::text, o.paid_at::text, o.paid_amount::text, o.refunded_amount::text, o.refunded_at::text
         FROM orders o LEFT JOIN streams s ON s.stream_id = o.stream_id
        WHERE o.account_id = ANY($1::text[]) AND o.placed_at BETWEEN $2 AND $3 AND o.refund_count > 0
        ORDER BY o.account_id, o.placed_at, o.order_id
        LIMIT $4`,
      [accounts, placedFrom, placedTo, limit],
    );
    return result.rows.map((row) => ({
      accountId: row.account_id,
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
    }));
  }
}

/** A bigint column (money or event time) exactly, or null. */
function exactOrNull(value: string | null): number | null {
  return value === null ? null : moneyFromSql(value);
}
