import type { Rng } from './prng.js';
import { paidAmount, type LedgerOrder, type SalesClaim } from './room.js';

/** CONTRACT.md §4 `verified`, less `suspectedBrushing` (that one depends on the detector's reports). */
export interface VerifiedSales {
  orders: number;
  paidOrders: number;
  refundedOrders: number;
  grossAtListPrice: number;
  grossPaid: number;
  refunded: number;
  net: number;
}

export interface ExpectedSalesAudit {
  roomId: string;
  streamId: string;
  merchantId: string;
  /** null for a stream without orders: the service learns a stream's currency from its orders. */
  currency: string | null;
  claimed: { gmv: number; orders: number } | null;
  verified: VerifiedSales;
}

/**
 * The audit figures straight from the generator's ledger. Conventions:
 * `orders` counts every placed order, `grossAtListPrice` is list price x
 * quantity over all placed orders, `grossPaid` sums payments, `refunded`
 * sums refund amounts, `refundedOrders` counts orders with any refund, and
 * `net = grossPaid - refunded`. A payment is unitPrice × quantity less the
 * order's coupon discount (v2).
 */
export function verifiedSales(orders: readonly LedgerOrder[]): VerifiedSales {
  const verified: VerifiedSales = { orders: 0, paidOrders: 0, refundedOrders: 0, grossAtListPrice: 0, grossPaid: 0, refunded: 0, net: 0 };
  for (const order of orders) {
    verified.orders++;
    verified.grossAtListPrice += order.listPrice * order.quantity;
    if (order.paidAt !== null) {
      verified.paidOrders++;
      verified.grossPaid += paidAmount(order);
    }
    if (order.refundedAt !== null) {
      verified.refundedOrders++;
      verified.refunded += order.refundAmount;
    }
  }
  verified.net = verified.grossPaid - verified.refunded;
  return verified;
}

/** How the room arrives at the GMV it publishes. */
export type ClaimStyle =
  | 'honest_exact'
  | 'honest_rounded'
  | 'counts_refunds'
  | 'list_price'
  | 'counts_unpaid'
  | 'before_refunds'
  | 'flash_at_list_price';

/** An order sold at less than half its list price: a flash-sale item (or a giveaway). */
export function isFlashPriced(order: Pick<LedgerOrder, 'unitPrice' | 'listPrice'>): boolean {
  return order.unitPrice * 2 <= order.listPrice;
}

/** Money of an order refunded by event time `at`. */
export function refundedBy(order: LedgerOrder, at: number): number {
  if (order.refundedAt === null) return 0;
  const steps = order.refundSteps ?? [{ at: order.refundedAt, amount: order.refundAmount }];
  return steps.filter((step) => step.at <= at).reduce((total, step) => total + step.amount, 0);
}

/** Paid minus refunded by event time `at`, over the orders placed by then: what the room's own dashboard shows at `at`. */
export function netAt(orders: readonly LedgerOrder[], at: number): number {
  let net = 0;
  for (const order of orders) {
    if (order.placedAt > at || order.paidAt === null || order.paidAt > at) continue;
    net += paidAmount(order) - refundedBy(order, at);
  }
  return net;
}

/**
 * The room's published sales. Honest rooms publish their settled sales
 * (exact, or rounded to the yuan or ten yuan the way a sales poster shows
 * it); inflating rooms pick the flattering definition.
 */
export function salesClaim(rng: Rng, orders: readonly LedgerOrder[], style: ClaimStyle, at: number): SalesClaim {
  const kept = orders.filter((order) => order.paidAt !== null && order.refundedAt === null);
  const paid = orders.filter((order) => order.paidAt !== null);
  const net = verifiedSales(orders).net;
  switch (style) {
    case 'honest_exact':
      return { at, gmv: net, orders: kept.length };
    case 'honest_rounded': {
      const unit = rng.pick([100, 1_000]);
      return { at, gmv: Math.round(net / unit) * unit, orders: kept.length };
    }
    case 'counts_refunds':
      return { at, gmv: sum(paid, paidAmount), orders: paid.length };
    case 'list_price':
      return { at, gmv: sum(kept, (order) => order.listPrice * order.quantity), orders: kept.length };
    case 'counts_unpaid': {
      const unrefunded = orders.filter((order) => order.refundedAt === null);
      return { at, gmv: sum(unrefunded, paidAmount), orders: unrefunded.length };
    }
    case 'before_refunds': {
      // Published as soon as the stream ends, from the dashboard: the brushing orders are still in it, their refunds come later.
      const counted = orders.filter((order) => order.paidAt !== null && order.paidAt <= at && refundedBy(order, at) === 0);
      return { at, gmv: netAt(orders, at), orders: counted.length };
    }
    case 'flash_at_list_price':
      // Kept orders at what was paid, except the flash-sale items, which are counted at their list price.
      return { at, gmv: sum(kept, (order) => (isFlashPriced(order) ? order.listPrice * order.quantity : paidAmount(order))), orders: kept.length };
  }
}

function sum(orders: readonly LedgerOrder[], value: (order: LedgerOrder) => number): number {
  return orders.reduce((total, order) => total + value(order), 0);
}
