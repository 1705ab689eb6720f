import type { Rng } from '../prng.js';
import type { ExpectedSalesAudit, VerifiedSales } from '../sales.js';
import type { HoOrder } from './stream.js';

/** The contract's §4 `verified`, with `suspectedBrushing` as the money the labelled brushers paid. */
export interface HeldOutVerifiedSales extends VerifiedSales {
  suspectedBrushing: number;
}

export interface HeldOutAudit extends ExpectedSalesAudit {
  verified: HeldOutVerifiedSales;
}

/**
 * The audit from the ledger, on the contract's conventions: every placed
 * order counts, list price over all placed orders, payments and refunds as
 * sent, `net = grossPaid - refunded`.
 */
export function ledgerAudit(orders: readonly HoOrder[], brushers: ReadonlySet<string>): HeldOutVerifiedSales {
  const verified: HeldOutVerifiedSales = { orders: 0, paidOrders: 0, refundedOrders: 0, grossAtListPrice: 0, grossPaid: 0, refunded: 0, net: 0, suspectedBrushing: 0 };
  for (const order of orders) {
    verified.orders++;
    verified.grossAtListPrice += order.listPrice * order.quantity;
    if (order.paidAt !== null) {
      verified.paidOrders++;
      verified.grossPaid += order.unitPrice * order.quantity - order.discount;
      if (brushers.has(order.accountId)) verified.suspectedBrushing += order.unitPrice * order.quantity - order.discount;
    }
    if (order.refundedAt !== null) {
      verified.refundedOrders++;
      verified.refunded += order.refundAmount;
    }
  }
  verified.net = verified.grossPaid - verified.refunded;
  return verified;
}

/** How the room arrives at the sales figure it publishes. */
export type ClaimRule =
  | 'honest_exact'
  | 'honest_yuan'
  | 'honest_round_up'
  | 'placed_gmv'
  | 'padded'
  | 'list_price_all_paid'
  | 'before_refunds';

/** The claim a rule gives once every order's fate is known; honest rules land on the final net. */
export function claimFigures(rng: Rng, orders: readonly HoOrder[], rule: ClaimRule): { gmv: number; orders: number } {
  const net = ledgerAudit(orders, new Set()).net;
  const kept = orders.filter((order) => order.paidAt !== null && order.refundedAt === null).length;
  const paid = orders.filter((order) => order.paidAt !== null);
  switch (rule) {
    case 'honest_exact':
      return { gmv: net, orders: kept };
    case 'honest_yuan':
      return { gmv: Math.round(net / 100) * 100, orders: kept };
    case 'honest_round_up': {
      // "Sold 120k tonight": rounded up to the coarsest unit that keeps the figure within 4 % of the truth.
      const unit = [10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100].find((candidate) => candidate * 25 <= net) ?? 1;
      return { gmv: Math.ceil(net / unit) * unit, orders: kept };
    }
    case 'placed_gmv':
      return { gmv: orders.reduce((sum, order) => sum + order.unitPrice * order.quantity, 0), orders: orders.length };
    case 'padded':
      return { gmv: Math.round((net * rng.uniform(1.12, 1.3)) / 10_000) * 10_000, orders: Math.round(kept * rng.uniform(1.05, 1.2)) };
    case 'list_price_all_paid':
      return { gmv: paid.reduce((sum, order) => sum + order.listPrice * order.quantity, 0), orders: paid.length };
    case 'before_refunds':
      return { gmv: paid.reduce((sum, order) => sum + order.unitPrice * order.quantity, 0), orders: paid.length };
  }
}
