import { Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '../platform/auth/principal.js';
import { ReportRepository } from '../reports/report.repository.js';
import { LedgerRepository } from '../state/ledger/ledger.repository.js';
import { CheckedMoney, exactRatio, moneyFromSql } from '../state/ledger/money.js';
import { PromotionFactsRepository } from '../state/promotions/promotion-facts.repository.js';
import { StreamRepository } from '../state/streams/stream.repository.js';
import { mayViewStream } from '../state/streams/stream-visibility.js';

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
 * - refundedWithoutReturn  (v2) Σ refunds the platform sent with `returned: false`
 *                     over placed orders (an unknown `returned` is not counted).
 * - couponDiscounts   (v2) Σ `discount` of placed orders that were paid.
 * - virtualPaid       (v2) Σ order.paid amount of placed orders with `virtual: true`
 *                     (gift cards, game coins, top-ups); virtualShare = virtualPaid /
 *                     grossPaid to 4 decimals, null when grossPaid is 0.
 * - suspectedCouponAbuse, suspectedCashOut  (v2) Σ order.paid amount of placed orders
 *                     from accounts named in this stream's coupon_abuse (resp. cash_out)
 *                     reports (account and room reports; for cash_out also the report on
 *                     the stream's merchant) that a reviewer has not dismissed.
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
    refundedWithoutReturn: number;
    couponDiscounts: number;
    virtualPaid: number;
    virtualShare: number | null;
    suspectedCouponAbuse: number;
    suspectedCashOut: number;
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

/**
 * The sales audit of a stream: its own figures from the order ledger, the
 * brushing share from the stream's reports, ownership from the streams
 * directory, each read through its owner's repository.
 */
@Injectable()
export class SalesAuditService {
  constructor(
    private readonly streams: StreamRepository,
    private readonly ledger: LedgerRepository,
    private readonly reports: ReportRepository,
    private readonly promotions: PromotionFactsRepository,
  ) {}

  /**
   * The audit of one stream as `principal` may see it. A merchant key sees
   * only its own streams; any other stream answers exactly like an unknown
   * one, so a merchant cannot probe which stream ids exist.
   */
  async audit(streamId: string, principal: Principal): Promise<SalesAudit> {
    const stream = await this.streams.find(streamId);
    if (!stream || !mayViewStream(principal, stream.merchantId)) throw new NotFoundException(`stream ${streamId} not found`);

    const [sums, claim, promotion] = await Promise.all([
      this.reports.brushingAccounts(streamId).then((accounts) => this.ledger.streamSums(streamId, accounts)),
      this.ledger.claimOf(streamId),
      Promise.all([
        this.reports.accountsNamedIn('coupon_abuse', streamId, null),
        this.reports.accountsNamedIn('cash_out', streamId, stream.merchantId),
      ]).then(([coupon, cashOut]) => this.promotions.streamSums(streamId, coupon, cashOut)),
    ]);
    // Sums are exact numeric in SQL; reading them is checked, not trusted.
    const money = new CheckedMoney();
    const grossPaid = money.read('verified.grossPaid', sums.grossPaid);
    const refunded = money.read('verified.refunded', sums.refunded);
    const net = money.subtract('verified.net', grossPaid, refunded);
    const claimed = claim ? { gmv: moneyFromSql(claim.gmv), orders: moneyFromSql(claim.orders) } : null;
    const verified = {
      orders: sums.orders,
      paidOrders: sums.paidOrders,
      refundedOrders: sums.refundedOrders,
      grossAtListPrice: money.read('verified.grossAtListPrice', sums.grossAtListPrice),
      grossPaid,
      refunded,
      net,
      suspectedBrushing: money.read('verified.suspectedBrushing', sums.suspected),
      refundedWithoutReturn: money.read('verified.refundedWithoutReturn', promotion.refundedWithoutReturn),
      couponDiscounts: money.read('verified.couponDiscounts', promotion.couponDiscounts),
      virtualPaid: money.read('verified.virtualPaid', promotion.virtualPaid),
      virtualShare: null as number | null,
      suspectedCouponAbuse: money.read('verified.suspectedCouponAbuse', promotion.suspectedCouponAbuse),
      suspectedCashOut: money.read('verified.suspectedCashOut', promotion.suspectedCashOut),
    };
    verified.virtualShare = grossPaid > 0 && !money.inexact.includes('verified.virtualPaid') ? exactRatio(verified.virtualPaid, grossPaid) : null;
    const pending = {
      orders: sums.pendingOrders,
      paid: money.read('pending.paid', sums.pendingPaid),
      refunded: money.read('pending.refunded', sums.pendingRefunded),
    };
    const inflationAmount = claimed ? money.subtract('inflation.amount', claimed.gmv, net) : 0;
    const netExact = !money.inexact.includes('verified.net');
    return {
      roomId: stream.roomId,
      streamId,
      merchantId: stream.merchantId,
      currency: sums.currency,
      claimed,
      verified,
      inflation: claimed ? { amount: inflationAmount, ratio: netExact ? exactRatio(claimed.gmv, net) : null } : null,
      pending,
      ...(money.inexact.length > 0 ? { inexact: money.inexact } : {}),
    };
  }
}
