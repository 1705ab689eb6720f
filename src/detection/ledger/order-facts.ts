/**
 * The facts the order detectors judge, as the order ledger knows them. Plain
 * data: the pipeline's ledger stages read them from PostgreSQL, the specs
 * write them by hand. Money is integer minor units; times are event time (ms).
 */

export interface RefundFact {
  amount: number;
  at: number;
  /** (v2) `order.refunded.returned`: the goods came back (true) or stayed with the buyer (false); null or omitted when not said. */
  returned?: boolean | null;
}

export interface OrderFact {
  orderId: string;
  accountId: string;
  deviceId: string | null;
  ip: string | null;
  /** /24 or /64 of ip (src/detection/shared/network.ts). */
  subnet: string | null;
  phoneHash: string | null;
  addressHash: string | null;
  skuId: string | null;
  quantity: number | null;
  unitPrice: number | null;
  listPrice: number | null;
  /** null until order.placed arrives (a payment or refund can come first). */
  placedAt: number | null;
  paidAt: number | null;
  /** 0 when unpaid. */
  paidAmount: number;
  /** Every refund of the order, oldest first; their amounts add up. */
  refunds: RefundFact[];
  /** ISO 4217 of order.placed; null until it arrives (omitted: one currency for the stream). */
  currency?: string | null;
  /** (v2) `order.placed.virtual`: goods that need no delivery (gift cards, game coins, top-ups); null or omitted when not said. */
  virtual?: boolean | null;
  /** (v2) `order.placed.category`, as the platform names it; null or omitted when not said. */
  category?: string | null;
}

export interface StreamOrderFacts {
  roomId: string;
  streamId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  orders: OrderFact[];
  /**
   * The stream's own clock: the latest event time of any of its events the
   * ledger has seen (payments and refunds included). Whether an order's
   * payment can still come within its window is judged against it, never
   * against other streams' time. Omitted: everything is known.
   */
  knownThrough?: number | null;
}

/**
 * One refunded order in another stream, of a candidate account or of an
 * account sharing a device, phone or address with one: the history across
 * rooms and merchants.
 */
export interface AccountHistoryOrder {
  accountId: string;
  streamId: string;
  roomId: string;
  merchantId: string | null;
  /** The order's identifiers (omitted by callers that only look for the same account elsewhere). */
  deviceId?: string | null;
  phoneHash?: string | null;
  addressHash?: string | null;
  startedAt: number | null;
  endedAt: number | null;
  placedAt: number | null;
  paidAt: number | null;
  paidAmount: number;
  refundedAmount: number;
  firstRefundAt: number | null;
}

export interface SalesClaimFact {
  gmv: number;
  orders: number;
  /** Event time of the claim. */
  claimedAt: number;
}

export function refundedAmount(order: Pick<OrderFact, 'refunds'>): number {
  let total = 0;
  for (const refund of order.refunds) total += refund.amount;
  return total;
}

export function refundedBy(order: Pick<OrderFact, 'refunds'>, at: number): number {
  let total = 0;
  for (const refund of order.refunds) if (refund.at <= at) total += refund.amount;
  return total;
}

export function firstRefundAt(order: Pick<OrderFact, 'refunds'>): number | null {
  let first: number | null = null;
  for (const refund of order.refunds) if (first === null || refund.at < first) first = refund.at;
  return first;
}

/** Everything the ledger detectors judge one stream on: its facts, its accounts' history elsewhere, its claim. */
export interface StreamOrderInput {
  facts: StreamOrderFacts;
  history: readonly AccountHistoryOrder[];
  claim: SalesClaimFact | null;
  /**
   * Distinct accounts that used each identifier (`device:…`, `phone:…`,
   * `address:…`) in any stream over the history horizon, for the
   * identifiers of the candidates and of the history's linked orders.
   * Omitted: no ring across rooms is looked for.
   */
  identifierUsers?: ReadonlyMap<string, number>;
}
