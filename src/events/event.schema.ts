import { z } from 'zod';
import { cappedString, isStorableText, UNSTORABLE_MESSAGE } from '../platform/validation/storable-text.js';

/**
 * The one definition of a roomwatch event (CONTRACT.md §1): the zod schema is
 * the runtime check and `z.infer` of it is the TypeScript type, so the two can
 * never drift apart.
 */

const id = cappedString(128).min(1);

/**
 * Upper bounds on money and counts (CONTRACT.md §1 v2), chosen so that every
 * sum the service computes stays an exact JSON number (≤ 2^53 − 1 ≈ 9.007e15)
 * and every product an exact PostgreSQL bigint (≤ 2^63 − 1):
 *
 * - one price, payment or refund ≤ 10^10 minor units (100 million yuan, more
 *   than anything sold in a live room), and one order's value (listPrice ×
 *   quantity, unitPrice × quantity) ≤ 10^10 too, so a stream's Σ list value,
 *   Σ paid and Σ refunded stay exact up to 900,719 orders at that maximum
 *   (a real evening's orders average far below it, so far more orders);
 * - a claimed GMV ≤ 10^15 (10 trillion yuan, above any evening ever
 *   claimed), so claim − net and claim / net stay exact too;
 * - a claimed order count and a displayed viewer count ≤ 10^9 (more than
 *   any platform's audience; fits a PostgreSQL integer);
 * - event time ≤ 9999-12-31T23:59:59.999Z, the last instant ISO 8601 and
 *   `Date` both render;
 * - (v2) an order's `discount` ≤ unitPrice × quantity, so what was paid
 *   (unitPrice × quantity − discount) is never negative, and the Σ of a
 *   stream's discounts is bounded like its Σ paid;
 * - (v2) a coupon's `value` ≤ 10^8 minor units (one million yuan, above any
 *   coupon or red envelope), so a campaign's Σ value stays exact up to
 *   90 million claims (campaigns are claimed by the million; orders of one
 *   stream by the thousand); its `minSpend` is an order value (≤ 10^10);
 * - (v2) a flash sale's `stock` ≤ 10^9 (as counts: more than any audience)
 *   and its `perAccountLimit` ≤ 10^6 (as an order's quantity).
 *
 * Sums past these (a stream of more than ~900k maximum-value orders) are
 * still answered, marked inexact (sales audit) rather than failing.
 */
export const EVENT_BOUNDS = {
  money: 10_000_000_000,
  orderValue: 10_000_000_000,
  quantity: 1_000_000,
  claimedGmv: 1_000_000_000_000_000,
  count: 1_000_000_000,
  likeCount: 1_000_000,
  eventTime: 253_402_300_799_999,
  couponValue: 100_000_000,
  stock: 1_000_000_000,
  perAccountLimit: 1_000_000,
} as const;

/** Event time and account ages: integer milliseconds since the Unix epoch. */
const epochMs = z.number().int().min(0).max(EVENT_BOUNDS.eventTime);
/** Money in minor units (fen, cents): exact integers, never floats. */
const money = z.number().int().min(0).max(EVENT_BOUNDS.money);
/** A count that may be large (viewers shown, orders claimed). */
const count = z.number().int().min(0).max(EVENT_BOUNDS.count);

/** What every event has, in a room's stream or not. */
const common = {
  id,
  ts: epochMs,
  deviceId: id.optional(),
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be IPv4 or IPv6 text' }).optional(),
};
const base = { ...common, roomId: id, streamId: id };
const withAccount = { ...base, accountId: id };

const MAX_COMMENT_CODE_POINTS = 500;
const COMMENT_LENGTH_MESSAGE = `must be 1–${MAX_COMMENT_CODE_POINTS} characters`;

export const streamStartedSchema = z.object({
  ...base,
  accountId: id.optional(),
  type: z.literal('stream.started'),
  merchantId: id,
  anchorId: id.optional(),
});
export const streamEndedSchema = z.object({ ...base, accountId: id.optional(), type: z.literal('stream.ended') });

export const deviceSchema = z.object({
  model: cappedString(128).optional(),
  os: cappedString(128).optional(),
  emulator: z.boolean().optional(),
  rooted: z.boolean().optional(),
  /** (v2) An injection or hook framework (Xposed, Frida and the like) was detected. */
  hooked: z.boolean().optional(),
  /** (v2) A cloud phone: an Android instance rented in a data centre. */
  cloudPhone: z.boolean().optional(),
  /** (v2) An app cloner runs several instances of the app on one handset. */
  multiInstance: z.boolean().optional(),
});
export const viewerJoinedSchema = z.object({
  ...withAccount,
  type: z.literal('viewer.joined'),
  accountCreatedAt: epochMs.optional(),
  device: deviceSchema.optional(),
});
export const viewerLeftSchema = z.object({ ...withAccount, type: z.literal('viewer.left') });
export const viewerCountSchema = z.object({
  ...base,
  accountId: id.optional(),
  type: z.literal('viewer.count'),
  displayed: count,
});
export const likeSchema = z.object({
  ...withAccount,
  type: z.literal('like'),
  count: z.number().int().min(1).max(EVENT_BOUNDS.likeCount),
});
export const commentSchema = z.object({
  ...withAccount,
  type: z.literal('comment'),
  // 1–500 characters as people count them (code points, zod's `.max`), the
  // UTF-16 length checked first: a multi-megabyte text is never walked.
  text: cappedString(MAX_COMMENT_CODE_POINTS, COMMENT_LENGTH_MESSAGE).min(1, { error: COMMENT_LENGTH_MESSAGE }),
});
const currency = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as CNY' });
/** A short label a platform chooses (a category, a sign-up channel, a refund reason code). */
const label = (max: number) => cappedString(max).min(1);

export const orderPlacedSchema = z
  .object({
    ...withAccount,
    type: z.literal('order.placed'),
    orderId: id,
    skuId: id,
    quantity: z.number().int().min(1).max(EVENT_BOUNDS.quantity),
    unitPrice: money,
    listPrice: money,
    currency,
    phoneHash: id.optional(),
    addressHash: id.optional(),
    /** (v2) The claimed coupon this order used (`coupon.claimed.couponId`). */
    couponId: id.optional(),
    /** (v2) Minor units the coupon took off: the order pays unitPrice × quantity − discount. */
    discount: money.optional(),
    /** (v2) Hash of the recipient's name. */
    recipientHash: id.optional(),
    /** (v2) Hash of the paying account (card, wallet). */
    paymentAccountHash: id.optional(),
    /** (v2) Goods that need no delivery: gift cards, game coins, top-ups. */
    virtual: z.boolean().optional(),
    /** (v2) The item's category, as the platform names it. */
    category: label(128).optional(),
    /** (v2) The device the order was placed from, as in viewer.joined. */
    device: deviceSchema.optional(),
  })
  .refine(
    // A price or quantity past its own bound is already named; the product is checked on in-range fields only.
    (order) =>
      Math.max(order.unitPrice, order.listPrice) > EVENT_BOUNDS.money ||
      order.quantity > EVENT_BOUNDS.quantity ||
      Math.max(order.unitPrice, order.listPrice) * order.quantity <= EVENT_BOUNDS.orderValue,
    {
      path: ['quantity'],
      error: `must keep listPrice × quantity and unitPrice × quantity at most ${EVENT_BOUNDS.orderValue}`,
    },
  )
  .refine(
    // What was paid, unitPrice × quantity − discount, is never negative.
    (order) =>
      order.discount === undefined ||
      order.unitPrice > EVENT_BOUNDS.money ||
      order.quantity > EVENT_BOUNDS.quantity ||
      order.discount <= order.unitPrice * order.quantity,
    { path: ['discount'], error: 'must be at most unitPrice × quantity' },
  );
export const orderPaidSchema = z.object({ ...withAccount, type: z.literal('order.paid'), orderId: id, amount: money });
export const orderRefundedSchema = z.object({
  ...withAccount,
  type: z.literal('order.refunded'),
  orderId: id,
  amount: money,
  /** (v2) The goods came back; false is a refund without return. Absent: the platform did not say. */
  returned: z.boolean().optional(),
  /** (v2) Why, as the platform records it (a code or the buyer's words). */
  reason: label(500).optional(),
});
export const salesClaimedSchema = z.object({
  ...base,
  accountId: id.optional(),
  type: z.literal('sales.claimed'),
  gmv: z.number().int().min(0).max(EVENT_BOUNDS.claimedGmv),
  orders: count,
});

export const saleOpenedSchema = z.object({
  ...base,
  accountId: id.optional(),
  type: z.literal('sale.opened'),
  skuId: id,
  salePrice: money,
  listPrice: money,
  currency,
  stock: z.number().int().min(1).max(EVENT_BOUNDS.stock),
  perAccountLimit: z.number().int().min(1).max(EVENT_BOUNDS.perAccountLimit).optional(),
});

/** Fields an event that belongs to no room must not carry: it would otherwise be filed under a stream. */
const noStream = (type: string) => {
  const error = `must not be set: ${type} belongs to no room`;
  // JSON Schema has no "undefined": the API description says "no value is valid" (not {}).
  const absent = z.undefined({ error }).optional().meta({ type: 'null', not: {}, description: error });
  return { roomId: absent, streamId: absent };
};

export const couponClaimedSchema = z
  .object({
    ...common,
    // Coupons are also claimed outside rooms (a campaign page): roomId and streamId come together or not at all.
    roomId: id.optional(),
    streamId: id.optional(),
    accountId: id,
    type: z.literal('coupon.claimed'),
    couponId: id,
    campaignId: id,
    value: z.number().int().min(0).max(EVENT_BOUNDS.couponValue),
    minSpend: z.number().int().min(0).max(EVENT_BOUNDS.orderValue).optional(),
    device: deviceSchema.optional(),
  })
  .superRefine((claim, context) => {
    if ((claim.roomId === undefined) === (claim.streamId === undefined)) return;
    const missing = claim.roomId === undefined ? 'roomId' : 'streamId';
    const present = missing === 'roomId' ? 'streamId' : 'roomId';
    context.addIssue({ code: 'custom', path: [missing], message: `is required with ${present} (they come together or not at all)` });
  });

export const accountRegisteredSchema = z.object({
  ...common,
  ...noStream('account.registered'),
  accountId: id,
  type: z.literal('account.registered'),
  phoneHash: id.optional(),
  /** The sign-up source or campaign. */
  channel: label(128).optional(),
  device: deviceSchema.optional(),
});

export const roomEventSchema = z.discriminatedUnion('type', [
  streamStartedSchema,
  streamEndedSchema,
  viewerJoinedSchema,
  viewerLeftSchema,
  viewerCountSchema,
  likeSchema,
  commentSchema,
  orderPlacedSchema,
  orderPaidSchema,
  orderRefundedSchema,
  salesClaimedSchema,
  saleOpenedSchema,
  couponClaimedSchema,
  accountRegisteredSchema,
]);

/**
 * Any event of CONTRACT.md §1. Most belong to a room's stream; v2 adds
 * events that may not (`account.registered` never does, `coupon.claimed`
 * outside a room): see `StreamEvent` and `isStreamEvent`.
 */
export type RoomEvent = z.infer<typeof roomEventSchema>;
export type RoomEventType = RoomEvent['type'];
export type EventOf<T extends RoomEventType> = Extract<RoomEvent, { type: T }>;
/** An event of one room's stream: what the engine, the streams directory and the order ledger take. */
export type StreamEvent = RoomEvent & { roomId: string; streamId: string };

/** Whether the event belongs to a room's stream (all v1 types; v2 account and off-room coupon events do not). */
export function isStreamEvent(event: RoomEvent): event is StreamEvent {
  return event.roomId !== undefined && event.streamId !== undefined;
}

/**
 * Whether the event's ts is when something happened in its stream, so it
 * may move the stream's clock. A `sale.opened` is announced ahead of its ts
 * (the official opening, CONTRACT.md §1): taken as a clock, it would make
 * the stream's events of the seconds before it look late.
 */
export function advancesStreamClock(event: RoomEvent): boolean {
  return event.type !== 'sale.opened' && isStreamEvent(event);
}

/** Order lifecycle events that trickle in long after a stream (payments, refunds, claims): not live activity. */
const TRAILING_TYPES: ReadonlySet<string> = new Set(['order.paid', 'order.refunded', 'sales.claimed']);

/**
 * Whether the event is something happening live in its stream: it moves the
 * stream's clock and is not an order's payment, refund or claim, which come
 * days later. The clock of "how recent is recent" across streams (the
 * engine's memory valve, the restart replay's horizon, detection lag) runs
 * on these: a connection that has sent its refunds of last week is not days
 * ahead of one still carrying tonight's rooms.
 */
export function isLiveActivity(event: RoomEvent): boolean {
  return advancesStreamClock(event) && !TRAILING_TYPES.has(event.type);
}
export type StreamStarted = EventOf<'stream.started'>;
export type ViewerJoined = EventOf<'viewer.joined'>;
export type ViewerCount = EventOf<'viewer.count'>;
export type CommentEvent = EventOf<'comment'>;
export type OrderPlaced = EventOf<'order.placed'>;
export type OrderPaid = EventOf<'order.paid'>;
export type OrderRefunded = EventOf<'order.refunded'>;
export type SalesClaimed = EventOf<'sales.claimed'>;
export type SaleOpened = EventOf<'sale.opened'>;
export type CouponClaimed = EventOf<'coupon.claimed'>;
export type AccountRegistered = EventOf<'account.registered'>;
export type DeviceInfo = z.infer<typeof deviceSchema>;

export const ROOM_EVENT_TYPES = roomEventSchema.options.map((option) => option.shape.type.value) as RoomEventType[];

export type EventValidation = { ok: true; event: RoomEvent } | { ok: false; id?: string; error: string };

/**
 * Validates one untrusted value. The error names the offending field
 * (`text: must be 1–500 characters`), so a platform engineer can fix the
 * sender without reading our code.
 */
export function validateEvent(input: unknown): EventValidation {
  const candidateId =
    typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string'
      ? ((input as { id: string }).id.slice(0, 128) as string)
      : undefined;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'event: must be a JSON object' };
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !(ROOM_EVENT_TYPES as string[]).includes(type)) {
    // The valid types are listed in CONTRACT.md §1, not in every rejection:
    // a batch of 1000 untyped events would otherwise ack 180 KB.
    return { ok: false, id: candidateId, error: type === undefined ? 'type: is required' : 'type: not an event type of CONTRACT.md §1' };
  }
  // A per-call error map takes zod off its compiled fast path (≈ 3 µs an
  // event), so good events parse plain and only a bad one is parsed again
  // for messages a sender can act on.
  const result = roomEventSchema.safeParse(input);
  if (result.success) {
    const unstorable = unstorableField(result.data);
    if (unstorable) return { ok: false, id: candidateId, error: `${unstorable}: ${UNSTORABLE_MESSAGE}` };
    return { ok: true, event: result.data };
  }
  const explained = roomEventSchema.safeParse(input, { error: plainMessage });
  return { ok: false, id: candidateId, error: formatIssues((explained.error ?? result.error).issues) };
}

// PostgreSQL text and jsonb refuse NUL and unpaired UTF-16 surrogates; such
// an event would fail the whole group-commit flush it shares with others.

/** The first string field PostgreSQL could not store, by its path. */
function unstorableField(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path || 'event';
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = unstorableField(inner, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/** Messages a sender can act on: "is required", "must be an integer". */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    // JSON's 1e400 parses to Infinity: a number to JavaScript, never a valid field.
    if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return 'must be a finite integer';
    if (issue.expected === 'int') return 'must be an integer';
    return `must be a ${issue.expected}, got ${issue.input === null ? 'null' : typeof issue.input}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  if (issue.code === 'too_big' && issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
  if (issue.code === 'too_small' && (issue.origin === 'number' || issue.origin === 'int')) return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && (issue.origin === 'number' || issue.origin === 'int')) return `must be at most ${String(issue.maximum)}`;
  return undefined;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'event'}: ${issue.message}`)
    .join('; ');
}
