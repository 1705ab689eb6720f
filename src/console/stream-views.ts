/** A broadcast as the console lists it (the `streams` table). Times are event-time ms. */
export interface StreamSummary {
  streamId: string;
  roomId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  firstTs: number;
  lastTs: number;
}

/** One time bucket of a stream's timeline; `t` is the bucket's start (ms). */
export interface TimelinePoint {
  t: number;
  /** Highest `viewer.count.displayed` in the bucket; null when none was sent. */
  displayed: number | null;
  /** Distinct accounts joined and not yet left at the bucket's end. */
  present: number;
  joins: number;
  leaves: number;
  comments: number;
  orders: number;
  refunds: number;
  /** Sum of `order.paid.amount` in the bucket, minor units. */
  paidAmount: number;
  /** Sum of `order.refunded.amount` in the bucket, minor units. */
  refundedAmount: number;
}

/** What the stream's log holds past the timeline's window (late payments and refunds). */
export interface TimelineAfter {
  events: number;
  orders: number;
  refunds: number;
  paidAmount: number;
  refundedAmount: number;
  lastTs: number;
}

export interface StreamTimeline {
  stream: StreamSummary;
  /** The window the points cover, [from, to] in event-time ms. */
  from: number;
  to: number;
  bucketMs: number;
  points: TimelinePoint[];
  /** The currency of the stream's orders (money above is in its minor units); null before the first order. */
  currency: string | null;
  /** Events after `to`, summed; null when there are none. */
  after: TimelineAfter | null;
}

/** An account as seen in one stream: its first join (or first event), with what it shares with the others asked about. */
export interface StreamAccount {
  accountId: string;
  firstSeenAt: number;
  joined: boolean;
  accountCreatedAt: number | null;
  deviceId: string | null;
  ip: string | null;
  subnet: string | null;
  model: string | null;
  os: string | null;
  emulator: boolean | null;
  rooted: boolean | null;
  comments: number;
  likes: number;
  orders: number;
  /** How many other accounts of the same lookup share this device id, IP, subnet or model. */
  shared: { device: number; ip: number; subnet: number; model: number };
}
