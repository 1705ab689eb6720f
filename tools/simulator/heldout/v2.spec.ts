import { validateEvent, type RoomEvent } from '../../../src/events/event.schema.js';
import { REPORT_KINDS } from '../../../src/detection/engine/finding.js';
import { generateHeldOutV2, HELD_OUT_STYLES, heldOutStyleKind, V2_HONEST_TRAPS, V2_STYLES_BY_KIND, type HeldOutRoom, type HeldOutV2Evening } from './index.js';

const START = Date.UTC(2026, 11, 3, 11, 30, 0);
const HOUR = 3_600_000;

type Of<T extends RoomEvent['type']> = Extract<RoomEvent, { type: T }>;

function ofType<T extends RoomEvent['type']>(events: readonly RoomEvent[], type: T): Of<T>[] {
  return events.filter((event): event is Of<T> => event.type === type);
}

function accountOf(event: RoomEvent): string | undefined {
  return 'accountId' in event ? event.accountId : undefined;
}

function allEvents(evening: HeldOutV2Evening): RoomEvent[] {
  return [...evening.rooms.flatMap((room) => room.events), ...evening.accountEvents];
}

function accountsIn(events: readonly RoomEvent[]): Set<string> {
  return new Set(events.flatMap((event) => (accountOf(event) ? [accountOf(event) as string] : [])));
}

const labelledIn = (room: HeldOutRoom): string[] => Object.values(room.labels.accounts).flat();

describe('generateHeldOutV2', () => {
  let evening: HeldOutV2Evening;
  /** Two turns of the plan list, where every operator meets its earlier rooms again. */
  let long: HeldOutV2Evening;
  let evenings: HeldOutV2Evening[];

  beforeAll(() => {
    evening = generateHeldOutV2({ seed: 7, startTs: START, rooms: 12 });
    long = generateHeldOutV2({ seed: 21, startTs: START + 86_400_000, rooms: 24 });
    evenings = [evening, long, generateHeldOutV2({ seed: 3, startTs: START, rooms: 5 })];
  });

  it('gives the same evening for the same seed and another for another seed', () => {
    expect(JSON.stringify(generateHeldOutV2({ seed: 7, startTs: START, rooms: 12 })) === JSON.stringify(evening)).toBe(true);
    const other = generateHeldOutV2({ seed: 8, startTs: START, rooms: 12 });
    expect(other.rooms.map((room) => room.streamId)).not.toEqual(evening.rooms.map((room) => room.streamId));
    expect(generateHeldOutV2({ seed: 7, startTs: START, rooms: 0 })).toMatchObject({ rooms: [], accountEvents: [] });
    expect(() => generateHeldOutV2({ seed: 7, startTs: START, rooms: -1 })).toThrow(/^rooms: /);
  });

  it('emits only events the ingest schema accepts, with unique ids prefixed ho-x', () => {
    for (const e of evenings) {
      const events = allEvents(e);
      expect(events.map((event) => validateEvent(event)).filter((result) => !result.ok)).toEqual([]);
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
      const ids = events.flatMap((event) => [event.id, event.roomId, event.streamId, event.deviceId, accountOf(event)]).filter((id): id is string => id !== undefined);
      expect(ids.filter((id) => !id.startsWith('ho-x'))).toEqual([]);
    }
  });

  it('frames each stream, keeps account events out of rooms, and keeps both in event-time order', () => {
    for (const e of evenings) {
      for (const room of e.rooms) {
        expect(room.events[0]).toMatchObject({ type: 'stream.started', merchantId: room.merchantId, ts: room.startTs });
        expect(ofType(room.events, 'stream.ended').map((event) => event.ts)).toEqual([room.endTs]);
        expect(room.events.every((event) => event.roomId === room.roomId && event.streamId === room.streamId)).toBe(true);
        expect(room.events.filter((event, i) => i > 0 && event.ts < (room.events[i - 1] as RoomEvent).ts)).toEqual([]);
      }
      expect(e.accountEvents.every((event) => event.roomId === undefined && event.streamId === undefined)).toBe(true);
      expect(e.accountEvents.every((event) => event.type === 'account.registered' || event.type === 'coupon.claimed')).toBe(true);
      expect(e.accountEvents.filter((event, i) => i > 0 && event.ts < (e.accountEvents[i - 1] as RoomEvent).ts)).toEqual([]);
    }
  });

  it('plays every v2 style and trap in twelve plans, each style under its kind', () => {
    const styles = new Set(evening.rooms.flatMap((room) => room.attackStyles));
    const all = Object.values(V2_STYLES_BY_KIND).flat();
    expect(all.filter((style) => !styles.has(style))).toEqual([]);
    const traps = new Set(evening.rooms.flatMap((room) => room.traps));
    expect(V2_HONEST_TRAPS.filter((trap) => !traps.has(trap))).toEqual([]);
    for (const [kind, kindStyles] of Object.entries(V2_STYLES_BY_KIND)) {
      for (const style of kindStyles) {
        expect(heldOutStyleKind(style)).toBe(kind);
        expect(HELD_OUT_STYLES[kind as keyof typeof HELD_OUT_STYLES]).toContain(style);
      }
    }
  });

  it('labels exactly the kinds of its styles with accounts that acted in the room, and nothing in honest rooms', () => {
    for (const e of evenings) {
      for (const room of e.rooms) {
        const styleKinds = new Set(room.attackStyles.map((style) => heldOutStyleKind(style)));
        expect(room.labels.kinds).toEqual(REPORT_KINDS.filter((kind) => styleKinds.has(kind)));
        const present = accountsIn(room.events);
        for (const kind of REPORT_KINDS) {
          const labelled = room.labels.accounts[kind];
          expect(labelled.filter((account) => !present.has(account))).toEqual([]);
          expect(new Set(labelled).size).toBe(labelled.length);
          if (room.labels.kinds.includes(kind)) expect(labelled.length).toBeGreaterThan(0);
          else expect(labelled).toEqual([]);
        }
        if (room.attackStyles.length === 0) expect(room.scenario.startsWith('organic')).toBe(true);
      }
    }
  });

  it('names every labelled account in a held-out ring, and ring members only from its events', () => {
    for (const e of evenings) {
      const seen = accountsIn(allEvents(e));
      const members = new Set(e.truth.rings.flatMap((ring) => ring.members));
      expect(e.truth.rings.every((ring) => ring.heldOut === true && ring.members.length >= 3 && heldOutStyleKind(ring.style) !== undefined)).toBe(true);
      expect([...members].filter((account) => !seen.has(account))).toEqual([]);
      expect(e.rooms.flatMap(labelledIn).filter((account) => !members.has(account))).toEqual([]);
      // One operator per ring: no account in two rings.
      expect(e.truth.rings.reduce((sum, ring) => sum + ring.members.length, 0)).toBe(members.size);
      expect(e.truth.couponHoarders.filter((account) => !members.has(account))).toEqual([]);
    }
  });

  it('has honest sharers that really share a network, device, address or card, and never as a ring member or culprit', () => {
    for (const e of evenings) {
      const events = allEvents(e);
      const members = new Set(e.truth.rings.flatMap((ring) => ring.members));
      const byKey = new Map<string, Set<string>>();
      const add = (key: string, account: string): void => {
        byKey.set(key, (byKey.get(key) ?? new Set()).add(account));
      };
      for (const event of events) {
        const account = accountOf(event);
        if (!account) continue;
        if (event.ip) add(`ip ${event.ip}`, account);
        if (event.deviceId) add(`device ${event.deviceId}`, account);
        if (event.type === 'order.placed') {
          if (event.addressHash) add(`address ${event.addressHash}`, account);
          if (event.paymentAccountHash) add(`card ${event.paymentAccountHash}`, account);
        }
      }
      const sharing = new Set([...byKey.values()].filter((accounts) => accounts.size > 1).flatMap((accounts) => [...accounts]));
      expect(e.truth.honestSharers.length).toBeGreaterThan(0);
      expect(e.truth.honestSharers.filter((account) => !sharing.has(account))).toEqual([]);
      expect(e.truth.honestSharers.filter((account) => members.has(account))).toEqual([]);
    }
  });

  it('registers bulk accounts in bursts on few devices, each before it ever acts', () => {
    for (const e of evenings) {
      const registrations = ofType(e.accountEvents, 'account.registered');
      const registered = new Map(registrations.map((event) => [event.accountId, event]));
      expect(registered.size).toBe(registrations.length);
      expect(e.truth.bulkRegistered.length).toBeGreaterThan(0);
      for (const account of e.truth.bulkRegistered) {
        const registration = registered.get(account) as Of<'account.registered'>;
        expect(registration).toBeDefined();
        const burst = registrations.filter((other) => other.deviceId === registration.deviceId && Math.abs(other.ts - registration.ts) < HOUR);
        expect(burst.length).toBeGreaterThanOrEqual(3);
      }
      const first = new Map<string, number>();
      for (const event of allEvents(e)) {
        const account = accountOf(event);
        if (account && event.type !== 'account.registered') first.set(account, Math.min(first.get(account) ?? Infinity, event.ts));
      }
      for (const registration of registrations) expect(registration.ts).toBeLessThanOrEqual(first.get(registration.accountId) ?? Infinity);
      for (const join of e.rooms.flatMap((room) => ofType(room.events, 'viewer.joined'))) {
        const registration = registered.get(join.accountId);
        if (registration) expect(join.accountCreatedAt).toBe(registration.ts);
      }
    }
  });

  it('names each scalper order once, placed by a scalper of that room on its flash sale', () => {
    for (const e of evenings) {
      const expected = new Set<string>();
      for (const room of e.rooms) {
        const openings = ofType(room.events, 'sale.opened');
        expect(openings.length).toBeLessThanOrEqual(1);
        const scalpers = new Set(room.labels.accounts.scalper_bot);
        if (scalpers.size > 0) expect(openings).toHaveLength(1);
        const opening = openings[0];
        for (const order of ofType(room.events, 'order.placed')) {
          if (opening && order.skuId === opening.skuId && order.unitPrice === opening.salePrice && scalpers.has(order.accountId)) expected.add(`${room.merchantId}/${order.orderId}`);
          // Nobody honest gets in before the opening.
          if (opening && order.skuId === opening.skuId && order.ts < opening.ts) expect(scalpers.has(order.accountId)).toBe(true);
        }
      }
      expect(e.truth.scalperOrders.length).toBe(new Set(e.truth.scalperOrders).size);
      expect([...e.truth.scalperOrders].sort()).toEqual([...expected].sort());
    }
  });

  it('builds scalpers that look like the threat: per-order proxies at machine speed, orders before the opening, limits beaten by many accounts', () => {
    const rooms = long.rooms;
    const farmRoom = rooms.find((room) => room.attackStyles.includes('ho_cloud_farm_proxy_orders')) as HeldOutRoom;
    const opening = ofType(farmRoom.events, 'sale.opened')[0] as Of<'sale.opened'>;
    const farmOrders = ofType(farmRoom.events, 'order.placed').filter((order) => order.skuId === opening.skuId && farmRoom.labels.accounts.scalper_bot.includes(order.accountId));
    expect(farmOrders.length).toBeGreaterThan(20);
    expect(new Set(farmOrders.map((order) => order.ip)).size).toBeGreaterThan(farmOrders.length * 0.9);
    expect(new Set(farmOrders.map((order) => order.recipientHash)).size).toBe(farmOrders.length);
    const latencies = farmOrders.map((order) => order.ts - opening.ts).sort((a, b) => a - b);
    expect((latencies[Math.floor(latencies.length * 0.9)] as number) - (latencies[Math.floor(latencies.length * 0.1)] as number)).toBeLessThan(80);
    const pluginRoom = rooms.find((room) => room.attackStyles.includes('ho_early_plugin')) as HeldOutRoom;
    const pluginOpening = ofType(pluginRoom.events, 'sale.opened')[0] as Of<'sale.opened'>;
    expect(ofType(pluginRoom.events, 'order.placed').filter((order) => order.skuId === pluginOpening.skuId && order.ts < pluginOpening.ts).length).toBeGreaterThan(5);
    // The slow ring strikes more than one flash room tonight.
    const slowRing = long.truth.rings.find((ring) => ring.style === 'ho_slow_aged_ring');
    const struck = rooms.filter((room) => room.labels.accounts.scalper_bot.some((account) => slowRing?.members.includes(account)));
    expect(struck.length).toBeGreaterThanOrEqual(2);
  });

  it('separates the full-reduction exploit (discount kept under the threshold) from honest partial returns', () => {
    for (const e of evenings) {
      for (const room of e.rooms) {
        const minSpend = new Map(ofType(room.events, 'coupon.claimed').map((claim) => [claim.couponId, claim.minSpend ?? 0]));
        const refunds = new Map(ofType(room.events, 'order.refunded').map((refund) => [refund.orderId, refund.amount]));
        const abusers = new Set(room.labels.accounts.coupon_abuse);
        for (const order of ofType(room.events, 'order.placed')) {
          if (!order.couponId || !refunds.has(order.orderId) || order.quantity < 2) continue;
          const threshold = minSpend.get(order.couponId) ?? 0;
          const refunded = refunds.get(order.orderId) as number;
          const paid = order.unitPrice * order.quantity - (order.discount ?? 0);
          if (refunded >= paid) continue;
          // A partial refund: what the kept units cost after it, against their price without the coupon.
          const keptUnits = order.quantity - Math.ceil(refunded / order.unitPrice);
          const keptAtPrice = order.unitPrice * keptUnits;
          const discountKept = keptAtPrice < threshold && paid - refunded < keptAtPrice;
          expect(discountKept).toBe(abusers.has(order.accountId));
        }
      }
      const exploitRooms = e.rooms.filter((room) => room.attackStyles.includes('ho_full_reduction_refund'));
      for (const room of exploitRooms) expect(room.labels.accounts.coupon_abuse.length).toBeGreaterThan(5);
    }
  });

  it('has coupon hoarders claim outside rooms and other accounts spend their coupons', () => {
    const claims = ofType(evening.accountEvents, 'coupon.claimed');
    const claimer = new Map(claims.map((claim) => [claim.couponId, claim.accountId]));
    const spent = evening.rooms.flatMap((room) => ofType(room.events, 'order.placed')).filter((order) => order.couponId && claimer.has(order.couponId));
    expect(spent.length).toBeGreaterThan(10);
    expect(spent.every((order) => claimer.get(order.couponId as string) !== order.accountId)).toBe(true);
    const hoarders = new Set(evening.truth.couponHoarders);
    expect(spent.every((order) => hoarders.has(claimer.get(order.couponId as string) as string))).toBe(true);
    // The honest claimers of the same campaign are none of them.
    expect(claims.filter((claim) => !hoarders.has(claim.accountId)).length).toBeGreaterThan(50);
  });

  it('opens cash-out shops and honest twins, each airing two streams, as the truth names them', () => {
    for (const e of evenings.slice(0, 2)) {
      const merchants = (names: readonly string[]) => names.map((merchant) => e.rooms.filter((room) => room.merchantId === merchant));
      expect(e.truth.cashOutMerchants.length).toBe(2);
      expect(e.truth.honestTwinMerchants.length).toBe(2);
      expect(e.truth.cashOutMerchants.filter((merchant) => e.truth.honestTwinMerchants.includes(merchant))).toEqual([]);
      for (const rooms of merchants(e.truth.cashOutMerchants)) {
        expect(rooms.length).toBeGreaterThanOrEqual(2);
        for (const room of rooms) {
          expect(room.labels.kinds).toEqual(['cash_out']);
          const orders = ofType(room.events, 'order.placed').filter((order) => room.labels.accounts.cash_out.includes(order.accountId));
          expect(orders.every((order) => order.virtual === true)).toBe(true);
        }
      }
      for (const rooms of merchants(e.truth.honestTwinMerchants)) {
        expect(rooms.length).toBeGreaterThanOrEqual(2);
        for (const room of rooms) expect(room.labels.kinds).toEqual([]);
        const withoutReturn = rooms.flatMap((room) => ofType(room.events, 'order.refunded')).filter((refund) => refund.returned === false);
        expect(withoutReturn.length).toBeGreaterThan(0);
      }
      const topup = e.rooms.filter((room) => room.attackStyles.includes('ho_topup_refund_cashout'));
      const cashRefunds = topup.flatMap((room) => ofType(room.events, 'order.refunded').filter((refund) => room.labels.accounts.cash_out.includes(refund.accountId)));
      expect(cashRefunds.length).toBeGreaterThan(10);
      expect(cashRefunds.every((refund) => refund.returned === false)).toBe(true);
    }
  });

  it('expects the audit its orders add up to, coupon discounts off what was paid', () => {
    for (const room of evening.rooms) {
      const placed = ofType(room.events, 'order.placed');
      const paid = ofType(room.events, 'order.paid');
      const refunded = ofType(room.events, 'order.refunded');
      const grossPaid = paid.reduce((sum, event) => sum + event.amount, 0);
      const refundedTotal = refunded.reduce((sum, event) => sum + event.amount, 0);
      expect(room.expectedAudit.verified).toMatchObject({ orders: placed.length, paidOrders: paid.length, refundedOrders: refunded.length, grossPaid, refunded: refundedTotal, net: grossPaid - refundedTotal });
      const byOrder = new Map(placed.map((order) => [order.orderId, order]));
      for (const payment of paid) {
        const order = byOrder.get(payment.orderId) as Of<'order.placed'>;
        expect(payment.amount).toBe(order.unitPrice * order.quantity - (order.discount ?? 0));
      }
      for (const refund of refunded) expect(refund.amount).toBeLessThanOrEqual(paid.find((payment) => payment.orderId === refund.orderId)?.amount ?? 0);
    }
  });

  it('works each ring in several rooms', () => {
    for (const style of V2_STYLES_BY_KIND.account_ring) {
      const ring = long.truth.rings.find((candidate) => candidate.style === style);
      expect(ring).toBeDefined();
      const rooms = long.rooms.filter((room) => room.labels.accounts.account_ring.some((account) => ring?.members.includes(account)));
      expect(rooms.length).toBeGreaterThanOrEqual(2);
    }
  });
});
