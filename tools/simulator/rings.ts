import { REPORT_KINDS, type ReportKind } from '../../src/detection/engine/finding.js';
import type { DeviceInfo, RoomEvent } from '../../src/events/event.schema.js';
import { broadbandIp, carrierNatIp, CLOUD_PHONE_HANDSETS, ipIn, pickHandset, subnet24, type Category, type Locale } from './catalog.js';
import type { IdRegistry } from './accounts.js';
import type { ExpectedSalesAudit } from './sales.js';
import type { Rng } from './prng.js';
import type { EveningTruth } from './truth.js';

/**
 * (issue 14) Operators' rings across the evening's rooms, and the honest
 * people who share infrastructure without being one: what the ring
 * detector must tell apart. Rings reuse scarce kit (handsets, wallets,
 * drop addresses, a proxy block) across many accounts, and camouflage some
 * members as ordinary viewers; households, offices, carrier NAT and campus
 * dorms share networks and addresses, sometimes a tablet or a card. Their
 * orders go only to rooms with orders and no sales claim, and each room's
 * expected audit grows by them, so no other label moves.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Hardware {
  deviceId: string;
  device: DeviceInfo;
}

interface Person {
  accountId: string;
  createdAt: number;
  hardware: Hardware;
  ip: string;
  addressHash: string;
  paymentHash: string;
  recipientHash: string;
}

interface Item {
  skuId: string;
  unitPrice: number;
  listPrice: number;
  currency: string;
}

/** A room as generator.ts's SimulatedRoom has it (written out here: the generator imports this file). */
export interface SimulatedRoom {
  roomId: string;
  streamId: string;
  merchantId: string;
  locale: Locale;
  category: Category;
  scenario: string;
  attackStyles: string[];
  traps: string[];
  startTs: number;
  endTs: number;
  labels: { kinds: ReportKind[]; accounts: Record<ReportKind, string[]> };
  expectedAudit: ExpectedSalesAudit;
  events: RoomEvent[];
  heldOut?: boolean;
}

/** What the generator hands over: ids, its rooms (grown in place) and the evening's start. */
export interface RingWorld {
  rng: Rng;
  ids: IdRegistry;
  rooms: SimulatedRoom[];
  startTs: number;
  seed: number;
}

class EventSink {
  private n = 0;
  readonly accountEvents: RoomEvent[] = [];
  private readonly added = new Map<SimulatedRoom, RoomEvent[]>();

  constructor(
    private readonly prefix: string,
    private readonly rng: Rng,
    private readonly items: Map<SimulatedRoom, Item | null>,
  ) {}

  id(kind: string): string {
    return `${this.prefix}-${kind}-${++this.n}`;
  }

  /** A visit: a join and a leave inside the stream; an order of the room's item when `order` says how to pay and ship. */
  visit(room: SimulatedRoom, person: Person, at: number, kit: { hardware: Hardware; ip: string }, order?: { paymentHash: string; addressHash: string; recipientHash: string }): void {
    const join = Math.round(Math.max(room.startTs + 1_000, Math.min(at, room.endTs - 4 * MINUTE)));
    const base = { roomId: room.roomId, streamId: room.streamId, accountId: person.accountId, deviceId: kit.hardware.deviceId, ip: kit.ip };
    const events = this.added.get(room) ?? [];
    this.added.set(room, events);
    events.push({ id: this.id('join'), type: 'viewer.joined', ts: join, ...base, accountCreatedAt: person.createdAt, device: kit.hardware.device });
    const item = this.items.get(room);
    if (order && item) {
      const orderId = this.id('o');
      const placedAt = join + this.rng.int(20_000, 2 * MINUTE);
      events.push({
        id: this.id('order'), type: 'order.placed', ts: placedAt, ...base, orderId, skuId: item.skuId, quantity: 1, unitPrice: item.unitPrice, listPrice: item.listPrice,
        currency: item.currency, addressHash: order.addressHash, recipientHash: order.recipientHash, paymentAccountHash: order.paymentHash,
      });
      events.push({ id: this.id('paid'), type: 'order.paid', ts: placedAt + this.rng.int(5_000, 40_000), ...base, orderId, amount: item.unitPrice });
      const verified = room.expectedAudit.verified;
      verified.orders++;
      verified.paidOrders++;
      verified.grossAtListPrice += item.listPrice;
      verified.grossPaid += item.unitPrice;
      verified.net += item.unitPrice;
    }
    events.push({ id: this.id('left'), type: 'viewer.left', ts: Math.min(room.endTs - 1_000, join + this.rng.int(3 * MINUTE, 20 * MINUTE)), ...base });
  }

  /** Folds the visits into their rooms, each room's events kept in ts order. */
  flush(): void {
    for (const [room, events] of this.added) {
      room.events = [...room.events, ...events].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
    }
  }
}

function handset(rng: Rng): Hardware {
  const model = pickHandset(rng, 'zh');
  return { deviceId: '', device: { model: model.model, os: rng.pick(model.os), emulator: false, rooted: false } };
}

function person(world: RingWorld, createdAt: number, fixed: Partial<Person> = {}): Person {
  const hardware = fixed.hardware ?? { ...handset(world.rng), deviceId: world.ids.deviceId() };
  return {
    accountId: world.ids.accountId(),
    createdAt: Math.round(createdAt),
    hardware,
    ip: fixed.ip ?? carrierNatIp(world.rng, 'zh'),
    addressHash: fixed.addressHash ?? world.ids.addressHash(),
    paymentHash: fixed.paymentHash ?? `pay_${world.rng.hex(20)}`,
    recipientHash: fixed.recipientHash ?? `rc_${world.rng.hex(20)}`,
  };
}

/** Shop streams spread over the evening where the rings and the honest sharers order; scenario `ring_shop`. */
export const RING_SHOP_SCENARIO = 'ring_shop';

function shopRooms(world: RingWorld, items: Map<SimulatedRoom, Item | null>): SimulatedRoom[] {
  const from = Math.min(...world.rooms.map((room) => room.startTs));
  const to = Math.max(...world.rooms.map((room) => room.endTs));
  const count = 4;
  return Array.from({ length: count }, (_, i) => {
    const roomId = `rg-shop-${world.seed}-${i}`;
    const streamId = `rg-shop-${world.seed}-${i}-1`;
    const merchantId = `rg-merchant-${world.seed}-${i}`;
    const startTs = Math.round(from + (i / count) * Math.max(HOUR, to - from - 90 * MINUTE));
    const endTs = startTs + 90 * MINUTE;
    const price = world.rng.int(19, 199) * 100;
    const room: SimulatedRoom = {
      roomId, streamId, merchantId, locale: 'zh', category: 'home', scenario: RING_SHOP_SCENARIO, attackStyles: [], traps: [], startTs, endTs,
      labels: { kinds: [], accounts: Object.fromEntries(REPORT_KINDS.map((kind) => [kind, []])) as unknown as Record<ReportKind, string[]> },
      expectedAudit: { roomId, streamId, merchantId, currency: 'CNY', claimed: null, verified: { orders: 0, paidOrders: 0, refundedOrders: 0, grossAtListPrice: 0, grossPaid: 0, refunded: 0, net: 0 } },
      events: [
        { id: `${streamId}-start`, type: 'stream.started', roomId, streamId, ts: startTs, merchantId },
        { id: `${streamId}-end`, type: 'stream.ended', roomId, streamId, ts: endTs },
      ],
    };
    items.set(room, { skuId: `${roomId}-sku`, unitPrice: price, listPrice: price, currency: 'CNY' });
    return room;
  });
}

/** Rooms live at `ts` (with room for a visit), from `rooms`. */
function liveAt(rooms: readonly SimulatedRoom[], ts: number): SimulatedRoom[] {
  return rooms.filter((room) => room.startTs + MINUTE < ts && ts < room.endTs - 6 * MINUTE);
}

/**
 * The rings and the honest sharers of one evening, written into its rooms;
 * answers the registrations (events of no room) and the truth.
 */
export function addRingsAndSharers(world: RingWorld): { shops: SimulatedRoom[]; accountEvents: RoomEvent[]; truth: Pick<EveningTruth, 'rings' | 'honestSharers' | 'bulkRegistered'> } {
  const { rng } = world;
  const items = new Map<SimulatedRoom, Item | null>();
  for (const room of world.rooms) items.set(room, null);
  // The rings order in shops of their own (streams with no claim, so no other label moves); everyone else only watches the other rooms.
  const shop = shopRooms(world, items);
  const everywhere = [...world.rooms, ...shop];
  const sink = new EventSink(`rg${world.seed}`, rng, items);
  const truth: Pick<EveningTruth, 'rings' | 'honestSharers' | 'bulkRegistered'> = { rings: [], honestSharers: [], bulkRegistered: [] };
  const evening = { from: Math.min(...world.rooms.map((room) => room.startTs)), to: Math.max(...world.rooms.map((room) => room.endTs)) };

  // ── Wool parties: a batch signed up in minutes on a few cloned-app phones days ago, dormant, then out on the hour.
  for (let party = 0; party < 2; party++) {
    const phones = Array.from({ length: rng.int(2, 4) }, () => ({ deviceId: world.ids.deviceId(), device: { ...handset(rng).device, multiInstance: true } }));
    const wallets = Array.from({ length: rng.int(2, 3) }, () => `pay_${rng.hex(20)}`);
    const drops = Array.from({ length: 2 }, () => world.ids.addressHash());
    const proxy = subnet24(rng);
    const signUpAt = world.startTs - rng.uniform(3, 10) * DAY;
    const channel = `promo_${rng.hex(6)}`;
    let signedUp = signUpAt;
    const members = Array.from({ length: rng.int(18, 32) }, (_, i) => {
      // The farm's script: one sign-up every 8–40 s while its numbers last.
      const createdAt = (signedUp += rng.int(8_000, 40_000));
      const member = person(world, createdAt, { hardware: phones[i % phones.length], ip: ipIn(proxy, rng) });
      sink.accountEvents.push({
        id: sink.id('reg'), type: 'account.registered', ts: member.createdAt, accountId: member.accountId, phoneHash: world.ids.phoneHash(), channel,
        deviceId: member.hardware.deviceId, ip: ipIn(proxy, rng), device: member.hardware.device,
      });
      return member;
    });
    let hour = Math.ceil(evening.from / HOUR) * HOUR;
    const ordered = new Set<string>();
    for (; hour < evening.to; hour += HOUR) {
      const rooms = liveAt(shop, hour);
      if (rooms.length === 0) continue;
      for (const room of rng.sample(rooms, 2)) {
        const group = rng.sample(members, rng.int(6, 12));
        for (const member of group) {
          const wallet = wallets[members.indexOf(member) % wallets.length] as string;
          sink.visit(room, member, hour + rng.int(0, 40_000), { hardware: member.hardware, ip: ipIn(proxy, rng) }, { paymentHash: wallet, addressHash: rng.pick(drops), recipientHash: `rc_${rng.hex(20)}` });
          ordered.add(member.accountId);
        }
      }
    }
    // Whoever the hours missed orders once too: every account of the batch is worked.
    for (const member of members.filter((m) => !ordered.has(m.accountId))) {
      const room = rng.pick(shop);
      sink.visit(room, member, room.startTs + rng.uniform(0.1, 0.6) * (room.endTs - room.startTs), { hardware: member.hardware, ip: ipIn(proxy, rng) }, {
        paymentHash: wallets[members.indexOf(member) % wallets.length] as string, addressHash: rng.pick(drops), recipientHash: `rc_${rng.hex(20)}`,
      });
    }
    truth.rings.push({ style: 'ring_wool_party', members: members.map((m) => m.accountId) });
    truth.bulkRegistered.push(...members.map((m) => m.accountId));
  }

  // ── Crews: aged accounts on a few phones and two wallets, ordering together room after room; some members camouflaged as viewers.
  for (let crew = 0; crew < 2; crew++) {
    const phones = Array.from({ length: rng.int(3, 4) }, () => ({ ...handset(rng), deviceId: world.ids.deviceId() }));
    const wallets = [`pay_${rng.hex(20)}`, `pay_${rng.hex(20)}`];
    const recipients = Array.from({ length: 3 }, () => `rc_${rng.hex(20)}`);
    const drops = Array.from({ length: 2 }, () => world.ids.addressHash());
    const studio = subnet24(rng);
    const members = Array.from({ length: rng.int(9, 15) }, (_, i) => person(world, world.startTs - rng.uniform(60, 700) * DAY, { hardware: phones[i % phones.length], ip: ipIn(studio, rng) }));
    const rooms = rng.sample(shop, Math.min(shop.length, rng.int(4, 6)));
    const ordered = new Set<string>();
    for (const room of rooms) {
      const at = room.startTs + rng.uniform(0.15, 0.6) * (room.endTs - room.startTs);
      for (const member of rng.sample(members, rng.int(4, Math.min(8, members.length)))) {
        sink.visit(room, member, at + rng.int(0, 45_000), { hardware: member.hardware, ip: ipIn(studio, rng) }, { paymentHash: rng.pick(wallets), addressHash: rng.pick(drops), recipientHash: rng.pick(recipients) });
        ordered.add(member.accountId);
      }
    }
    for (const member of members.filter((m) => !ordered.has(m.accountId))) {
      const room = rng.pick(rooms);
      sink.visit(room, member, room.startTs + rng.uniform(0.1, 0.7) * (room.endTs - room.startTs), { hardware: member.hardware, ip: ipIn(studio, rng) }, { paymentHash: rng.pick(wallets), addressHash: rng.pick(drops), recipientHash: rng.pick(recipients) });
    }
    // Camouflage: a third of the crew also watches other rooms alone, on the carrier network, like anyone.
    for (const member of members.filter(() => rng.chance(0.35))) {
      for (const room of rng.sample(world.rooms, rng.int(2, 4))) sink.visit(room, member, room.startTs + rng.uniform(0.05, 0.8) * (room.endTs - room.startTs), { hardware: member.hardware, ip: carrierNatIp(rng, 'zh') });
    }
    truth.rings.push({ style: 'ring_order_crew', members: members.map((m) => m.accountId) });
  }

  // ── A camouflaged ring: every member has its own phone and watches like a viewer; the orders go through two cloud phones and the ring's wallets.
  {
    const cloud = Array.from({ length: 2 }, () => {
      const model = rng.pick(CLOUD_PHONE_HANDSETS);
      return { deviceId: world.ids.deviceId(), device: { model: model.model, os: rng.pick(model.os), emulator: false, rooted: true, cloudPhone: true } };
    });
    const wallets = Array.from({ length: 2 }, () => `pay_${rng.hex(20)}`);
    const drops = Array.from({ length: 3 }, () => world.ids.addressHash());
    const proxy = subnet24(rng);
    const members = Array.from({ length: rng.int(10, 16) }, () => person(world, world.startTs - rng.uniform(30, 400) * DAY, { ip: broadbandIp(rng, 'zh') }));
    members.forEach((member, i) => {
      for (const room of rng.sample(world.rooms, rng.int(1, 3))) sink.visit(room, member, room.startTs + rng.uniform(0.05, 0.8) * (room.endTs - room.startTs), { hardware: member.hardware, ip: member.ip });
      for (let k = 0; k < rng.int(1, 2); k++) {
        const room = rng.pick(shop);
        sink.visit(room, member, room.startTs + rng.uniform(0.1, 0.7) * (room.endTs - room.startTs), { hardware: cloud[i % 2] as Hardware, ip: ipIn(proxy, rng) }, {
          paymentHash: wallets[i % 2] as string, addressHash: rng.pick(drops), recipientHash: `rc_${rng.hex(20)}`,
        });
      }
    });
    truth.rings.push({ style: 'ring_camouflaged', members: members.map((m) => m.accountId) });
  }

  // ── Honest sharing.
  const honest = (member: Person, visits: number, orderShare: number, order: () => { paymentHash: string; addressHash: string; recipientHash: string }): void => {
    for (let v = 0; v < visits; v++) {
      const room = rng.pick(everywhere);
      const buys = items.get(room) && rng.chance(orderShare);
      sink.visit(room, member, room.startTs + rng.uniform(0.05, 0.8) * (room.endTs - room.startTs), { hardware: member.hardware, ip: member.ip }, buys ? order() : undefined);
    }
    truth.honestSharers.push(member.accountId);
  };
  // Households: two to four on one router and one address; a tablet some share, a card many share; sometimes they watch together.
  for (let h = 0; h < Math.max(6, Math.round(world.rooms.length / 2)); h++) {
    const ip = broadbandIp(rng, 'zh');
    const address = world.ids.addressHash();
    const card = `pay_${rng.hex(20)}`;
    const tablet = { ...handset(rng), deviceId: world.ids.deviceId() };
    const family = Array.from({ length: rng.int(2, 4) }, (_, i) => person(world, world.startTs - rng.uniform(100, 2_000) * DAY, { ip, addressHash: address, ...(i < 2 && h % 3 === 0 ? { hardware: tablet } : {}) }));
    const sharesCard = rng.chance(0.5);
    for (const member of family) honest(member, rng.int(1, 3), 0.5, () => ({ paymentHash: sharesCard ? card : member.paymentHash, addressHash: address, recipientHash: member.recipientHash }));
    if (rng.chance(0.5)) {
      const room = rng.pick(shop);
      const at = room.startTs + rng.uniform(0.1, 0.6) * (room.endTs - room.startTs);
      for (const member of family) sink.visit(room, member, at + rng.int(0, 30_000), { hardware: member.hardware, ip }, { paymentHash: sharesCard ? card : member.paymentHash, addressHash: address, recipientHash: member.recipientHash });
    }
  }
  // Offices: one wifi, parcels to the front desk, colleagues entering a room together at lunch.
  for (let o = 0; o < 2; o++) {
    const ip = broadbandIp(rng, 'zh');
    const desk = world.ids.addressHash();
    const staff = Array.from({ length: rng.int(20, 40) }, () => person(world, world.startTs - rng.uniform(100, 2_000) * DAY, { ip }));
    for (const member of staff) honest(member, rng.int(1, 3), 0.4, () => ({ paymentHash: member.paymentHash, addressHash: rng.chance(0.6) ? desk : member.addressHash, recipientHash: member.recipientHash }));
    for (const room of rng.sample(shop, 2)) {
      const at = room.startTs + rng.uniform(0.1, 0.6) * (room.endTs - room.startTs);
      for (const member of rng.sample(staff, 5)) sink.visit(room, member, at + rng.int(0, 50_000), { hardware: member.hardware, ip });
    }
  }
  // Carrier NAT: strangers on a handful of addresses of one block.
  {
    const block = carrierNatIp(rng, 'zh').split('.').slice(0, 3).join('.');
    const exits = Array.from({ length: 4 }, () => `${block}.${rng.int(1, 254)}`);
    for (let i = 0; i < 150; i++) {
      const member = person(world, world.startTs - rng.uniform(30, 2_000) * DAY, { ip: rng.pick(exits) });
      honest(member, rng.int(1, 2), 0.3, () => ({ paymentHash: member.paymentHash, addressHash: member.addressHash, recipientHash: member.recipientHash }));
    }
  }
  // Campus: students behind the campus NAT, roommates of four to six sharing a dorm address.
  {
    const campus = broadbandIp(rng, 'zh').split('.').slice(0, 3).join('.');
    const exits = Array.from({ length: 3 }, () => `${campus}.${rng.int(1, 254)}`);
    for (let dorm = 0; dorm < 14; dorm++) {
      const address = world.ids.addressHash();
      const roommates = Array.from({ length: rng.int(4, 6) }, () => person(world, world.startTs - rng.uniform(30, 1_200) * DAY, { ip: rng.pick(exits), addressHash: address }));
      for (const member of roommates) honest(member, rng.int(1, 3), 0.4, () => ({ paymentHash: member.paymentHash, addressHash: address, recipientHash: member.recipientHash }));
    }
  }

  sink.flush();
  sink.accountEvents.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  return { shops: shop, accountEvents: sink.accountEvents, truth };
}
