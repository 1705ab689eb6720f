import type { SimAccount } from './accounts.js';
import type { OrganicProfile } from './organic.js';
import type { Rng } from './prng.js';
import { paidAmount, type LedgerOrder, type RoomBuilder, type SalesClaim, type ViewerSession } from './room.js';
import { netAt } from './sales.js';

/**
 * Honest order behaviour that looks like brushing or inflation to a naive
 * order detector. Each trap draws from the `rng` it is given (the room's
 * order-trap stream), never from the room's own, so adding one leaves the
 * rest of the room as it was.
 */
export interface OrderTraps {
  /** 0-price gifts for a few winners, and a 1-fen lucky bag whose losing entrants are refunded by the platform. */
  giveaway: boolean;
  /** The merchant cancels the oversold tail of its flash sales after the stream. */
  oversoldFlash: boolean;
  /** A price drop refunded as the difference to earlier buyers, after the stream. */
  priceProtection: boolean;
  /** Colleagues watching from the office order to the company address; a few return or cancel. */
  companyOrders: boolean;
  /** Families order to their one home address and return some: one piece of two, a quick cancellation. */
  householdReturns: boolean;
  /** Orders paid after the anchor's claim, long after they were placed (pay-later, bank transfers clearing). */
  payLater: boolean;
  /** The payment service's clock runs a second or so behind the order service's: a payment stamped before its order. */
  paymentClockSkew: boolean;
  /** Running totals published during the stream, and the final claim sent twice. */
  resentClaims: boolean;
  /** "10k+": the claim floored to two significant digits. */
  flooredClaim: boolean;
}

export const NO_ORDER_TRAPS: OrderTraps = {
  giveaway: false,
  oversoldFlash: false,
  priceProtection: false,
  companyOrders: false,
  householdReturns: false,
  payLater: false,
  paymentClockSkew: false,
  resentClaims: false,
  flooredClaim: false,
};

/** The order traps of the n-th honest room: each one cycles over four rooms, so a 24-room honest evening has each several times. */
export function orderTrapsFor(rng: Rng, organicIndex: number): OrderTraps {
  const lane = organicIndex % 4;
  const claimLane = organicIndex % 3;
  return {
    giveaway: lane === 0 || rng.chance(0.15),
    oversoldFlash: lane === 1 || rng.chance(0.2),
    priceProtection: lane === 2 || rng.chance(0.1),
    companyOrders: true,
    householdReturns: true,
    payLater: claimLane === 0 || rng.chance(0.15),
    paymentClockSkew: lane === 3 || rng.chance(0.2),
    resentClaims: claimLane === 1 || rng.chance(0.2),
    flooredClaim: claimLane === 2 || rng.chance(0.15),
  };
}

/** Trap names for the room's scenario, in a fixed order. */
export function orderTrapNames(traps: OrderTraps): string[] {
  return (Object.keys(NO_ORDER_TRAPS) as (keyof OrderTraps)[]).filter((name) => traps[name]).map((name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function presentAt(sessions: readonly ViewerSession[], ts: number): ViewerSession[] {
  return sessions.filter((session) => session.joinAt <= ts && session.leaveAt > ts);
}

function sessionOf(room: RoomBuilder, account: SimAccount): ViewerSession | undefined {
  return room.sessions.find((session) => session.account.accountId === account.accountId);
}

/** Returns after the parcel arrived: two to nine days after the stream. */
function afterDelivery(rng: Rng, endTs: number): number {
  return endTs + rng.uniform(2, 9) * DAY + rng.uniform(0, 12) * HOUR;
}

/** The order-level traps that do not depend on the claim; run after the room's own orders exist. */
export function playOrderTraps(room: RoomBuilder, sessions: readonly ViewerSession[], profile: OrganicProfile, traps: OrderTraps, rng: Rng): void {
  const { startTs, endTs, merchantId } = room.setup;
  if (traps.giveaway && sessions.length > 0) {
    const gift = { skuId: `${merchantId}-gift`, listPrice: rng.int(20, 100) * 100 - 10 };
    const drawAt = startTs + (endTs - startTs) * rng.uniform(0.3, 0.6);
    for (const session of rng.sample(presentAt(sessions, drawAt), rng.int(3, 10))) {
      const placedAt = drawAt + rng.uniform(5, 60) * SECOND;
      // A free gift: some platforms notify a zero payment, some none at all.
      room.order(session.account, placedAt, gift, 0, 1, { paidAt: rng.chance(0.5) ? placedAt + rng.uniform(1, 5) * SECOND : null, refundedAt: null });
    }
    const bag = { skuId: `${merchantId}-bag`, listPrice: rng.pick([1, 990, 1_990]) };
    const bagAt = startTs + (endTs - startTs) * rng.uniform(0.5, 0.85);
    const entrants = presentAt(sessions, bagAt).filter(() => rng.chance(0.45));
    const winners = new Set(rng.sample(entrants, rng.int(1, 5)));
    const refundAfterStream = rng.chance(0.5);
    for (const session of entrants) {
      const placedAt = bagAt + rng.lognormal(8 * SECOND, 0.8);
      const paidAt = placedAt + rng.uniform(2, 30) * SECOND;
      // The platform refunds every losing entrant at once: after the draw, or in one batch after the stream.
      const refundedAt = winners.has(session) ? null : refundAfterStream ? endTs + rng.uniform(5, 120) * MINUTE : bagAt + rng.uniform(3, 6) * MINUTE;
      room.order(session.account, placedAt, bag, 1, 1, { paidAt, refundedAt });
    }
  }

  if (traps.oversoldFlash) {
    for (const flash of profile.flashSales) {
      const sold = room.orders
        .filter((order) => order.skuId === flash.sku.skuId && order.unitPrice === flash.flashPrice && order.paidAt !== null && order.refundedAt === null)
        .sort((a, b) => a.placedAt - b.placedAt);
      // Stock counted twice: the last orders in are cancelled and refunded by the merchant after the stream.
      const cancelAt = endTs + rng.uniform(30, 180) * MINUTE;
      for (const order of sold.slice(Math.floor(sold.length * (1 - rng.uniform(0.1, 0.25))))) {
        order.refundedAt = Math.round(cancelAt + rng.uniform(0, 10) * MINUTE);
        order.refundAmount = paidAmount(order);
      }
    }
  }

  if (traps.priceProtection) {
    const bySku = new Map<string, LedgerOrder[]>();
    for (const order of room.orders) {
      if (order.paidAt === null || order.refundedAt !== null || order.unitPrice === 0) continue;
      bySku.set(order.skuId, [...(bySku.get(order.skuId) ?? []), order]);
    }
    const [, orders] = [...bySku].sort((a, b) => b[1].length - a[1].length)[0] ?? [null, []];
    const share = rng.uniform(0.05, 0.15);
    const refundAt = endTs + rng.uniform(1, 10) * HOUR;
    for (const order of orders) {
      order.refundedAt = Math.round(refundAt + rng.uniform(0, 20) * MINUTE);
      order.refundAmount = Math.max(1, Math.round(paidAmount(order) * share));
    }
  }

  const shop = room.setup.skus;
  const buy = (account: SimAccount, refund: (order: LedgerOrder) => void, shipTo?: string): void => {
    const session = sessionOf(room, account);
    if (!session || shop.length === 0) return;
    const until = Math.min(session.leaveAt, endTs);
    const placedAt = rng.uniform(session.joinAt + 10 * SECOND, Math.max(session.joinAt + 11 * SECOND, until - SECOND));
    const sku = rng.pick(shop);
    const quantity = rng.chance(0.25) ? 2 : 1;
    const order = room.order(account, placedAt, sku, sku.livePrice, quantity, { paidAt: placedAt + rng.lognormal(20 * SECOND, 0.8), refundedAt: null });
    if (shipTo) order.shipTo = shipTo;
    refund(order);
  };
  const returnAfterDelivery = (order: LedgerOrder, share: number): void => {
    if (!rng.chance(share) || order.paidAt === null) return;
    order.refundedAt = Math.round(afterDelivery(rng, endTs));
    // One piece of two sent back.
    order.refundAmount = order.quantity > 1 && rng.chance(0.5) ? order.unitPrice : paidAmount(order);
  };
  const cancelQuickly = (order: LedgerOrder): void => {
    if (order.paidAt === null) return;
    order.refundedAt = Math.round(endTs + rng.uniform(1, 8) * HOUR);
    order.refundAmount = paidAmount(order);
  };

  if (traps.companyOrders && profile.crowds.turnedOut.office.length > 0) {
    const companyAddress = `ad_${rng.hex(20)}`;
    const buyers = profile.crowds.turnedOut.office.filter(() => rng.chance(0.35));
    const canceller = rng.chance(0.5) ? rng.pick(buyers.length > 0 ? buyers : profile.crowds.turnedOut.office) : null;
    for (const colleague of buyers) buy(colleague, (order) => (colleague === canceller ? cancelQuickly(order) : returnAfterDelivery(order, 0.2)), companyAddress);
  }

  if (traps.householdReturns) {
    for (const family of profile.crowds.turnedOut.households) {
      const canceller = rng.chance(0.3) ? rng.pick(family) : null;
      for (const member of family) {
        if (!rng.chance(0.7)) continue;
        buy(member, (order) => (member === canceller ? cancelQuickly(order) : returnAfterDelivery(order, 0.5)));
      }
    }
  }

  if (traps.paymentClockSkew) {
    for (const order of room.orders) {
      if (order.paidAt !== null && rng.chance(0.05)) order.paidAt = Math.round(order.placedAt - rng.uniform(200, 1_500));
    }
  }
}

/**
 * Honest settlement of pick-up points: a share of the honest orders ship to
 * one of the city's parcel lockers, which many unrelated buyers across the
 * evening's rooms share (and a brushing studio may use too).
 */
export function shipToPickupPoints(orders: readonly LedgerOrder[], lockers: readonly string[], rng: Rng, share = 0.12): void {
  if (lockers.length === 0) return;
  for (const order of orders) if (order.shipTo === undefined && rng.chance(share)) order.shipTo = rng.pick(lockers);
}

/**
 * The claim traps, once the room's honest claim is set: payments that clear
 * after it, running totals and a re-send, a floored "10k+" figure. Each
 * keeps the final claim what an honest anchor says.
 */
export function playClaimTraps(room: RoomBuilder, traps: OrderTraps, rng: Rng): void {
  const claim = room.claim;
  if (!claim) return;
  if (traps.payLater) {
    // Pay-later checkouts and bank transfers clear a few minutes to half an hour after the announcement.
    for (const order of room.orders) {
      if (order.paidAt === null || order.placedAt >= claim.at || order.unitPrice === 0 || !rng.chance(0.2)) continue;
      order.paidAt = Math.round(claim.at + rng.uniform(1, 25) * MINUTE);
      if (order.refundedAt !== null && order.refundedAt <= order.paidAt) order.refundedAt = order.paidAt + rng.int(1, 3) * DAY;
      if (order.refundSteps) order.refundSteps = undefined;
    }
  }
  if (traps.flooredClaim && claim.gmv > 0) {
    const step = 10 ** Math.max(0, Math.floor(Math.log10(claim.gmv)) - 1);
    claim.gmv = Math.floor(claim.gmv / step) * step;
  }
  if (traps.resentClaims) {
    const running: SalesClaim[] = [0.4, 0.75].map((share) => {
      const at = Math.round(room.startTs + (room.endTs - room.startTs) * share);
      return { at, gmv: netAt(room.orders, at), orders: room.orders.filter((order) => order.paidAt !== null && order.paidAt <= at).length };
    });
    const resent: SalesClaim = { ...claim, at: Math.round(claim.at + rng.uniform(0.5, 3) * MINUTE) };
    room.earlierClaims = [...running, { ...claim }];
    room.claim = resent;
  }
}

