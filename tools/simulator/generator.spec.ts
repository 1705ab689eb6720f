import { validateEvent, type RoomEvent } from '../../src/events/event.schema.js';
import { REPORT_KINDS } from '../../src/detection/engine/finding.js';
import { ATTACK_STYLES, generateEvening, type SimulatedEvening, type SimulatedRoom, type VerifiedSales } from './generator.js';

const SECOND = 1_000;

/**
 * The audit recomputed from the emitted order events only, by a path that
 * shares no code with the generator's ledger.
 */
function auditFromEvents(events: readonly RoomEvent[]): VerifiedSales {
  const placed = new Map<string, { list: number }>();
  const paid = new Map<string, number>();
  const refunded = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'order.placed') placed.set(event.orderId, { list: event.listPrice * event.quantity });
    if (event.type === 'order.paid') paid.set(event.orderId, (paid.get(event.orderId) ?? 0) + event.amount);
    if (event.type === 'order.refunded') refunded.set(event.orderId, (refunded.get(event.orderId) ?? 0) + event.amount);
  }
  const total = (values: Iterable<number>): number => [...values].reduce((sum, value) => sum + value, 0);
  const grossPaid = total(paid.values());
  const refundedAmount = total(refunded.values());
  return {
    orders: placed.size,
    paidOrders: paid.size,
    refundedOrders: refunded.size,
    grossAtListPrice: total([...placed.values()].map((order) => order.list)),
    grossPaid,
    refunded: refundedAmount,
    net: grossPaid - refundedAmount,
  };
}

function organicRooms(evening: SimulatedEvening): SimulatedRoom[] {
  return evening.rooms.filter((room) => room.attackStyles.length === 0);
}

function comments(room: SimulatedRoom) {
  return room.events.filter((event): event is Extract<RoomEvent, { type: 'comment' }> => event.type === 'comment');
}

describe('generateEvening', () => {
  let evening: SimulatedEvening;

  beforeAll(() => {
    evening = generateEvening({ seed: 11, rooms: 8 });
  });

  it('gives the same events for the same seed and different ones for another seed', () => {
    const again = generateEvening({ seed: 11, rooms: 8 });
    expect(again.events.length).toBe(evening.events.length);
    // One string comparison instead of a deep walk over 100k objects.
    expect(JSON.stringify(again.events) === JSON.stringify(evening.events)).toBe(true);
    expect(again.rooms.map((room) => room.labels)).toEqual(evening.rooms.map((room) => room.labels));
    const other = generateEvening({ seed: 12, rooms: 2 });
    expect(other.events.slice(0, 50)).not.toEqual(evening.events.slice(0, 50));
  });

  it('emits only events that pass validateEvent, with unique ids', () => {
    const failures = evening.events.map((event) => validateEvent(event)).filter((result) => !result.ok);
    expect(failures).toEqual([]);
    expect(new Set(evening.events.map((event) => event.id)).size).toBe(evening.events.length);
  });

  it('merges every room and the account events in event-time order', () => {
    // The rings' shop streams (rings.ts) are rooms of their own, outside `rooms`.
    expect(evening.events.length).toBe([...evening.rooms, ...(evening.ringShops ?? [])].reduce((sum, room) => sum + room.events.length, evening.accountEvents.length));
    const outOfOrder = evening.events.filter((event, i) => i > 0 && event.ts < evening.events[i - 1]!.ts);
    expect(outOfOrder).toEqual([]);
  });

  it('runs each room as one stream of 20 to 90 minutes, framed by stream.started and stream.ended', () => {
    for (const room of evening.rooms) {
      const minutes = (room.endTs - room.startTs) / 60_000;
      expect(minutes).toBeGreaterThanOrEqual(20);
      expect(minutes).toBeLessThanOrEqual(90);
      expect(room.events[0]).toMatchObject({ type: 'stream.started', merchantId: room.merchantId, ts: room.startTs });
      expect(room.events.filter((event) => event.type === 'stream.ended')).toHaveLength(1);
      expect(new Set(room.events.map((event) => event.streamId))).toEqual(new Set([room.streamId]));
    }
  });

  it('attacks about the requested share of rooms and leaves organic rooms unlabelled', () => {
    const attacked = evening.rooms.filter((room) => room.labels.kinds.length > 0);
    expect(attacked).toHaveLength(3);
    for (const room of organicRooms(evening)) {
      expect(room.labels.kinds).toEqual([]);
      for (const kind of REPORT_KINDS) expect(room.labels.accounts[kind]).toEqual([]);
    }
    const kinds = new Set(attacked.flatMap((room) => room.labels.kinds));
    const simulated = REPORT_KINDS.filter((kind) => ATTACK_STYLES[kind].length > 0);
    expect([...kinds].sort()).toEqual([...simulated].sort());
  });

  it('labels only accounts that act in their own room', () => {
    for (const room of evening.rooms) {
      const actors = new Set(room.events.flatMap((event) => (event.accountId ? [event.accountId] : [])));
      for (const kind of REPORT_KINDS) {
        for (const account of room.labels.accounts[kind]) expect(actors.has(account)).toBe(true);
        if (room.labels.accounts[kind].length > 0) expect(room.labels.kinds).toContain(kind);
      }
      // Real viewers outnumber the labelled ones even in attacked rooms.
      const labelled = new Set(Object.values(room.labels.accounts).flat());
      expect(actors.size).toBeGreaterThan(labelled.size);
    }
  });

  it('labels account-level kinds with accounts and room-level kinds without', () => {
    for (const room of evening.rooms) {
      expect(room.labels.accounts.inflated_gmv).toEqual([]);
      if (room.attackStyles.includes('hired_brusher_ring') || room.attackStyles.includes('merchant_team')) {
        expect(room.labels.accounts.refund_brushing.length).toBeGreaterThan(0);
      }
      if (room.attackStyles.includes('template_comments')) expect(room.labels.accounts.scripted_comments.length).toBeGreaterThan(0);
    }
  });

  it('states an expected audit equal to a recomputation from the emitted order events', () => {
    for (const room of evening.rooms) {
      expect(room.expectedAudit.verified).toEqual(auditFromEvents(room.events));
      expect(room.expectedAudit).toMatchObject({ roomId: room.roomId, streamId: room.streamId, merchantId: room.merchantId });
      const claims = room.events.filter((event) => event.type === 'sales.claimed');
      if (room.expectedAudit.claimed === null) expect(claims).toEqual([]);
      else {
        // Running totals and re-sends come first: the audit's claim is the one with the latest ts, alone at that ts.
        const latest = claims.at(-1)!;
        expect({ gmv: latest.gmv, orders: latest.orders }).toEqual(room.expectedAudit.claimed);
        expect(claims.filter((claim) => claim.ts >= latest.ts)).toEqual([latest]);
      }
      const currencies = new Set(room.events.flatMap((event) => (event.type === 'order.placed' ? [event.currency] : [])));
      expect([...currencies]).toEqual(room.expectedAudit.currency === null ? [] : [room.expectedAudit.currency]);
    }
  });

  it('keeps honest claims within rounding of the verified net and inflated ones well above it', () => {
    for (const room of evening.rooms) {
      const { claimed, verified } = room.expectedAudit;
      if (claimed === null) continue;
      const inflated = room.labels.kinds.includes('inflated_gmv');
      if (inflated) expect(claimed.gmv).toBeGreaterThan(verified.net * 1.05);
      // Rounded to the yuan or ten yuan, or floored to two significant digits ("10k+"): never above by more than rounding.
      else {
        expect(claimed.gmv - verified.net).toBeLessThanOrEqual(500);
        expect(verified.net - claimed.gmv).toBeLessThanOrEqual(Math.max(500, verified.net * 0.1));
      }
    }
  });

  it('sends refunds after the stream ends and some payments within a second of their order', () => {
    const late = evening.rooms.flatMap((room) => room.events.filter((event) => event.type === 'order.refunded' && event.ts > room.endTs + 3_600_000));
    expect(late.length).toBeGreaterThan(10);
    const placedAt = new Map(evening.events.flatMap((event) => (event.type === 'order.placed' ? [[event.orderId, event.ts] as const] : [])));
    const quick = evening.events.filter((event) => event.type === 'order.paid' && event.ts - (placedAt.get(event.orderId) ?? -Infinity) < SECOND);
    expect(quick.length).toBeGreaterThan(10);
  });

  describe('honest traps in organic rooms', () => {
    it('holds a lucky-bag draw: hundreds of viewers post the same long phrase once within two and a half minutes', () => {
      const bursts = organicRooms(evening).map((room) => {
        const byText = new Map<string, { accounts: Set<string>; first: number; last: number; posts: number }>();
        for (const comment of comments(room)) {
          if ([...comment.text].length < 15) continue;
          const entry = byText.get(comment.text) ?? { accounts: new Set<string>(), first: comment.ts, last: comment.ts, posts: 0 };
          entry.accounts.add(comment.accountId);
          entry.last = comment.ts;
          entry.posts++;
          byText.set(comment.text, entry);
        }
        return [...byText.values()].filter((entry) => entry.accounts.size >= 150 && entry.posts === entry.accounts.size && entry.last - entry.first <= 150 * SECOND);
      });
      expect(bursts.flat().length).toBeGreaterThanOrEqual(1);
    });

    it('holds a "1" chant: dozens of accounts type 1 within thirty seconds', () => {
      const chantRooms = organicRooms(evening).filter((room) => {
        const ones = comments(room).filter((comment) => /^[1１]+$/.test(comment.text));
        return ones.some((first) => new Set(ones.filter((other) => other.ts >= first.ts && other.ts < first.ts + 30 * SECOND).map((other) => other.accountId)).size >= 20);
      });
      expect(chantRooms.length).toBeGreaterThanOrEqual(1);
    });

    it('holds a flash-sale rush: dozens of real orders at a deep discount within a minute', () => {
      const rushRooms = organicRooms(evening).filter((room) => {
        const deals = room.events.filter((event) => event.type === 'order.placed' && event.unitPrice * 2 <= event.listPrice);
        return deals.some((first) => deals.filter((other) => other.ts >= first.ts && other.ts < first.ts + 60 * SECOND).length >= 30);
      });
      expect(rushRooms.length).toBeGreaterThanOrEqual(1);
    });

    it('has an honest high-refund apparel room whose refunds come from unrelated buyers over days', () => {
      const apparel = organicRooms(evening).filter((room) => room.category === 'apparel');
      expect(apparel.length).toBeGreaterThanOrEqual(1);
      const refunds = apparel.flatMap((room) => room.events.filter((event) => event.type === 'order.refunded'));
      const days = new Set(refunds.map((refund) => Math.floor(refund.ts / 86_400_000)));
      expect(days.size).toBeGreaterThanOrEqual(4);
      expect(new Set(refunds.map((refund) => refund.deviceId)).size).toBeGreaterThan(refunds.length * 0.8);
    });
  });

  describe('attackers behave as their style says', () => {
    it('has an emulator farm join in fixed steps and never interact', () => {
      const room = evening.rooms.find((candidate) => candidate.attackStyles.includes('emulator_farm'))!;
      const farm = new Set(room.labels.accounts.injected_viewers);
      const joins = room.events.filter((event) => event.type === 'viewer.joined' && farm.has(event.accountId));
      expect(joins.every((join) => join.type === 'viewer.joined' && join.device?.emulator === true)).toBe(true);
      const stepStarts = [...new Set(joins.map((join) => Math.floor((join.ts - joins[0]!.ts) / SECOND)))].filter((second, i, all) => i === 0 || second - all[i - 1]! > 5);
      const gaps = new Set(stepStarts.slice(1).map((second, i) => Math.round((second - stepStarts[i]!) / 10) * 10));
      expect(gaps.size).toBe(1);
      expect(room.events.some((event) => (event.type === 'comment' || event.type === 'like') && farm.has(event.accountId))).toBe(false);
    });

    it('has a brusher ring pay during the stream and refund after it ends', () => {
      const room = evening.rooms.find((candidate) => candidate.attackStyles.includes('hired_brusher_ring'))!;
      const ring = new Set(room.labels.accounts.refund_brushing);
      const refunds = room.events.filter((event) => event.type === 'order.refunded' && ring.has(event.accountId));
      expect(refunds.length).toBeGreaterThanOrEqual(ring.size * 0.8);
      expect(refunds.filter((refund) => refund.ts > room.endTs).length).toBeGreaterThanOrEqual(refunds.length * 0.7);
    });
  });

  describe('new farm styles and honest crowds', () => {
    let wide: SimulatedEvening;
    beforeAll(() => {
      wide = generateEvening({ seed: 5, rooms: 40, audienceScale: 0.5 });
    });
    const joinsOf = (room: SimulatedRoom, accounts: ReadonlySet<string>) =>
      room.events.filter((event): event is Extract<RoomEvent, { type: 'viewer.joined' }> => event.type === 'viewer.joined' && accounts.has(event.accountId));
    const subnetOf = (ip: string) => ip.split('.').slice(0, 3).join('.');
    const styled = (style: string) => wide.rooms.filter((room) => room.attackStyles.includes(style));
    const honestWith = (trap: string) => wide.rooms.filter((room) => room.labels.kinds.length === 0 && room.traps.includes(trap));

    it('has a trickle farm that never bursts but shares a few /24s, two models at most and one registration sitting', () => {
      const [room] = styled('trickle_farm');
      const farm = new Set(room!.labels.accounts.injected_viewers);
      const joins = joinsOf(room!, farm);
      expect(joins.length).toBeGreaterThanOrEqual(80);
      const perMinute = new Map<number, number>();
      for (const join of joins) perMinute.set(Math.floor(join.ts / 60_000), (perMinute.get(Math.floor(join.ts / 60_000)) ?? 0) + 1);
      expect(Math.max(...perMinute.values())).toBeLessThan(joins.length * 0.1);
      expect(new Set(joins.map((join) => subnetOf(join.ip!))).size).toBeLessThanOrEqual(4);
      expect(new Set(joins.map((join) => join.device!.model)).size).toBeLessThanOrEqual(2);
      const created = joins.map((join) => join.accountCreatedAt!);
      expect(Math.max(...created) - Math.min(...created)).toBeLessThanOrEqual(10 * 3_600_000);
      expect(room!.events.some((event) => event.type === 'comment' && farm.has(event.accountId))).toBe(false);
    });

    it('has an aged farm of one-to-two-year-old accounts that leave on their own timers and work several rooms', () => {
      const rooms = styled('aged_farm');
      expect(rooms.length).toBeGreaterThanOrEqual(2);
      const [first, second] = rooms.map((room) => new Set(room.labels.accounts.injected_viewers));
      expect([...first!].filter((account) => second!.has(account)).length).toBeGreaterThan(10);
      const joins = joinsOf(rooms[0]!, first!);
      for (const join of joins) expect((join.ts - join.accountCreatedAt!) / 86_400_000).toBeGreaterThanOrEqual(365);
      // Loose batches: no second holds more than a handful of the farm's leaves (the disconnects at the stream's end aside).
      const leaves = rooms[0]!.events.filter((event) => event.type === 'viewer.left' && first!.has(event.accountId!) && event.ts < rooms[0]!.endTs);
      const perSecond = new Map<number, number>();
      for (const leave of leaves) perSecond.set(Math.floor(leave.ts / 1_000), (perSecond.get(Math.floor(leave.ts / 1_000)) ?? 0) + 1);
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
    });

    it('has an all-in-one farm labelled for both kinds: stepped joins from one /24, templated posts on a fixed period', () => {
      const [room] = styled('all_in_one_farm');
      const farm = new Set(room!.labels.accounts.injected_viewers);
      const posters = room!.labels.accounts.scripted_comments;
      expect(room!.labels.kinds).toEqual(expect.arrayContaining(['injected_viewers', 'scripted_comments']));
      expect(posters.length).toBeGreaterThan(farm.size * 0.3);
      expect(posters.every((account) => farm.has(account))).toBe(true);
      const joins = joinsOf(room!, farm);
      expect(new Set(joins.map((join) => subnetOf(join.ip!))).size).toBe(1);
      expect(joins.every((join) => join.device!.rooted)).toBe(true);
      const steps = [...new Set(joins.map((join) => Math.floor(join.ts / 5_000)))];
      expect(steps.length).toBeLessThan(joins.length / 10);
      const gaps = new Set(comments(room!).filter((comment) => comment.accountId === posters[0]).map((comment, i, all) => (i === 0 ? null : Math.round((comment.ts - all[i - 1]!.ts) / 5_000))).filter((gap) => gap !== null));
      expect(gaps.size).toBe(1);
    });

    it('brings a growth campaign of brand-new, silent viewers on their own devices and networks', () => {
      const room = honestWith('growth_campaign')[0]!;
      const fresh = room.events.filter((event): event is Extract<RoomEvent, { type: 'viewer.joined' }> => event.type === 'viewer.joined' && event.ts - event.accountCreatedAt! < 3 * 86_400_000);
      expect(fresh.length).toBeGreaterThanOrEqual(30);
      expect(new Set(fresh.map((join) => join.deviceId)).size).toBeGreaterThan(fresh.length * 0.9);
      expect(new Set(fresh.map((join) => subnetOf(join.ip!))).size).toBeGreaterThan(fresh.length * 0.6);
    });

    it('puts dozens of colleagues or students on one /24 with their own phones, and families of two to four on one wifi', () => {
      for (const trap of ['office_wifi', 'campus_network', 'carrier_nat']) {
        const room = honestWith(trap)[0]!;
        const accountsBySubnet = new Map<string, Set<string>>();
        const modelsBySubnet = new Map<string, Set<string>>();
        for (const join of joinsOf(room, new Set(room.events.map((event) => event.accountId!)))) {
          const subnet = subnetOf(join.ip!);
          accountsBySubnet.set(subnet, (accountsBySubnet.get(subnet) ?? new Set()).add(join.accountId));
          modelsBySubnet.set(subnet, (modelsBySubnet.get(subnet) ?? new Set()).add(join.device!.model!));
        }
        const [busiest] = [...accountsBySubnet.entries()].sort((a, b) => b[1].size - a[1].size);
        expect(busiest![1].size).toBeGreaterThanOrEqual(20);
        expect(modelsBySubnet.get(busiest![0])!.size).toBeGreaterThanOrEqual(5);
      }
      const room = honestWith('household')[0]!;
      const byIp = new Map<string, Set<string>>();
      for (const event of room.events) if (event.type === 'viewer.joined') byIp.set(event.ip!, (byIp.get(event.ip!) ?? new Set()).add(event.accountId));
      expect([...byIp.values()].filter((accounts) => accounts.size >= 2 && accounts.size <= 4).length).toBeGreaterThanOrEqual(3);
    });

    it('settles some payments a minute or more after an honest claim that already counts them', () => {
      const room = honestWith('late_settlement')[0]!;
      const claim = room.events.find((event) => event.type === 'sales.claimed')!;
      const placedAt = new Map(room.events.flatMap((event) => (event.type === 'order.placed' ? [[event.orderId, event.ts] as const] : [])));
      const late = room.events.filter((event) => event.type === 'order.paid' && event.ts >= claim.ts + 60_000 && placedAt.get(event.orderId)! < claim.ts);
      expect(late.length).toBeGreaterThanOrEqual(3);
      expect(Math.abs(room.expectedAudit.claimed!.gmv - room.expectedAudit.verified.net)).toBeLessThanOrEqual(500);
    });

    type Placed = Extract<RoomEvent, { type: 'order.placed' }>;
    const placedBy = (room: SimulatedRoom, accounts: ReadonlySet<string>): Placed[] =>
      room.events.filter((event): event is Placed => event.type === 'order.placed' && accounts.has(event.accountId));
    const refundsOf = (room: SimulatedRoom) => {
      const refunds = new Map<string, { amount: number; at: number }[]>();
      for (const event of room.events) if (event.type === 'order.refunded') refunds.set(event.orderId, [...(refunds.get(event.orderId) ?? []), { amount: event.amount, at: event.ts }]);
      return refunds;
    };

    it('has a brushing studio work several rooms on ten phones and a few SIMs, shipping to pick-up points honest buyers use too', () => {
      const rooms = styled('brushing_studio');
      expect(rooms.length).toBeGreaterThanOrEqual(2);
      const orders = rooms.flatMap((room) => placedBy(room, new Set(room.labels.accounts.refund_brushing)));
      expect(new Set(orders.map((order) => order.deviceId)).size).toBeLessThanOrEqual(10);
      expect(new Set(orders.map((order) => order.phoneHash)).size).toBeLessThanOrEqual(6);
      const lockers = new Set(orders.map((order) => order.addressHash));
      expect(lockers.size).toBeLessThanOrEqual(3);
      const honestAtLockers = wide.rooms
        .filter((room) => room.labels.kinds.length === 0)
        .flatMap((room) => room.events.filter((event) => event.type === 'order.placed' && lockers.has(event.addressHash)));
      expect(honestAtLockers.length).toBeGreaterThan(0);
      // Some refunds only days after the end.
      const late = rooms.flatMap((room) => [...refundsOf(room).values()].flat().filter((refund) => refund.at > room.endTs + 2 * 86_400_000));
      expect(late.length).toBeGreaterThan(0);
    });

    it('has kickback crews refunded most of the price but not a whole piece, some in two steps, big jobs and small', () => {
      const sizes: number[] = [];
      for (const room of styled('kickback_crew')) {
        const refunds = refundsOf(room);
        const crew = placedBy(room, new Set(room.labels.accounts.refund_brushing)).filter((order) => refunds.has(order.orderId));
        sizes.push(crew.length);
        for (const order of crew) {
          const back = refunds.get(order.orderId)!.reduce((total, refund) => total + refund.amount, 0);
          const paid = order.unitPrice * order.quantity;
          expect(back / paid).toBeGreaterThan(0.5);
          expect(back % order.unitPrice).not.toBe(0);
        }
        expect(crew.length === 0 || crew.some((order) => refunds.get(order.orderId)!.length === 2) || crew.length < 6).toBe(true);
      }
      expect(Math.max(...sizes)).toBeGreaterThanOrEqual(3);
    });

    it('has task-platform workers share no device, SIM or address, and some take tasks in several rooms', () => {
      const rooms = styled('task_workers');
      const workers = rooms.flatMap((room) => placedBy(room, new Set(room.labels.accounts.refund_brushing)));
      const byAccount = new Map(workers.map((order) => [order.accountId, order]));
      for (const key of ['deviceId', 'phoneHash', 'addressHash'] as const) expect(new Set([...byAccount.values()].map((order) => order[key])).size).toBe(byAccount.size);
      const roomsOf = new Map<string, Set<string>>();
      for (const room of rooms) for (const account of room.labels.accounts.refund_brushing) roomsOf.set(account, new Set([...(roomsOf.get(account) ?? []), room.streamId]));
      expect([...roomsOf.values()].some((streams) => streams.size >= 2)).toBe(true);
    });

    it("has the merchant's flash team in every flash sale at the flash price within its first seconds", () => {
      const room = styled('merchant_flash_team')[0]!;
      const staff = placedBy(room, new Set(room.labels.accounts.refund_brushing));
      expect(staff.length).toBeGreaterThanOrEqual(4);
      expect(staff.every((order) => order.unitPrice * 2 <= order.listPrice)).toBe(true);
    });

    it('holds giveaways: free gifts and 1-fen lucky-bag entries, the losing entrants refunded in one batch', () => {
      const room = honestWith('giveaway')[0]!;
      const bag = room.events.filter((event): event is Placed => event.type === 'order.placed' && event.skuId.endsWith('-bag'));
      expect(bag.length).toBeGreaterThan(10);
      expect(bag.every((order) => order.unitPrice === 1)).toBe(true);
      const refunded = bag.filter((order) => refundsOf(room).has(order.orderId));
      expect(refunded.length).toBeGreaterThanOrEqual(bag.length - 5);
      expect(room.events.some((event) => event.type === 'order.placed' && event.skuId.endsWith('-gift') && event.unitPrice === 0)).toBe(true);
    });

    it('pays pay-later orders within half an hour after the honest claim that counts them, long after they were placed', () => {
      const room = honestWith('pay_later')[0]!;
      const claim = room.events.filter((event) => event.type === 'sales.claimed').at(-1)!;
      const placedAt = new Map(room.events.flatMap((event) => (event.type === 'order.placed' ? [[event.orderId, event.ts] as const] : [])));
      const late = room.events.filter((event) => event.type === 'order.paid' && event.ts > claim.ts && event.ts - placedAt.get(event.orderId)! > 30 * 60_000);
      expect(late.length).toBeGreaterThan(0);
      expect(late.every((event) => event.ts <= claim.ts + 30 * 60_000)).toBe(true);
    });

    it('sends running totals and the final claim twice, the last one what the audit states', () => {
      const room = honestWith('resent_claims')[0]!;
      const claims = room.events.filter((event) => event.type === 'sales.claimed');
      expect(claims.length).toBeGreaterThanOrEqual(4);
      expect(claims.at(-1)!.gmv).toBe(claims.at(-2)!.gmv);
      expect(room.expectedAudit.claimed!.gmv).toBe(claims.at(-1)!.gmv);
    });
  });

  describe('comment campaigns and honest chat that repeats itself', () => {
    let chat: SimulatedEvening;
    beforeAll(() => {
      // Every attack plan once, and a second evening of honest rooms for the traps.
      chat = generateEvening({ seed: 9, rooms: 31, attackShare: 1, audienceScale: 0.5 });
    });
    // Rooms where the style is the only comment campaign, so every labelled poster is its.
    const styled = (style: string) => {
      const rooms = chat.rooms.filter((room) => room.attackStyles.includes(style) && room.attackStyles.filter((s) => ATTACK_STYLES.scripted_comments.includes(s as never)).length === 1);
      expect(rooms.length).toBeGreaterThan(0);
      return rooms;
    };
    const postsBy = (room: SimulatedRoom) => {
      const byAccount = new Map<string, Array<Extract<RoomEvent, { type: 'comment' }>>>();
      const labelled = new Set(room.labels.accounts.scripted_comments);
      for (const comment of comments(room)) if (labelled.has(comment.accountId)) byAccount.set(comment.accountId, [...(byAccount.get(comment.accountId) ?? []), comment]);
      return byAccount;
    };
    const cv = (values: number[]) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) / mean;
    };
    const gaps = (times: number[]) => times.slice(1).map((ts, i) => ts - times[i]!);

    it('spins templates: many distinct texts, each account on a jittered timer', () => {
      for (const room of styled('spun_templates')) {
        const byAccount = postsBy(room);
        const all = [...byAccount.values()].flat();
        expect(byAccount.size).toBeGreaterThanOrEqual(15);
        expect(new Set(all.map((post) => post.text)).size).toBeGreaterThan(all.length * 0.3);
        const regular = [...byAccount.values()].filter((posts) => posts.length >= 4 && cv(gaps(posts.map((post) => post.ts))) < 0.35);
        expect(regular.length).toBeGreaterThan(byAccount.size * 0.5);
      }
    });

    it('runs relay rings that ask one question in turn, a fixed gap apart', () => {
      for (const room of styled('relay_questions')) {
        const ring = new Set(room.labels.accounts.scripted_comments);
        const posts = comments(room).filter((post) => ring.has(post.accountId));
        expect(ring.size).toBeGreaterThanOrEqual(5);
        // Within a round every ring member posts once before anyone posts again.
        const firstRound = posts.slice(0, ring.size).map((post) => post.accountId);
        expect(new Set(firstRound).size).toBe(ring.size);
        const short = gaps(posts.map((post) => post.ts)).filter((gap) => gap < 60 * SECOND);
        expect(cv(short)).toBeLessThan(0.2);
      }
    });

    it('passes one line along a chain of accounts, each posting it once', () => {
      for (const room of styled('relay_chain')) {
        const byAccount = postsBy(room);
        expect(byAccount.size).toBeGreaterThanOrEqual(20);
        for (const posts of byAccount.values()) expect(posts.length).toBeLessThanOrEqual(4);
      }
    });

    it('rotates lines from a shared pool on one timer setting', () => {
      for (const room of styled('pool_rotation')) {
        const byAccount = postsBy(room);
        const periods = [...byAccount.values()].filter((posts) => posts.length >= 5).map((posts) => gaps(posts.map((post) => post.ts)).sort((a, b) => a - b)[2]!);
        expect(periods.length).toBeGreaterThanOrEqual(5);
        expect(Math.max(...periods) / Math.min(...periods)).toBeLessThan(1.6);
        for (const posts of byAccount.values()) if (posts.length >= 8) expect(new Set(posts.map((post) => post.text)).size).toBeGreaterThanOrEqual(4);
      }
    });

    it('drips slowly: minutes between one account\'s posts', () => {
      for (const room of styled('slow_drip')) {
        for (const posts of postsBy(room).values()) for (const gap of gaps(posts.map((post) => post.ts))) expect(gap).toBeGreaterThan(2 * 60_000);
      }
    });

    it('runs pools of hundreds of accounts posting once or twice each', () => {
      for (const room of styled('mass_pool')) {
        const byAccount = postsBy(room);
        expect(byAccount.size).toBeGreaterThanOrEqual(100);
        for (const posts of byAccount.values()) expect(posts.length).toBeLessThanOrEqual(2);
      }
    });

    it('has honest rooms where real people repeat themselves: questions, copies, a giveaway keyword, cheers, many languages', () => {
      const honest = generateEvening({ seed: 9, rooms: 20, attackShare: 0, audienceScale: 0.5 }).rooms;
      for (const trap of ['repeated_questions', 'copied_comment', 'giveaway_keyword', 'cheer_wave', 'multilingual_chat']) {
        expect({ trap, present: honest.some((room) => room.traps.includes(trap)) }).toEqual({ trap, present: true });
      }
      const giveaway = honest.find((room) => room.traps.includes('giveaway_keyword'))!;
      const texts = comments(giveaway).map((post) => post.text);
      const keyword = [...new Set(texts)].sort((a, b) => texts.filter((t) => t === b).length - texts.filter((t) => t === a).length)[0]!;
      expect(texts.filter((text) => text === keyword).length).toBeGreaterThanOrEqual(20);
      const multilingual = honest.find((room) => room.traps.includes('multilingual_chat'))!;
      expect(comments(multilingual).some((post) => /[\u0400-\u04ff\u0600-\u06ff\u0e00-\u0e7f]/u.test(post.text))).toBe(true);
    });
  });

  it('covers every attacker style in a default-size evening', () => {
    const styles = new Set(generateEvening({ seed: 3, rooms: 40, audienceScale: 0.2 }).rooms.flatMap((room) => room.attackStyles));
    expect([...styles].sort()).toEqual([...new Set(Object.values(ATTACK_STYLES).flat())].sort());
  });
});

describe('v2 facts on honest traffic', () => {
  let evening: SimulatedEvening;
  const honestAccounts = (room: SimulatedRoom): Set<string> => {
    const labelled = new Set(Object.values(room.labels.accounts).flat());
    return new Set(room.events.flatMap((event) => (event.accountId !== undefined && !labelled.has(event.accountId) ? [event.accountId] : [])));
  };

  beforeAll(() => {
    evening = generateEvening({ seed: 11, rooms: 8 });
  });

  it('opens each flash sale with a sale.opened whose price the rush pays', () => {
    const openings = evening.rooms.flatMap((room) => room.events.filter((event) => event.type === 'sale.opened').map((event) => ({ room, event })));
    expect(openings.length).toBeGreaterThan(0);
    for (const { room, event } of openings) {
      const rush = room.events.filter((order) => order.type === 'order.placed' && order.skuId === event.skuId && order.unitPrice === event.salePrice);
      expect(rush.length).toBeGreaterThan(0);
      expect(rush.length).toBeLessThanOrEqual(event.stock);
      expect(event).toMatchObject({ roomId: room.roomId, streamId: room.streamId });
      expect(event.perAccountLimit).toBeGreaterThanOrEqual(1);
    }
  });

  it('has present viewers claim a dropped coupon seconds apart, and orders over its threshold use it', () => {
    const claims = evening.rooms.flatMap((room) => room.events.filter((event) => event.type === 'coupon.claimed'));
    expect(claims.length).toBeGreaterThan(20);
    expect(new Set(claims.map((claim) => claim.couponId)).size).toBe(claims.length);
    const used = evening.rooms.flatMap((room) =>
      room.events.filter((event): event is Extract<RoomEvent, { type: 'order.placed' }> => event.type === 'order.placed' && event.couponId !== undefined),
    );
    expect(used.length).toBeGreaterThan(0);
    const claimed = new Map(claims.map((claim) => [claim.couponId, claim]));
    for (const order of used) {
      const claim = claimed.get(order.couponId!)!;
      // The storefront's honest drops (`cp-…`); the promotions' campaigns resell coupons on purpose (promotions.spec.ts).
      if (!claim.campaignId.startsWith('cp-')) continue;
      expect(claim.accountId).toBe(order.accountId);
      expect(claim.ts).toBeLessThan(order.ts);
      expect(order.unitPrice * order.quantity).toBeGreaterThanOrEqual(claim.minSpend!);
      expect(order.discount).toBe(claim.value);
    }
  });

  it('registers tonight’s new accounts once, outside any room, and claims the welcome coupon outside rooms', () => {
    // Tonight's sign-ups; the wool parties' stock signed up months ago (`pr-reg-…`, promotions.spec.ts), and the
    // rings' farms sign up in bursts and may never join a room (`rg<seed>-reg-…`, rings.ts).
    const registrations = evening.accountEvents.filter(
      (event) => event.type === 'account.registered' && !event.id.startsWith('pr-reg-') && !event.id.startsWith(`rg${evening.seed}-reg-`),
    );
    expect(registrations.length).toBeGreaterThan(0);
    expect(new Set(registrations.map((event) => event.accountId)).size).toBe(registrations.length);
    for (const event of evening.accountEvents) expect(event.roomId).toBeUndefined();
    expect(evening.accountEvents.some((event) => event.type === 'coupon.claimed')).toBe(true);
    const joinedAfter = registrations.filter((registration) =>
      evening.rooms.some((room) => room.events.some((event) => event.type === 'viewer.joined' && event.accountId === registration.accountId && event.ts >= registration.ts)),
    );
    expect(joinedAfter.length).toBe(registrations.length);
  });

  it('says whether honest goods came back, and gives the v2 order fields to honest and scalpers\' orders only (a platform order carries them whoever places it)', () => {
    const refunds = evening.rooms.flatMap((room) => room.events.filter((event) => event.type === 'order.refunded'));
    expect(refunds.filter((refund) => refund.returned === true).length).toBeGreaterThan(10);
    expect(refunds.every((refund) => refund.returned === undefined || refund.reason !== undefined)).toBe(true);
    for (const room of evening.rooms) {
      const honest = honestAccounts(room);
      const scalpers = new Set(room.labels.accounts.scalper_bot);
      for (const event of room.events) {
        if (event.type !== 'order.placed') continue;
        // Promotion orders (coupon orders, virtual goods: promotions.ts) carry them whoever places them; so do the scalpers' (flash-sales.ts).
        expect(event.category !== undefined).toBe(honest.has(event.accountId) || scalpers.has(event.accountId) || event.couponId !== undefined || event.virtual === true);
      }
    }
  });

  it('pays unitPrice × quantity less the discount, and audits to the same figures', () => {
    for (const room of evening.rooms) {
      const placed = new Map(room.events.flatMap((event) => (event.type === 'order.placed' ? [[event.orderId, event] as const] : [])));
      for (const event of room.events) {
        if (event.type !== 'order.paid') continue;
        const order = placed.get(event.orderId)!;
        expect(event.amount).toBe(order.unitPrice * order.quantity - (order.discount ?? 0));
      }
    }
  });
});

describe('limited drops (v2, issue 13)', () => {
  let evening: SimulatedEvening;
  beforeAll(() => {
    evening = generateEvening({ seed: 7, rooms: 24 });
  });

  it('strikes rooms with the evening\'s scalper operation, labels the accounts that got stock and names their orders in the truth', () => {
    const struck = evening.rooms.filter((room) => room.labels.kinds.includes('scalper_bot'));
    expect(struck.length).toBeGreaterThanOrEqual(2);
    const truth = new Set(evening.truth?.scalperOrders ?? []);
    const operators = new Set<string>();
    for (const room of struck) {
      const scalpers = new Set(room.labels.accounts.scalper_bot);
      expect(scalpers.size).toBeGreaterThanOrEqual(20);
      const orders = room.events.filter((event): event is Extract<RoomEvent, { type: 'order.placed' }> => event.type === 'order.placed' && scalpers.has(event.accountId));
      for (const order of orders) expect(truth.has(`${room.merchantId}/${order.orderId}`)).toBe(true);
      // A proxy IP per order, a made-up recipient per order.
      expect(new Set(orders.map((order) => order.ip)).size).toBeGreaterThan(orders.length * 0.8);
      expect(new Set(orders.map((order) => order.recipientHash)).size).toBe(orders.length);
      for (const account of scalpers) operators.add(account);
    }
    // One operation across rooms: some accounts strike more than one room.
    const appearances = struck.flatMap((room) => room.labels.accounts.scalper_bot);
    expect(appearances.length).toBeGreaterThan(operators.size);
  });

  it('draws hundreds of real people to an honest rush, ordering within seconds of the opening', () => {
    const rushes = evening.rooms.filter((room) => room.traps.includes('honest_rush'));
    expect(rushes.length).toBeGreaterThan(0);
    for (const room of rushes) {
      // The limited drop is the room's sale with the biggest rush (its everyday flash sales draw only the viewers present).
      const ordersOf = (sale: Extract<RoomEvent, { type: 'sale.opened' }>) =>
        room.events.filter((event): event is Extract<RoomEvent, { type: 'order.placed' }> => event.type === 'order.placed' && event.skuId === sale.skuId && event.unitPrice <= sale.salePrice && Math.abs(event.ts - sale.ts) < 5 * 60_000);
      const drop = room.events.filter((event): event is Extract<RoomEvent, { type: 'sale.opened' }> => event.type === 'sale.opened').sort((a, b) => ordersOf(b).length - ordersOf(a).length)[0]!;
      const orders = ordersOf(drop);
      expect(orders.length).toBeGreaterThanOrEqual(Math.min(drop.stock, 100) * 0.8);
      expect(orders.every((order) => order.ts >= drop.ts)).toBe(true);
      expect(orders.filter((order) => order.ts - drop.ts < 15_000).length / orders.length).toBeGreaterThan(0.8);
    }
  });
});
