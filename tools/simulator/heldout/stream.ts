import type { DeviceInfo, RoomEvent } from '../../../src/events/event.schema.js';
import type { Category, Locale } from '../catalog.js';
import type { Rng } from '../prng.js';
import { MINUTE, SECOND, sessionIp, type HoAccount } from './world.js';

/** A product on sale in the stream, prices in minor units. */
export interface HoSku {
  skuId: string;
  listPrice: number;
  /** The everyday live-room price. */
  livePrice: number;
  /** (v2) Sent on its orders when set: goods that need no delivery, and the platform's category. */
  virtual?: boolean;
  category?: string;
}

/** One stretch of the show in which the host presents one product. */
export interface Segment {
  sku: HoSku;
  from: number;
  to: number;
  /** A flash price for a short window at the segment's start, when the host counts down. */
  flash: { price: number; at: number; stock: number } | null;
}

export interface HoSession {
  account: HoAccount;
  joinAt: number;
  leaveAt: number;
}

/** Ground truth of one order; the events and the expected audit both come from it. */
export interface HoOrder {
  orderId: string;
  accountId: string;
  skuId: string;
  quantity: number;
  unitPrice: number;
  listPrice: number;
  placedAt: number;
  paidAt: number | null;
  refundedAt: number | null;
  refundAmount: number;
  /** (v2) What a coupon took off; paid is unitPrice × quantity − discount. */
  discount: number;
  couponId?: string;
}

/** (v2) Order fields of the contract's v2; absent fields are not sent. */
export interface OrderExtras {
  couponId?: string;
  discount?: number;
  recipientHash?: string;
  paymentAccountHash?: string;
  virtual?: boolean;
  category?: string;
  device?: DeviceInfo;
  /** Overrides the contact phone and the address sent (made-up or obscured ones). */
  phoneHash?: string;
  addressHash?: string;
}

/** (v2) How a refund is recorded. */
export interface RefundExtras {
  returned?: boolean;
  reason?: string;
}

/** (v2) A coupon handed to one account. */
export interface CouponGrant {
  couponId: string;
  campaignId: string;
  value: number;
  minSpend?: number;
}

export interface StreamSetup {
  roomId: string;
  streamId: string;
  merchantId: string;
  anchorId: string;
  startTs: number;
  endTs: number;
  currency: string;
  locale: Locale;
  category: Category;
  skus: HoSku[];
  segments: Segment[];
  /** Starts with `ho-o`; unique per stream. */
  orderPrefix: string;
  /** (v2) Gives an account seen here its payment account and recipient when it has none yet. */
  equip?: (account: HoAccount) => void;
  /** (v2) Sends the ordering device on each order. */
  orderDevice?: boolean;
  /** (v2) A flash-sale product cannot be bought before its opening (the page shows a countdown). */
  flashLocked?: boolean;
  /** (v2) How a refund with no record of its own is recorded (returned or not, why). */
  refundRecord?: (sku: HoSku) => RefundExtras;
}

/**
 * Where every account is tonight, across rooms: one app shows one room at a
 * time, so neither a viewer nor a farmed account is ever in two rooms at once.
 */
export class ViewingCalendar {
  private readonly booked = new Map<string, [number, number][]>();

  isFree(accountId: string, from: number, to: number): boolean {
    return (this.booked.get(accountId) ?? []).every(([bookedFrom, bookedTo]) => to < bookedFrom || from > bookedTo);
  }

  book(accountId: string, from: number, to: number): void {
    const intervals = this.booked.get(accountId);
    if (intervals) intervals.push([from, to]);
    else this.booked.set(accountId, [[from, to]]);
  }
}

/** Streams end by disconnecting whoever is still there within a few seconds. */
const END_DISCONNECT_MS = 6_000;

/**
 * Collects one stream's events as they are drawn and keeps the order ledger.
 * The displayed count is this platform's own: a smoothed, lagged estimate of
 * present viewers times a slowly drifting factor for viewers the join log
 * never sees (web, logged-out, mini-program), published every ~10 s.
 */
export class HoStream {
  readonly events: RoomEvent[] = [];
  readonly sessions: HoSession[] = [];
  readonly orders: HoOrder[] = [];
  claim: { at: number; gmv: number; orders: number } | null = null;
  /** Viewers a count-only package adds to the displayed figure at a given time. */
  displayedExtra: ((ts: number) => number) | null = null;

  private seq = 0;
  private orderSeq = 0;

  constructor(
    readonly setup: StreamSetup,
    readonly rng: Rng,
    private readonly calendar: ViewingCalendar = new ViewingCalendar(),
  ) {}

  get startTs(): number {
    return this.setup.startTs;
  }

  get endTs(): number {
    return this.setup.endTs;
  }

  /** The product the host is presenting at `ts`. */
  segmentAt(ts: number): Segment {
    return this.setup.segments.find((segment) => ts >= segment.from && ts < segment.to) ?? (this.setup.segments[this.setup.segments.length - 1] as Segment);
  }

  /** (v2) True when `ts` falls in a flash segment before the opening of a stream whose flash products are locked until then. */
  lockedAt(ts: number): boolean {
    const flash = this.segmentAt(ts).flash;
    return this.setup.flashLocked === true && flash !== null && ts < flash.at;
  }

  /** True when the account is not watching this or any other room at `ts`. */
  isFree(account: HoAccount, ts: number): boolean {
    return this.calendar.isFree(account.accountId, ts, ts);
  }

  /** A viewing session, or null when the account is elsewhere (here or in another room) at some point of it. */
  watch(account: HoAccount, joinAt: number, leaveAt: number): HoSession | null {
    const join = Math.round(Math.max(this.startTs + 500, Math.min(joinAt, this.endTs - 2 * SECOND)));
    let leave = Math.round(Math.max(join + 2 * SECOND, leaveAt));
    if (leave >= this.endTs) leave = this.endTs + this.rng.int(100, END_DISCONNECT_MS);
    if (!this.calendar.isFree(account.accountId, join, leave)) return null;
    this.setup.equip?.(account);
    const ip = sessionIp(this.rng, account, this.setup.locale);
    this.calendar.book(account.accountId, join, leave);
    const session: HoSession = { account, joinAt: join, leaveAt: leave };
    this.sessions.push(session);
    this.events.push({ ...this.base(account, join, ip), type: 'viewer.joined', accountCreatedAt: account.createdAt, device: account.device });
    this.events.push({ ...this.base(account, leave, ip), type: 'viewer.left' });
    return session;
  }

  /** Taps after the stream has ended go nowhere: the room is closed, so the platform sends none. */
  like(account: HoAccount, ts: number, taps: number): void {
    if (Math.round(ts) > this.endTs) return;
    this.events.push({ ...this.base(account, ts, account.ip), type: 'like', count: Math.max(1, Math.round(taps)) });
  }

  /** Like taps, a comment typed after the end is never sent. */
  comment(account: HoAccount, ts: number, text: string): void {
    if (Math.round(ts) > this.endTs) return;
    this.events.push({ ...this.base(account, ts, account.ip), type: 'comment', text });
  }

  /** Places an order and its payment and refund, which may fall days after the stream. */
  order(
    account: HoAccount,
    placedAt: number,
    sku: HoSku,
    unitPrice: number,
    quantity: number,
    lifecycle: { paidAfter: number | null; refundAt?: number | null; refundAmount?: number; refund?: RefundExtras },
    extras?: OrderExtras,
  ): HoOrder {
    const placed = Math.round(placedAt);
    if (placed > this.endTs) throw new Error(`order: placed at ${placed}, after the stream ended at ${this.endTs}`);
    this.orderSeq++;
    const paidAt = lifecycle.paidAfter === null ? null : placed + Math.max(1, Math.round(lifecycle.paidAfter));
    const refundedAt = paidAt === null || lifecycle.refundAt === undefined || lifecycle.refundAt === null ? null : Math.max(paidAt + 1, Math.round(lifecycle.refundAt));
    this.setup.equip?.(account);
    const sent: OrderExtras = {
      ...(account.recipientHash === undefined ? {} : { recipientHash: account.recipientHash }),
      ...(account.paymentHash === undefined ? {} : { paymentAccountHash: account.paymentHash }),
      ...(sku.virtual === undefined ? {} : { virtual: sku.virtual }),
      ...(sku.category === undefined ? {} : { category: sku.category }),
      ...(this.setup.orderDevice ? { device: account.device } : {}),
      ...extras,
    };
    const discount = extras?.discount ?? 0;
    const paid = unitPrice * quantity - discount;
    const order: HoOrder = {
      orderId: `${this.setup.orderPrefix}${String(this.orderSeq).padStart(5, '0')}`,
      accountId: account.accountId,
      skuId: sku.skuId,
      quantity,
      unitPrice,
      listPrice: sku.listPrice,
      placedAt: placed,
      paidAt,
      refundedAt,
      refundAmount: refundedAt === null ? 0 : Math.min(paid, Math.max(1, Math.round(lifecycle.refundAmount ?? paid))),
      discount,
      ...(extras?.couponId === undefined ? {} : { couponId: extras.couponId }),
    };
    this.orders.push(order);
    const ip = account.ip;
    this.events.push({
      ...this.base(account, placed, ip),
      type: 'order.placed',
      orderId: order.orderId,
      skuId: sku.skuId,
      quantity,
      unitPrice,
      listPrice: sku.listPrice,
      currency: this.setup.currency,
      phoneHash: extras?.phoneHash ?? account.phoneHash,
      addressHash: extras?.addressHash ?? account.addressHash,
      ...v2OrderFields(sent),
    });
    if (paidAt !== null) this.events.push({ ...this.base(account, paidAt, ip), type: 'order.paid', orderId: order.orderId, amount: paid });
    if (refundedAt !== null) {
      this.events.push({ ...this.base(account, refundedAt, ip), type: 'order.refunded', orderId: order.orderId, amount: order.refundAmount, ...(lifecycle.refund ?? this.setup.refundRecord?.(sku)) });
    }
    return order;
  }

  /** (v2) The platform announces a flash sale of the segment's product; `ts` is the official opening. */
  saleOpened(segment: Segment, perAccountLimit: number): void {
    const flash = segment.flash;
    if (!flash) throw new Error('saleOpened: the segment has no flash sale');
    this.events.push({
      id: this.nextId(),
      type: 'sale.opened',
      roomId: this.setup.roomId,
      streamId: this.setup.streamId,
      ts: Math.round(flash.at),
      skuId: segment.sku.skuId,
      salePrice: flash.price,
      listPrice: segment.sku.listPrice,
      currency: this.setup.currency,
      stock: flash.stock,
      perAccountLimit,
    });
  }

  /** (v2) A coupon claimed in this room, from the device the account holds at that moment. */
  claimCoupon(account: HoAccount, ts: number, grant: CouponGrant, device: DeviceInfo = account.device): void {
    if (Math.round(ts) > this.endTs) return;
    this.events.push({
      ...this.base(account, ts, account.ip),
      type: 'coupon.claimed',
      couponId: grant.couponId,
      campaignId: grant.campaignId,
      value: grant.value,
      ...(grant.minSpend === undefined ? {} : { minSpend: grant.minSpend }),
      device,
    });
  }

  /** Frames the stream, publishes displayed counts and the claim; returns the events in ts order. */
  finish(): RoomEvent[] {
    const { roomId, streamId, merchantId, anchorId } = this.setup;
    this.events.push({ id: this.nextId(), type: 'stream.started', roomId, streamId, ts: this.startTs, merchantId, anchorId });
    this.events.push({ id: this.nextId(), type: 'stream.ended', roomId, streamId, ts: this.endTs });
    this.publishDisplayedCounts();
    if (this.claim) {
      this.events.push({ id: this.nextId(), type: 'sales.claimed', roomId, streamId, ts: Math.round(this.claim.at), gmv: this.claim.gmv, orders: this.claim.orders });
    }
    // stream.started first at equal ts, otherwise emission order; sorting indices over
    // typed arrays keeps the comparator off the events' many shapes.
    const count = this.events.length;
    const ts = new Float64Array(count);
    const ranks = new Uint8Array(count);
    this.events.forEach((event, index) => {
      ts[index] = event.ts;
      ranks[index] = rank(event);
    });
    const order = Array.from({ length: count }, (_, index) => index);
    order.sort((a, b) => (ts[a] as number) - (ts[b] as number) || (ranks[a] as number) - (ranks[b] as number) || a - b);
    return order.map((index) => this.events[index] as RoomEvent);
  }

  private publishDisplayedCounts(): void {
    const changes: [number, number][] = [];
    for (const session of this.sessions) {
      changes.push([session.joinAt, 1], [session.leaveAt, -1]);
    }
    changes.sort((a, b) => a[0] - b[0]);
    const lagMs = this.rng.int(8, 20) * SECOND;
    let factor = this.rng.uniform(1.1, 1.4);
    let present = 0;
    let cursor = 0;
    let smoothed = 0;
    let tick = this.startTs + this.rng.int(2, 9) * SECOND;
    while (tick < this.endTs) {
      const seenAt = tick - lagMs;
      while (cursor < changes.length && (changes[cursor]?.[0] ?? Infinity) <= seenAt) present += changes[cursor++]?.[1] ?? 0;
      // The platform smooths its estimate so the count glides rather than jumps on each join.
      smoothed = smoothed === 0 ? present : smoothed * 0.6 + present * 0.4;
      factor = Math.min(1.5, Math.max(1.05, factor + this.rng.normal(0, 0.004)));
      const extra = this.displayedExtra ? Math.max(0, Math.round(this.displayedExtra(tick))) : 0;
      const displayed = Math.max(0, Math.round(smoothed * factor * (1 + this.rng.normal(0, 0.015))) + extra);
      this.events.push({ id: this.nextId(), type: 'viewer.count', roomId: this.setup.roomId, streamId: this.setup.streamId, ts: tick, displayed });
      // Occasionally the platform skips a publication (a CDN hiccup).
      tick += (this.rng.chance(0.03) ? 2 : 1) * (10 * SECOND + this.rng.int(-700, 700));
    }
  }

  private base(account: HoAccount, ts: number, ip: string) {
    return {
      id: this.nextId(),
      roomId: this.setup.roomId,
      streamId: this.setup.streamId,
      ts: Math.round(ts),
      accountId: account.accountId,
      deviceId: account.deviceId,
      ip,
    };
  }

  private nextId(): string {
    this.seq++;
    return `${this.setup.streamId}-e${this.seq.toString(36).padStart(5, '0')}`;
  }
}

/** The v2 fields an order carries, leaving out the ones not set (and the contact overrides, sent in their own fields). */
function v2OrderFields(extras: OrderExtras): Omit<OrderExtras, 'phoneHash' | 'addressHash'> {
  const { couponId, discount, recipientHash, paymentAccountHash, virtual, category, device } = extras;
  return {
    ...(couponId === undefined ? {} : { couponId }),
    ...(discount === undefined ? {} : { discount }),
    ...(recipientHash === undefined ? {} : { recipientHash }),
    ...(paymentAccountHash === undefined ? {} : { paymentAccountHash }),
    ...(virtual === undefined ? {} : { virtual }),
    ...(category === undefined ? {} : { category }),
    ...(device === undefined ? {} : { device }),
  };
}

function rank(event: RoomEvent): number {
  if (event.type === 'stream.started') return 0;
  if (event.type === 'stream.ended') return 2;
  return 1;
}

/** Minutes into the stream, for readability of schedules. */
export function minutes(stream: HoStream, count: number): number {
  return stream.startTs + count * MINUTE;
}
