import { validateEvent, type RoomEvent } from '../../../src/events/event.schema.js';
import type { TrueRing } from '../truth.js';
import { REPORT_KINDS, V1_REPORT_KINDS } from '../../../src/detection/engine/finding.js';
import { generateHeldOutRooms, generateHeldOutRoomsWithRings, HELD_OUT_STYLES, heldOutStyleKind, HONEST_TRAPS, V2_STYLES_BY_KIND, type HeldOutRoom, type HeldOutVerifiedSales } from './index.js';

const START = Date.UTC(2026, 11, 3, 11, 30, 0);

/** The audit and brushing money recomputed from the emitted events alone, sharing no code with the generator's ledger. */
function auditFromEvents(events: readonly RoomEvent[], brushers: ReadonlySet<string>): HeldOutVerifiedSales {
  const placed = new Map<string, { account: string; list: number }>();
  const paid = new Map<string, number>();
  const refunded = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'order.placed') placed.set(event.orderId, { account: event.accountId, list: event.listPrice * event.quantity });
    if (event.type === 'order.paid') paid.set(event.orderId, (paid.get(event.orderId) ?? 0) + event.amount);
    if (event.type === 'order.refunded') refunded.set(event.orderId, (refunded.get(event.orderId) ?? 0) + event.amount);
  }
  let grossAtListPrice = 0;
  for (const order of placed.values()) grossAtListPrice += order.list;
  let grossPaid = 0;
  let suspectedBrushing = 0;
  for (const [orderId, amount] of paid) {
    grossPaid += amount;
    if (brushers.has(placed.get(orderId)?.account ?? '')) suspectedBrushing += amount;
  }
  let refundedTotal = 0;
  for (const amount of refunded.values()) refundedTotal += amount;
  return {
    orders: placed.size,
    paidOrders: paid.size,
    refundedOrders: refunded.size,
    grossAtListPrice,
    grossPaid,
    refunded: refundedTotal,
    net: grossPaid - refundedTotal,
    suspectedBrushing,
  };
}

/** Every id-like field an event carries. */
function idFields(event: RoomEvent): string[] {
  const fields = [event.id, event.roomId, event.streamId, event.deviceId];
  const record = event as unknown as Record<string, unknown>;
  for (const key of ['accountId', 'orderId', 'skuId', 'merchantId', 'anchorId', 'phoneHash', 'addressHash']) {
    if (typeof record[key] === 'string') fields.push(record[key]);
  }
  return fields.filter((field): field is string => field !== undefined);
}

function accountsIn(room: HeldOutRoom): Set<string> {
  return new Set(room.events.flatMap((event) => ('accountId' in event && event.accountId ? [event.accountId] : [])));
}

describe('generateHeldOutRooms', () => {
  let rooms: HeldOutRoom[];
  /** A full 40-room evening, for coverage and the claim checks. */
  let evening: HeldOutRoom[];
  /** Both of those and a few small evenings on other seeds, for the invariants. */
  let everyRoom: HeldOutRoom[];
  /** The 40-room evening's linked operators and honest sharers. */
  let rings: TrueRing[];
  let honestSharers: string[];

  beforeAll(() => {
    rooms = generateHeldOutRooms({ seed: 101, startTs: START, rooms: 12 });
    ({ rooms: evening, rings, honestSharers } = generateHeldOutRoomsWithRings({ seed: 3, startTs: START, rooms: 40 }));
    everyRoom = [...rooms, ...evening, ...[11, 12, 13, 14].flatMap((seed) => generateHeldOutRooms({ seed, startTs: START + seed * 86_400_000, rooms: 8 }))];
  });

  it('gives the same rooms for the same seed and different ones for another seed', () => {
    const again = generateHeldOutRooms({ seed: 101, startTs: START, rooms: 12 });
    expect(JSON.stringify(again) === JSON.stringify(rooms)).toBe(true);
    const other = generateHeldOutRooms({ seed: 102, startTs: START, rooms: 12 });
    expect(other.map((room) => room.streamId)).not.toEqual(rooms.map((room) => room.streamId));
    expect(other[0]?.events.slice(0, 30)).not.toEqual(rooms[0]?.events.slice(0, 30));
  });

  it('attacks half the rooms and marks every room as held out', () => {
    expect(rooms).toHaveLength(12);
    expect(rooms.filter((room) => room.attackStyles.length > 0)).toHaveLength(6);
    expect(generateHeldOutRooms({ seed: 5, startTs: START, rooms: 5 }).filter((room) => room.attackStyles.length > 0)).toHaveLength(2);
    expect(rooms.every((room) => room.heldOut)).toBe(true);
    expect(generateHeldOutRooms({ seed: 5, startTs: START, rooms: 0 })).toEqual([]);
    expect(() => generateHeldOutRooms({ seed: 5, startTs: START, rooms: -1 })).toThrow(/^rooms: /);
    expect(() => generateHeldOutRooms({ seed: 5, startTs: 1.5, rooms: 2 })).toThrow(/^startTs: /);
  });

  it('emits only schema-valid events with unique ids', () => {
    const all = [...rooms, ...evening].flatMap((room) => room.events);
    const failures = all.map((event) => validateEvent(event)).filter((result) => !result.ok);
    expect(failures).toEqual([]);
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
  });

  it('prefixes every id it emits with ho-', () => {
    const unprefixed = everyRoom
      .flatMap((room) => [room.roomId, room.streamId, room.merchantId, ...room.events.flatMap(idFields)])
      .filter((id) => !id.startsWith('ho-'));
    expect(unprefixed).toEqual([]);
  });

  it('frames each stream with its stream.started first and one stream.ended, in event-time order', () => {
    for (const room of everyRoom) {
      expect(room.events[0]).toMatchObject({ type: 'stream.started', merchantId: room.merchantId, ts: room.startTs, roomId: room.roomId, streamId: room.streamId });
      expect(room.events.filter((event) => event.type === 'stream.ended').map((event) => event.ts)).toEqual([room.endTs]);
      expect(new Set(room.events.map((event) => `${event.roomId}/${event.streamId}`))).toEqual(new Set([`${room.roomId}/${room.streamId}`]));
      expect(room.events.filter((event, i) => i > 0 && event.ts < (room.events[i - 1] as RoomEvent).ts)).toEqual([]);
      // Live interaction happens during the show; only leaves, payments, refunds and the claim trail it.
      const live = room.events.filter((event) => ['viewer.joined', 'like', 'comment', 'order.placed', 'viewer.count'].includes(event.type));
      expect(live.filter((event) => event.ts > room.endTs)).toEqual([]);
    }
  });

  it('labels only the kinds of its styles, exactly the accounts that took part, and nothing in honest rooms', () => {
    for (const room of everyRoom) {
      expect(Object.keys(room.labels.accounts).sort()).toEqual([...REPORT_KINDS].sort());
      const styleKinds = new Set(REPORT_KINDS.filter((kind) => room.attackStyles.some((style) => HELD_OUT_STYLES[kind].includes(style))));
      expect(room.labels.kinds).toEqual(REPORT_KINDS.filter((kind) => styleKinds.has(kind)));
      if (room.attackStyles.length === 0) {
        expect(room.labels.kinds).toEqual([]);
        expect(Object.values(room.labels.accounts).flat()).toEqual([]);
        expect(room.scenario.startsWith('organic')).toBe(true);
      }
      const present = accountsIn(room);
      for (const kind of REPORT_KINDS) {
        const labelled = room.labels.accounts[kind];
        expect(labelled.filter((account) => !present.has(account))).toEqual([]);
        expect(new Set(labelled).size).toBe(labelled.length);
        if (!room.labels.kinds.includes(kind)) expect(labelled).toEqual([]);
      }
      expect(room.labels.accounts.inflated_gmv).toEqual([]);
      // Account-level kinds name their culprits, except a count-only package which has none.
      for (const kind of ['scripted_comments', 'refund_brushing'] as const) {
        if (room.labels.kinds.includes(kind)) expect(room.labels.accounts[kind].length).toBeGreaterThan(0);
      }
    }
  });

  it('has brushers really refund and scripted accounts really comment', () => {
    for (const room of everyRoom) {
      const refunders = new Set<string>();
      const commenters = new Set<string>();
      for (const event of room.events) {
        if (event.type === 'order.refunded') refunders.add(event.accountId);
        if (event.type === 'comment') commenters.add(event.accountId);
      }
      const brushers = room.labels.accounts.refund_brushing;
      if (brushers.length > 0) expect(brushers.filter((account) => refunders.has(account)).length / brushers.length).toBeGreaterThan(0.8);
      expect(room.labels.accounts.scripted_comments.filter((account) => !commenters.has(account))).toEqual([]);
    }
  });

  it('expects exactly the audit that the emitted order events add up to', () => {
    for (const room of everyRoom) {
      const fromEvents = auditFromEvents(room.events, new Set(room.labels.accounts.refund_brushing));
      expect(room.expectedAudit.verified).toEqual(fromEvents);
      const claims = room.events.filter((event): event is Extract<RoomEvent, { type: 'sales.claimed' }> => event.type === 'sales.claimed');
      expect(room.expectedAudit.claimed).toEqual(claims[0] ? { gmv: claims[0].gmv, orders: claims[0].orders } : null);
      expect(claims.length).toBeLessThanOrEqual(1);
      expect(room.expectedAudit).toMatchObject({ roomId: room.roomId, streamId: room.streamId, merchantId: room.merchantId });
      expect(room.expectedAudit.currency).toBe(room.locale === 'zh' ? 'CNY' : 'USD');
      if (room.labels.accounts.refund_brushing.length > 0) expect(fromEvents.suspectedBrushing).toBeGreaterThan(0);
    }
  });

  it('inflates claims only where labelled, and honest claims stay within rounding of the net', () => {
    for (const room of everyRoom) {
      const claimed = room.expectedAudit.claimed;
      const net = room.expectedAudit.verified.net;
      if (room.labels.kinds.includes('inflated_gmv')) {
        expect(claimed).not.toBeNull();
        expect(claimed?.gmv ?? 0).toBeGreaterThan(net * 1.03);
      } else if (claimed) {
        expect(claimed.gmv).toBeLessThanOrEqual(net * 1.04 + 100);
        expect(claimed.gmv).toBeGreaterThanOrEqual(net - 100);
      }
    }
  });

  it('covers every style and every honest trap in a 40-room evening', () => {
    const styles = new Set(evening.flatMap((room) => room.attackStyles));
    // The v2 styles play in the v2 traffic's own rooms (v2.spec.ts), never in these.
    const v2Styles = new Set<string>(Object.values(V2_STYLES_BY_KIND).flat());
    const allStyles = Object.values(HELD_OUT_STYLES).flat().filter((style) => !v2Styles.has(style));
    expect(allStyles.filter((style) => !styles.has(style))).toEqual([]);
    expect([...styles].filter((style) => v2Styles.has(style))).toEqual([]);
    expect(allStyles.every((style) => style.startsWith('ho_'))).toBe(true);
    const honestTraps = new Set(evening.filter((room) => room.attackStyles.length === 0).flatMap((room) => room.traps));
    expect(HONEST_TRAPS.filter((trap) => !honestTraps.has(trap))).toEqual([]);
    // These rooms were written for the v1 kinds; the v2 kinds' attackers are the v2 traffic's.
    for (const kind of V1_REPORT_KINDS) {
      expect(HELD_OUT_STYLES[kind].length).toBeGreaterThanOrEqual(3);
      for (const style of HELD_OUT_STYLES[kind]) expect(heldOutStyleKind(style)).toBe(kind);
    }
    expect(heldOutStyleKind('emulator_farm')).toBeUndefined();
  });

  it('builds honest traps that really look like the fraud they resemble', () => {
    const honest = evening.filter((room) => room.attackStyles.length === 0);
    const withTrap = (trap: string) => honest.filter((room) => room.traps.includes(trap));
    for (const room of withTrap('ho_keyword_giveaway')) {
      const byText = new Map<string, Set<string>>();
      for (const event of room.events) if (event.type === 'comment') byText.set(event.text, (byText.get(event.text) ?? new Set()).add(event.accountId));
      expect(Math.max(...[...byText.values()].map((accounts) => accounts.size))).toBeGreaterThanOrEqual(30);
    }
    for (const room of withTrap('ho_campus_class')) {
      const byIp = new Map<string, Set<string>>();
      for (const event of room.events) if (event.type === 'viewer.joined' && event.ip) byIp.set(event.ip, (byIp.get(event.ip) ?? new Set()).add(event.accountId));
      expect(Math.max(...[...byIp.values()].map((accounts) => accounts.size))).toBeGreaterThanOrEqual(9);
    }
    for (const room of withTrap('ho_family_tablet')) {
      const byDevice = new Map<string, Set<string>>();
      for (const event of room.events) if (event.type === 'viewer.joined' && event.deviceId) byDevice.set(event.deviceId, (byDevice.get(event.deviceId) ?? new Set()).add(event.accountId));
      expect(Math.max(...[...byDevice.values()].map((accounts) => accounts.size))).toBeGreaterThanOrEqual(2);
    }
    for (const room of withTrap('ho_fashion_returns')) {
      expect(room.expectedAudit.verified.refundedOrders / room.expectedAudit.verified.paidOrders).toBeGreaterThan(0.3);
    }
  });

  it('never shows one account in two rooms at once, honest or farmed', () => {
    const sessions = new Map<string, [number, number][]>();
    for (const room of evening) {
      const open = new Map<string, number>();
      for (const event of room.events) {
        if (event.type === 'viewer.joined') open.set(event.accountId, event.ts);
        if (event.type === 'viewer.left') {
          const from = open.get(event.accountId) as number;
          sessions.set(event.accountId, [...(sessions.get(event.accountId) ?? []), [from, event.ts]]);
        }
      }
    }
    const overlapping = [...sessions].filter(([, spans]) => {
      const sorted = [...spans].sort((a, b) => a[0] - b[0]);
      return sorted.some((span, i) => i > 0 && span[0] <= (sorted[i - 1] as [number, number])[1]);
    });
    expect(overlapping.map(([account]) => account)).toEqual([]);
  });

  it('brings some rooms back for a later stream of the same room and merchant', () => {
    const reruns = evening.filter((room) => room.rerunOf !== undefined);
    expect(reruns.length).toBeGreaterThan(0);
    for (const rerun of reruns) {
      const first = evening.find((room) => room.streamId === rerun.rerunOf) as HeldOutRoom;
      expect({ roomId: rerun.roomId, merchantId: rerun.merchantId, attackStyles: rerun.attackStyles }).toEqual({ roomId: first.roomId, merchantId: first.merchantId, attackStyles: first.attackStyles });
      expect(rerun.streamId).not.toBe(first.streamId);
      expect(rerun.startTs).toBeGreaterThan(first.endTs + 60 * 60_000);
    }
  });

  it('names its linked operators as rings of accounts that took part and share infrastructure, the rooms unchanged', () => {
    expect(JSON.stringify(generateHeldOutRoomsWithRings({ seed: 101, startTs: START, rooms: 12 }).rooms) === JSON.stringify(rooms)).toBe(true);
    expect(new Set(rings.map((ring) => ring.style))).toEqual(new Set(['ho_cloud_phone_rotation', 'ho_rack_waves', 'ho_studio_shared_address']));
    const culprits = new Set(evening.flatMap((room) => Object.values(room.labels.accounts).flat()));
    const members = rings.flatMap((ring) => ring.members);
    expect(new Set(members).size).toBe(members.length);
    expect(members.filter((account) => !culprits.has(account))).toEqual([]);
    const keysOf = new Map<string, Set<string>>();
    for (const event of evening.flatMap((room) => room.events)) {
      if (!('accountId' in event) || !event.accountId) continue;
      const keys = keysOf.get(event.accountId) ?? new Set<string>();
      if (event.ip) keys.add(`ip ${event.ip.split('.').slice(0, 3).join('.')}`);
      if (event.deviceId) keys.add(`device ${event.deviceId}`);
      if (event.type === 'order.placed' && event.addressHash) keys.add(`address ${event.addressHash}`);
      keysOf.set(event.accountId, keys);
    }
    for (const ring of rings) {
      expect(ring.heldOut).toBe(true);
      // Every member shares a device, an address or a /24 with another member of its ring.
      const count = new Map<string, number>();
      for (const account of ring.members) for (const key of keysOf.get(account) ?? []) count.set(key, (count.get(key) ?? 0) + 1);
      expect(ring.members.filter((account) => ![...(keysOf.get(account) ?? [])].some((key) => (count.get(key) ?? 0) > 1))).toEqual([]);
    }
  });

  it('names as honest sharers only unlabelled accounts that share an exit or a device with another', () => {
    expect(honestSharers.length).toBeGreaterThan(20);
    const culprits = new Set(evening.flatMap((room) => Object.values(room.labels.accounts).flat()));
    expect(honestSharers.filter((account) => culprits.has(account) || rings.some((ring) => ring.members.includes(account)))).toEqual([]);
    const byKey = new Map<string, Set<string>>();
    for (const event of evening.flatMap((room) => room.events)) {
      if (event.type !== 'viewer.joined') continue;
      for (const key of [`ip ${event.ip}`, `device ${event.deviceId}`]) byKey.set(key, (byKey.get(key) ?? new Set()).add(event.accountId));
    }
    const sharing = new Set([...byKey.values()].filter((accounts) => accounts.size > 1).flatMap((accounts) => [...accounts]));
    expect(honestSharers.filter((account) => !sharing.has(account))).toEqual([]);
  });

  it('reuses the evening operators across rooms, as real studios and farms do', () => {
    const roomsOf = new Map<string, number>();
    for (const room of everyRoom) for (const account of new Set([...room.labels.accounts.injected_viewers, ...room.labels.accounts.refund_brushing])) roomsOf.set(account, (roomsOf.get(account) ?? 0) + 1);
    expect([...roomsOf.values()].filter((count) => count > 1).length).toBeGreaterThan(10);
  });
});
