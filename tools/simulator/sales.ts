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
export type ClaimStyle = 'honest_exact' | 'honest_rounded' | 'counts_refunds' | 'list_price' | 'counts_unpaid';

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
  }
}

function sum(orders: readonly LedgerOrder[], value: (order: LedgerOrder) => number): number {
  return orders.reduce((total, order) => total + value(order), 0);
}
