import type { DeviceInfo, RoomEvent } from '../../src/events/event.schema.js';
import type { SimAccount } from './accounts.js';
import type { Category, Locale, Sku } from './catalog.js';
import type { Rng } from './prng.js';

/** The generator's ground truth for one order; events and the expected audit both derive from it. */
export interface LedgerOrder {
  orderId: string;
  account: SimAccount;
  skuId: string;
  quantity: number;
  unitPrice: number;
  listPrice: number;
  placedAt: number;
  /** null: never paid (abandoned cart, flash-sale stock that timed out). */
  paidAt: number | null;
  refundedAt: number | null;
  refundAmount: number;
  /**
   * The refund events when there are several (a kickback refunded in two
   * steps), oldest first; `refundedAt` is the first and `refundAmount` their
   * sum. Absent: one refund of `refundAmount` at `refundedAt`.
   */
  refundSteps?: { at: number; amount: number }[];
  /** Where the order ships when not the account's own address (a pick-up point, the office). */
  shipTo?: string;
  /** (v2) What the order carries beyond v1 (`storefront.ts` fills it for honest orders); absent fields are not sent. */
  v2?: OrderV2;
}

/** The v2 fields of one order and its refund (CONTRACT.md v2 §1). */
export interface OrderV2 {
  couponId?: string;
  /** Minor units the coupon took off: the order pays unitPrice × quantity − discount. */
  discount?: number;
  recipientHash?: string;
  paymentAccountHash?: string;
  virtual?: boolean;
  category?: string;
  device?: DeviceInfo;
  /** On the refund: the goods came back (false: refund without return). */
  returned?: boolean;
  refundReason?: string;
}

/** What an order pays: unitPrice × quantity less its coupon's discount. */
export function paidAmount(order: Pick<LedgerOrder, 'unitPrice' | 'quantity' | 'v2'>): number {
  return order.unitPrice * order.quantity - (order.v2?.discount ?? 0);
}

export interface ViewerSession {
  account: SimAccount;
  joinAt: number;
  leaveAt: number;
}

export interface SalesClaim {
  at: number;
  gmv: number;
  orders: number;
}

export interface RoomSetup {
  roomId: string;
  streamId: string;
  merchantId: string;
  anchorId: string;
  startTs: number;
  endTs: number;
  currency: string;
  locale: Locale;
  category: Category;
  skus: Sku[];
  orderPrefix: string;
}

/** Platform `viewer.count` tick: how often the room pushes its displayed count. */
const COUNT_TICK_MS = 5_000;
/** Viewers still present when the stream ends are disconnected within this long. */
const END_DISCONNECT_MS = 4_000;

/**
 * Collects one stream's traffic. Interaction events are pushed as they are
 * drawn; stream boundaries, displayed counts and the order lifecycle are
 * emitted by `finish`, once every viewer and order is known.
 */
export class RoomBuilder {
  readonly events: RoomEvent[] = [];
  readonly sessions: ViewerSession[] = [];
  readonly orders: LedgerOrder[] = [];
  claim: SalesClaim | null = null;
  /** Claims the room published before `claim` (running totals, re-sends); `claim` is the one with the latest ts. */
  earlierClaims: SalesClaim[] = [];
  /** Viewers a count-inflation package adds to the displayed count, by event time. */
  displayedExtra: ((ts: number) => number) | null = null;
  /** Honest slack of the displayed count: logged-out and web viewers the join log never sees. */
  displayedMultiplier = 1.2;
  displayedLagMs = 8_000;

  private seq = 0;
  /** v2 events count apart, so adding them leaves every v1 event's id as it was. */
  private v2Seq = 0;
  private orderSeq = 0;
  private readonly busyUntil = new Map<string, number>();

  constructor(
    readonly setup: RoomSetup,
    readonly rng: Rng,
  ) {}

  get startTs(): number {
    return this.setup.startTs;
  }

  get endTs(): number {
    return this.setup.endTs;
  }

  /** True when the account is not already watching this room at `ts`. */
  isFree(account: SimAccount, ts: number): boolean {
    return (this.busyUntil.get(account.accountId) ?? -1) < ts;
  }

  /** One viewing session: a join, and a leave (at the latest just after the stream ends). */
  watch(account: SimAccount, joinAt: number, leaveAt: number): ViewerSession {
    const join = Math.round(Math.max(this.startTs, Math.min(joinAt, this.endTs - 1_000)));
    let leave = Math.round(Math.max(join + 1_000, leaveAt));
    if (leave >= this.endTs) leave = this.endTs + this.rng.int(50, END_DISCONNECT_MS);
    const session: ViewerSession = { account, joinAt: join, leaveAt: leave };
    this.sessions.push(session);
    this.busyUntil.set(account.accountId, leave);
    this.events.push({
      ...this.accountBase(account, join),
      type: 'viewer.joined',
      accountCreatedAt: account.createdAt,
      device: account.device,
    });
    this.events.push({ ...this.accountBase(account, leave), type: 'viewer.left' });
    return session;
  }

  like(account: SimAccount, ts: number, count: number): void {
    this.events.push({ ...this.accountBase(account, ts), type: 'like', count: Math.max(1, Math.round(count)) });
  }

  comment(account: SimAccount, ts: number, text: string): void {
    this.events.push({ ...this.accountBase(account, ts), type: 'comment', text });
  }

  order(
    account: SimAccount,
    placedAt: number,
    sku: { skuId: string; listPrice: number },
    unitPrice: number,
    quantity: number,
    lifecycle: { paidAt: number | null; refundedAt: number | null; refundAmount?: number },
  ): LedgerOrder {
    this.orderSeq++;
    const order: LedgerOrder = {
      orderId: `${this.setup.orderPrefix}${String(this.orderSeq).padStart(5, '0')}`,
      account,
      skuId: sku.skuId,
      quantity,
      unitPrice,
      listPrice: sku.listPrice,
      placedAt: Math.round(placedAt),
      paidAt: lifecycle.paidAt === null ? null : Math.round(lifecycle.paidAt),
      refundedAt: lifecycle.paidAt === null || lifecycle.refundedAt === null ? null : Math.round(lifecycle.refundedAt),
      refundAmount: 0,
    };
    if (order.refundedAt !== null) order.refundAmount = lifecycle.refundAmount ?? unitPrice * quantity;
    this.orders.push(order);
    return order;
  }

  /** (v2) A flash sale or limited purchase opening at `at` (`sale.opened`; the sender announces it ahead). */
  openSale(at: number, sale: { skuId: string; salePrice: number; listPrice: number; stock: number; perAccountLimit?: number }): void {
    const { roomId, streamId, currency } = this.setup;
    this.events.push({ id: this.nextV2Id(), type: 'sale.opened', roomId, streamId, ts: Math.round(at), currency, ...sale });
  }

  /** (v2) A coupon claimed in this room. */
  claimCoupon(account: SimAccount, ts: number, coupon: { couponId: string; campaignId: string; value: number; minSpend?: number }): void {
    this.events.push({ ...this.accountBase(account, ts, this.nextV2Id()), type: 'coupon.claimed', ...coupon, device: account.device });
  }

  /** Emits stream boundaries, displayed counts, order lifecycles and the sales claim; returns events in ts order. */
  finish(): RoomEvent[] {
    const { roomId, streamId, merchantId, anchorId } = this.setup;
    this.events.push({ id: this.nextId(), type: 'stream.started', roomId, streamId, ts: this.startTs, merchantId, anchorId });
    this.events.push({ id: this.nextId(), type: 'stream.ended', roomId, streamId, ts: this.endTs });
    this.emitDisplayedCounts();
    for (const order of this.orders) this.emitOrder(order);
    for (const claim of [...this.earlierClaims, ...(this.claim ? [this.claim] : [])]) {
      this.events.push({ id: this.nextId(), type: 'sales.claimed', roomId, streamId, ts: Math.round(claim.at), gmv: claim.gmv, orders: claim.orders });
    }
    // Array sort is stable: ties within a millisecond keep emission order, so the order is deterministic.
    return [...this.events].sort((a, b) => a.ts - b.ts);
  }

  private emitDisplayedCounts(): void {
    const joins = this.sessions.map((session) => session.joinAt).sort((a, b) => a - b);
    const leaves = this.sessions.map((session) => session.leaveAt).sort((a, b) => a - b);
    let joined = 0;
    let left = 0;
    let tick = this.startTs + this.rng.int(1_000, 4_000);
    while (tick < this.endTs) {
      const seenAt = tick - this.displayedLagMs;
      while (joined < joins.length && (joins[joined] ?? Infinity) <= seenAt) joined++;
      while (left < leaves.length && (leaves[left] ?? Infinity) <= seenAt) left++;
      const present = joined - left;
      const noise = 1 + this.rng.normal(0, 0.025);
      const extra = this.displayedExtra ? this.displayedExtra(tick) : 0;
      const displayed = Math.max(0, Math.round(present * this.displayedMultiplier * noise) + extra);
      this.events.push({
        id: this.nextId(),
        type: 'viewer.count',
        roomId: this.setup.roomId,
        streamId: this.setup.streamId,
        ts: tick,
        displayed,
      });
      tick += COUNT_TICK_MS + this.rng.int(-300, 300);
    }
  }

  private emitOrder(order: LedgerOrder): void {
    const account = order.account;
    const { returned, refundReason, ...placedV2 } = order.v2 ?? {};
    this.events.push({
      ...this.accountBase(account, order.placedAt),
      type: 'order.placed',
      orderId: order.orderId,
      skuId: order.skuId,
      quantity: order.quantity,
      unitPrice: order.unitPrice,
      listPrice: order.listPrice,
      currency: this.setup.currency,
      phoneHash: account.phoneHash,
      addressHash: order.shipTo ?? account.addressHash,
      ...placedV2,
    });
    if (order.paidAt !== null) {
      this.events.push({
        ...this.accountBase(account, order.paidAt),
        type: 'order.paid',
        orderId: order.orderId,
        amount: paidAmount(order),
      });
    }
    if (order.refundedAt !== null) {
      for (const step of order.refundSteps ?? [{ at: order.refundedAt, amount: order.refundAmount }]) {
        this.events.push({
          ...this.accountBase(account, step.at),
          type: 'order.refunded',
          orderId: order.orderId,
          amount: step.amount,
          ...(returned !== undefined ? { returned } : {}),
          ...(refundReason !== undefined ? { reason: refundReason } : {}),
        });
      }
    }
  }

  private accountBase(account: SimAccount, ts: number, id = this.nextId()) {
    return {
      id,
      roomId: this.setup.roomId,
      streamId: this.setup.streamId,
      ts: Math.round(ts),
      accountId: account.accountId,
      deviceId: account.deviceId,
      ip: account.ip,
    };
  }

  private nextId(): string {
    this.seq++;
    return `${this.setup.streamId}-${this.seq.toString(36).padStart(5, '0')}`;
  }

  private nextV2Id(): string {
    this.v2Seq++;
    return `${this.setup.streamId}-v2-${this.v2Seq.toString(36).padStart(4, '0')}`;
  }
}
