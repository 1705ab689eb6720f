import type { RoomEvent } from '../../src/events/event.schema.js';
import { generateEvening, type SimulatedEvening, type SimulatedRoom } from './generator.js';

type Placed = Extract<RoomEvent, { type: 'order.placed' }>;
type Refunded = Extract<RoomEvent, { type: 'order.refunded' }>;
type Claimed = Extract<RoomEvent, { type: 'coupon.claimed' }>;

const DAY = 86_400_000;

const of = <T extends RoomEvent['type']>(room: SimulatedRoom, type: T): Array<Extract<RoomEvent, { type: T }>> =>
  room.events.filter((event): event is Extract<RoomEvent, { type: T }> => event.type === type);

function refundsByOrder(room: SimulatedRoom): Map<string, Refunded[]> {
  const refunds = new Map<string, Refunded[]>();
  for (const refund of of(room, 'order.refunded')) refunds.set(refund.orderId, [...(refunds.get(refund.orderId) ?? []), refund]);
  return refunds;
}

describe('promotion styles and their honest twins (promotions.ts)', () => {
  // Sixteen rooms, half attacked: the first eight plans hold a cash-out shop, a wool party on cloned apps, a full-reduction ring and a party on proxies.
  let evening: SimulatedEvening;
  beforeAll(() => {
    evening = generateEvening({ seed: 21, rooms: 16, attackShare: 0.5 });
  });
  const withStyle = (style: string): SimulatedRoom[] => evening.rooms.filter((room) => room.attackStyles.includes(style));

  it('has wool parties grab a campaign at its release second from a dormant stock registered in batches months ago', () => {
    const rooms = [...withStyle('wool_party'), ...withStyle('wool_party_proxies')];
    expect(rooms.length).toBeGreaterThanOrEqual(2);
    const registered = new Map(evening.accountEvents.filter((event) => event.type === 'account.registered').map((event) => [event.accountId, event.ts]));
    for (const room of rooms) {
      const party = new Set(room.labels.accounts.coupon_abuse);
      expect(party.size).toBeGreaterThanOrEqual(30);
      const claims = of(room, 'coupon.claimed').filter((claim) => claim.campaignId.startsWith('cpb-'));
      const release = Math.min(...claims.map((claim) => claim.ts));
      const partyClaims = claims.filter((claim) => party.has(claim.accountId));
      expect(partyClaims).toHaveLength(party.size);
      for (const claim of partyClaims) expect(claim.ts - release).toBeLessThan(3_000);
      // Real viewers rush the same campaign, later than the script.
      expect(claims.filter((claim) => !party.has(claim.accountId)).length).toBeGreaterThan(0);
      const signedUp = [...party].filter((account) => registered.has(account));
      expect(signedUp.length).toBeGreaterThan(party.size * 0.6);
      for (const account of signedUp) expect(room.startTs - registered.get(account)!).toBeGreaterThan(30 * DAY);
      // Some coupons are used by accounts other than their claimer.
      const claimer = new Map(claims.map((claim) => [claim.couponId, claim.accountId]));
      expect(of(room, 'order.placed').some((order) => order.couponId !== undefined && claimer.has(order.couponId) && claimer.get(order.couponId) !== order.accountId)).toBe(true);
    }
    expect(evening.truth?.bulkRegistered.length).toBeGreaterThan(0);
  });

  it('has full-reduction rings refund one piece at full price, leaving the order under the threshold with the discount kept', () => {
    const rooms = withStyle('full_reduction_ring');
    expect(rooms.length).toBeGreaterThanOrEqual(1);
    for (const room of rooms) {
      const ring = new Set(room.labels.accounts.coupon_abuse);
      const claims = new Map(of(room, 'coupon.claimed').map((claim): [string, Claimed] => [claim.couponId, claim]));
      const refunds = refundsByOrder(room);
      const gamed = of(room, 'order.placed').filter((order): order is Placed & { couponId: string } => ring.has(order.accountId) && order.couponId !== undefined);
      expect(new Set(gamed.map((order) => order.accountId))).toEqual(ring);
      for (const order of gamed) {
        const minSpend = claims.get(order.couponId)!.minSpend!;
        const refunded = (refunds.get(order.orderId) ?? []).reduce((sum, refund) => sum + refund.amount, 0);
        expect(order.unitPrice * order.quantity).toBeGreaterThanOrEqual(minSpend);
        expect(refunded).toBe(order.unitPrice);
        expect(order.unitPrice * order.quantity - refunded).toBeLessThan(minSpend);
      }
      // Shipped to the ring's one or two drop addresses.
      expect(new Set(gamed.map((order) => order.addressHash)).size).toBeLessThanOrEqual(2);
    }
  });

  it("sets the threshold a ring games where the usual ones fit none of the shop's SKUs: no ring member goes without the exploit", () => {
    // Seed 13's second ring sat in a shop whose cheapest SKU was past every usual threshold: one piece passed it, no refund could drop under.
    const rooms = generateEvening({ seed: 13, rooms: 40, attackShare: 0.4 }).rooms.filter((room) => room.attackStyles.includes('full_reduction_ring'));
    expect(rooms.length).toBeGreaterThanOrEqual(2);
    for (const room of rooms) {
      const refunded = new Set(of(room, 'order.refunded').map((refund) => refund.accountId));
      expect(room.labels.accounts.coupon_abuse.filter((account) => !refunded.has(account))).toEqual([]);
    }
  });

  /** A cash-out room's labelled accounts and their orders, after checking the shop is in the truth and sells them dear codes only. */
  const cashOutTrades = (room: SimulatedRoom) => {
    expect(evening.truth?.cashOutMerchants).toContain(room.merchantId);
    const fakes = new Set(room.labels.accounts.cash_out);
    const orders = of(room, 'order.placed').filter((order) => fakes.has(order.accountId));
    expect(orders.every((order) => order.virtual === true && order.unitPrice >= 50_000)).toBe(true);
    return { fakes, orders };
  };

  it('has cash-out shops sell virtual goods to linked accounts that take most of it back without return; truth names the shops', () => {
    const rooms = withStyle('cash_out_shop');
    expect(rooms.length).toBeGreaterThanOrEqual(1);
    for (const room of rooms) {
      const { fakes, orders } = cashOutTrades(room);
      expect(new Set(orders.map((order) => order.deviceId)).size).toBeLessThan(fakes.size);
      const refunds = refundsByOrder(room);
      const back = orders.filter((order) => (refunds.get(order.orderId) ?? []).some((refund) => refund.returned === false));
      expect(back.length).toBeGreaterThan(orders.length * 0.4);
    }
  });

  it('has cash-out shops that keep the cash: linked accounts on few phones and cards buy dear codes again and again, nothing refunded', () => {
    const rooms = withStyle('cash_out_kept');
    expect(rooms.length).toBeGreaterThanOrEqual(1);
    for (const room of rooms) {
      const { fakes, orders } = cashOutTrades(room);
      expect(orders.length).toBeGreaterThanOrEqual(2 * fakes.size);
      expect(new Set(orders.map((order) => order.paymentAccountHash)).size).toBeLessThanOrEqual(5);
      const refunded = new Set(of(room, 'order.refunded').map((refund) => refund.orderId));
      expect(orders.filter((order) => refunded.has(order.orderId))).toEqual([]);
    }
  });

  it('gives honest rooms their twins: coupon rushes with a size exchange, a gift-card shop of unrelated buyers, none of them labelled', () => {
    const honest = evening.rooms.filter((room) => room.attackStyles.length === 0);
    const rush = honest.filter((room) => room.traps.includes('size_exchange'));
    expect(rush.length).toBeGreaterThanOrEqual(1);
    for (const room of rush) {
      const exchanged = of(room, 'order.refunded').filter((refund) => refund.reason === 'size exchange');
      expect(exchanged.length).toBeGreaterThanOrEqual(1);
      expect(exchanged.every((refund) => refund.returned === true)).toBe(true);
    }
    // Households pooling a rush's coupons: a parent spends the family's, shipped home.
    const households = honest.filter((room) => room.traps.includes('household_coupons'));
    expect(households.length).toBeGreaterThanOrEqual(1);
    for (const room of households) {
      const claimer = new Map(of(room, 'coupon.claimed').map((claim) => [claim.couponId, claim.accountId]));
      const spent = of(room, 'order.placed').filter((order) => order.couponId !== undefined && claimer.get(order.couponId) !== order.accountId);
      expect(spent.length).toBeGreaterThanOrEqual(1);
    }
    const giftShops = honest.filter((room) => room.traps.includes('gift_card_shop'));
    expect(giftShops.length).toBeGreaterThanOrEqual(1);
    for (const room of giftShops) {
      expect(evening.truth?.honestTwinMerchants).toContain(room.merchantId);
      const virtual = of(room, 'order.placed').filter((order) => order.virtual === true);
      expect(virtual.length).toBeGreaterThan(5);
      // Every buyer pays with their own account.
      expect(new Set(virtual.map((order) => order.paymentAccountHash)).size).toBe(new Set(virtual.map((order) => order.accountId)).size);
    }
    for (const room of honest) expect(room.labels.kinds).toEqual([]);
  });

  it('draws the same evening twice', () => {
    const again = generateEvening({ seed: 21, rooms: 16, attackShare: 0.5 });
    expect(again.events.length).toBe(evening.events.length);
    expect(again.truth).toEqual(evening.truth);
  });
});
