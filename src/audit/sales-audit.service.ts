import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type pg from 'pg';
import type { Principal } from '../platform/auth/principal.js';
import { PG_POOL } from '../platform/database/database.module.js';
import { CheckedMoney, exactRatio, moneyFromSql } from '../state/ledger/money.js';

/**
 * CONTRACT.md §4. Every figure is exact integer minor units, over the orders
 * of the stream whose order.placed is known ("placed orders"):
 *
 * - orders            placed orders.
 * - paidOrders        placed orders with an order.paid.
 * - refundedOrders    placed orders with at least one order.refunded (partial or full).
 * - grossAtListPrice  Σ listPrice × quantity over placed orders (paid or not): what the
 *                     stream would have sold at list price.
 * - grossPaid         Σ order.paid amount over placed orders (the amount the payment
 *                     event reports, not unitPrice × quantity).
 * - refunded          Σ order.refunded amounts over placed orders; several refunds of
 *                     one order add up (partial returns).
 * - net               grossPaid − refunded (may be negative only if refunds exceed
 *                     payments, which the ledger keeps as reported).
 * - suspectedBrushing Σ order.paid amount of placed orders from accounts named in this
 *                     stream's refund_brushing reports (account reports, and the room
 *                     report's accounts) that a reviewer has not dismissed; paid money,
 *                     before refunds, so it says how much of grossPaid was brushing.
 * - inflation         null without a claim; amount = claimed.gmv − net;
 *                     ratio = claimed.gmv / net to 4 decimals, null when net ≤ 0.
 *
 * Payments and refunds whose order.placed has not arrived yet are not in
 * `verified` (their order, price and quantity are unknown); they are shown
 * apart in `pending` until their order arrives.
 */
export interface SalesAudit {
  roomId: string;
  streamId: string;
  merchantId: string | null;
  /** The currency of the stream's orders (the most common one, should a stream mix them); null before any order. */
  currency: string | null;
  claimed: { gmv: number; orders: number } | null;
  verified: {
    orders: number;
    paidOrders: number;
    refundedOrders: number;
    grossAtListPrice: number;
    grossPaid: number;
    refunded: number;
    net: number;
    suspectedBrushing: number;
  };
  inflation: { amount: number; ratio: number | null } | null;
  /** Payments and refunds waiting for their order.placed (not in `verified`). */
  pending: { orders: number; paid: number; refunded: number };
  /**
   * Extension: figures whose exact sum lies past 2^53 (only a stream beyond
   * the documented event bounds gets here); each is the nearest JSON number.
   */
  inexact?: string[];
}

interface AuditRow {
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
}

/** Accounts of the stream's live refund_brushing reports (a dismissal clears them). */
export const BRUSHING_ACCOUNTS_SQL = `
  SELECT subject_id AS account_id FROM reports
   WHERE kind = 'refund_brushing' AND stream_id = $1 AND subject_type = 'account' AND status <> 'dismissed'
  UNION
  SELECT unnest(accounts) FROM reports
   WHERE kind = 'refund_brushing' AND stream_id = $1 AND subject_type = 'room' AND status <> 'dismissed'`;

const AUDIT_SQL = `
  WITH brushing AS (${BRUSHING_ACCOUNTS_SQL}),
  stream_orders AS (
    SELECT o.*, (o.placed_at IS NOT NULL) AS placed, (b.account_id IS NOT NULL) AS brushing
      FROM orders o LEFT JOIN brushing b ON b.account_id = o.account_id
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
    FROM stream_orders`;

@Injectable()
export class SalesAuditService {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * The audit of one stream as `principal` may see it. A merchant key sees
   * only its own streams; any other stream answers exactly like an unknown
   * one, so a merchant cannot probe which stream ids exist.
   */
  async audit(streamId: string, principal: Principal): Promise<SalesAudit> {
    const stream = await this.pool.query<{ room_id: string; merchant_id: string | null }>(
      'SELECT room_id, merchant_id FROM streams WHERE stream_id = $1',
      [streamId],
    );
    const row = stream.rows[0];
    const visible = row && (principal.role === 'reviewer' || (principal.merchantId !== null && row.merchant_id === principal.merchantId));
    if (!row || !visible) throw new NotFoundException(`stream ${streamId} not found`);

    const [figures, claim] = await Promise.all([
      this.pool.query<AuditRow>(AUDIT_SQL, [streamId]),
      this.pool.query<{ gmv: string; orders: string }>('SELECT gmv::text, orders::text FROM sales_claims WHERE stream_id = $1', [
        streamId,
      ]),
    ]);
    const f = figures.rows[0]!;
    // Sums are exact numeric in SQL; reading them is checked, not trusted.
    const money = new CheckedMoney();
    const grossPaid = money.read('verified.grossPaid', f.gross_paid);
    const refunded = money.read('verified.refunded', f.refunded);
    const net = money.subtract('verified.net', grossPaid, refunded);
    const claimRow = claim.rows[0];
    const claimed = claimRow ? { gmv: moneyFromSql(claimRow.gmv), orders: moneyFromSql(claimRow.orders) } : null;
    const verified = {
      orders: Number(f.orders),
      paidOrders: Number(f.paid_orders),
      refundedOrders: Number(f.refunded_orders),
      grossAtListPrice: money.read('verified.grossAtListPrice', f.gross_at_list),
      grossPaid,
      refunded,
      net,
      suspectedBrushing: money.read('verified.suspectedBrushing', f.suspected),
    };
    const pending = {
      orders: Number(f.pending_orders),
      paid: money.read('pending.paid', f.pending_paid),
      refunded: money.read('pending.refunded', f.pending_refunded),
    };
    const inflationAmount = claimed ? money.subtract('inflation.amount', claimed.gmv, net) : 0;
    const netExact = !money.inexact.includes('verified.net');
    return {
      roomId: row.room_id,
      streamId,
      merchantId: row.merchant_id,
      currency: f.currency,
      claimed,
      verified,
      inflation: claimed ? { amount: inflationAmount, ratio: netExact ? exactRatio(claimed.gmv, net) : null } : null,
      pending,
      ...(money.inexact.length > 0 ? { inexact: money.inexact } : {}),
    };
  }
}
