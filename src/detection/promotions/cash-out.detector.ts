import type { Finding } from '../engine/finding.js';
import type { CashOutAccountEvidence, CashOutBuyer, CashOutMerchantEvidence } from './promotions.evidence.js';
import { type MerchantFacts, type PromotionOrderFact, unreturnedTotal } from './promotion-facts.js';

export interface CashOutConfig {
  /** Virtual orders a shop needs before its shares mean anything. */
  minVirtualOrders: number;
  /**
   * Buyers tied by a device, phone, payment account or recipient (the game
   * or phone account a top-up goes to) before they are a linked group. A household shares a tablet between two or three people
   * (the simulator's households: a shared device in a quarter of them);
   * an operator runs three to six phones for ten to twenty-four accounts
   * and pays with a handful of cards. Networks are not links (carrier NAT,
   * office wifi).
   */
  linkedGroupSize: number;
  /**
   * The verdict needs these (or an operator-sized group in place of the
   * two shop-wide shares): virtual goods are a real part of
   * the shop (an electronics shop with one top-up is not a gift-card
   * shop); a third of the virtual money comes from linked groups (honest
   * gift-card shops: below 5 % in the simulator, households only); those
   * groups took a third of it back without return (the cash-out shops:
   * 60–90 %); and refunds without return are a real share of the shop's
   * virtual sales (honest gift-card shop: 2–5 %; a fresh-food shop's
   * spoiled goods are not virtual, so they never count here).
   */
  minVirtualShare: number;
  minLinkedShare: number;
  /**
   * A linked group this large counts as the buyers' links whatever its
   * share: a popular gift-card shop's honest sales dilute any share (the
   * simulator's busiest one: a 13-account ring paying 19 % of 676,000
   * yuan), but five or more accounts on shared phones or cards are past any
   * household (two or three on a tablet).
   */
  minLinkedGroupOfOperator: number;
  minLinkedRefundedShare: number;
  /** Shown, and required only without a group of `minLinkedGroupOfOperator`: a big honest shop dilutes it as it dilutes the linked share. */
  minRefundedWithoutReturnShare: number;
  /**
   * A shop that keeps the cash (the operator's accounts pay its codes with
   * credit, the platform settles the money to the shop, nothing comes back)
   * leaves no refund to see. It is judged on who pays it: an operator-sized
   * group (`minLinkedGroupOfOperator`) paying at least `minLinkedShare` of
   * its virtual money, each of its buyers (at the median) buying at least
   * this many times. Honest gift-card shops' linked buyers are households
   * (the simulator's twins: 0 % of their virtual money from groups of
   * three or more), and a family or an office that shares a card buys a
   * code now and then, not a run of dear ones.
   */
  minKeptOrdersPerBuyer: number;
  /** Buyers listed in a merchant report at most. */
  maxListed: number;
}

export const DEFAULT_CASH_OUT_CONFIG: CashOutConfig = {
  minVirtualOrders: 10,
  linkedGroupSize: 3,
  minVirtualShare: 0.2,
  minLinkedShare: 0.3,
  minLinkedGroupOfOperator: 5,
  minLinkedRefundedShare: 0.3,
  minRefundedWithoutReturnShare: 0.15,
  minKeptOrdersPerBuyer: 2,
  maxListed: 100,
};

export interface CashOutVerdict {
  merchantId: string;
  flagged: boolean;
  evidence: CashOutMerchantEvidence;
  /** The linked buyers that moved money through the shop. */
  accounts: string[];
  findings: Finding[];
}

interface ShopFigures {
  evidence: CashOutMerchantEvidence;
  flagged: boolean;
  accounts: CashOutBuyer[];
}

/**
 * Cash-out through one shop: linked accounts buying its virtual goods
 * (gift cards, game coins, top-ups), high value and again and again, and
 * taking the money back as refunds without return. The verdict combines
 * the shop's virtual share, its refunds without return, the buyers' links
 * and each buyer's money in and out; it is dated at the earliest event time
 * at which the shop's facts so far already justified it. A merchant
 * finding, and an account finding per (buyer, stream it bought in).
 */
export function judgeCashOut(facts: MerchantFacts, config: CashOutConfig = DEFAULT_CASH_OUT_CONFIG): CashOutVerdict {
  const final = figures(facts.orders, Number.POSITIVE_INFINITY, config);
  if (!final.flagged) return { merchantId: facts.merchantId, flagged: false, evidence: final.evidence, accounts: [], findings: [] };
  const detectedAt = firstFlaggedAt(facts.orders, config);
  const score = round(Math.min(1, 0.4 + final.evidence.linkedShare * 0.3 + final.evidence.linkedRefundedShare * 0.3));
  const accounts = final.accounts.map((buyer) => buyer.accountId).sort();
  const findings: Finding[] = [
    {
      kind: 'cash_out',
      subjectType: 'merchant',
      subjectId: facts.merchantId,
      roomId: null,
      streamId: null,
      score,
      severity: severityOf(score),
      summary: final.evidence.signals.includes('linkedRefundsWithoutReturn')
        ? `Shop ${facts.merchantId}: ${final.accounts.length} linked accounts bought its virtual goods and took ${percent(final.evidence.linkedRefundedShare)} back as refunds without return.`
        : `Shop ${facts.merchantId}: ${final.accounts.length} linked accounts paid ${percent(final.evidence.linkedShare)} of its virtual sales, again and again, and took nothing back: the money stayed with the shop.`,
      accounts: accounts.slice(0, config.maxListed),
      evidence: { ...final.evidence, score } as unknown as Record<string, unknown>,
      detectedAt,
    },
  ];
  const streamsOf = new Map<string, Map<string, { roomId: string; firstAt: number }>>();
  for (const order of facts.orders) {
    if (!order.virtual || order.placedAt === null) continue;
    const streams = streamsOf.get(order.accountId) ?? new Map<string, { roomId: string; firstAt: number }>();
    const seen = streams.get(order.streamId);
    if (!seen || order.placedAt < seen.firstAt) streams.set(order.streamId, { roomId: order.roomId, firstAt: order.placedAt });
    streamsOf.set(order.accountId, streams);
  }
  for (const buyer of final.accounts) {
    for (const [streamId, { roomId, firstAt }] of [...(streamsOf.get(buyer.accountId) ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const evidence: CashOutAccountEvidence = {
        score,
        merchantId: facts.merchantId,
        buyer,
        virtualShare: final.evidence.virtualShare,
        linkedShare: final.evidence.linkedShare,
      };
      findings.push({
        kind: 'cash_out',
        subjectType: 'account',
        subjectId: buyer.accountId,
        roomId,
        streamId,
        score,
        severity: severityOf(score),
        summary: `Account ${buyer.accountId} paid ${buyer.paidIn} for virtual goods of shop ${facts.merchantId} with ${buyer.linkedBuyers} linked buyers and got ${buyer.refundedOut} back without return.`,
        accounts: [buyer.accountId],
        evidence: evidence as unknown as Record<string, unknown>,
        detectedAt: Math.max(detectedAt, firstAt),
      });
    }
  }
  return { merchantId: facts.merchantId, flagged: true, evidence: { ...final.evidence, score }, accounts, findings };
}

/** The shop's figures from what was known at event time `at` (orders placed by then, payments and refunds by then). */
function figures(orders: readonly PromotionOrderFact[], at: number, config: CashOutConfig): ShopFigures {
  let paidAll = 0;
  let virtualPaid = 0;
  let virtualOrders = 0;
  let unreturned = 0;
  const virtual: Array<{ order: PromotionOrderFact; paid: number; unreturned: number }> = [];
  for (const order of orders) {
    if (order.placedAt === null || order.placedAt > at) continue;
    const paid = order.paidAt !== null && order.paidAt <= at ? order.paidAmount : 0;
    paidAll += paid;
    if (!order.virtual) continue;
    const refunds = order.refunds.filter((refund) => refund.at <= at);
    const back = unreturnedTotal({ refunds });
    virtualOrders++;
    virtualPaid += paid;
    unreturned += back;
    virtual.push({ order, paid, unreturned: back });
  }
  const groups = linkedGroups(virtual.map(({ order }) => order));
  const buyers = new Map<string, CashOutBuyer>();
  for (const { order, paid, unreturned: back } of virtual) {
    const buyer = buyers.get(order.accountId) ?? { accountId: order.accountId, virtualOrders: 0, paidIn: 0, refundedOut: 0, linkedBuyers: (groups.get(order.accountId) ?? 1) - 1 };
    buyer.virtualOrders++;
    buyer.paidIn += paid;
    buyer.refundedOut += back;
    buyers.set(order.accountId, buyer);
  }
  const linked = [...buyers.values()].filter((buyer) => buyer.linkedBuyers + 1 >= config.linkedGroupSize);
  const linkedPaid = linked.reduce((sum, buyer) => sum + buyer.paidIn, 0);
  const linkedBack = linked.reduce((sum, buyer) => sum + buyer.refundedOut, 0);
  const streams = new Set<string>();
  const rooms = new Set<string>();
  for (const { order } of virtual) {
    streams.add(order.streamId);
    rooms.add(order.roomId);
  }
  const share = (part: number, whole: number): number => (whole > 0 ? round(part / whole) : 0);
  const evidence: CashOutMerchantEvidence = {
    score: 0,
    signals: [],
    virtualShare: share(virtualPaid, paidAll),
    virtualPaid,
    virtualOrders,
    refundedWithoutReturn: unreturned,
    refundedWithoutReturnShare: share(unreturned, virtualPaid),
    linkedPaid,
    linkedShare: share(linkedPaid, virtualPaid),
    linkedGroups: new Set(linked.map((buyer) => groups.root(buyer.accountId))).size,
    linkedRefundedShare: share(linkedBack, linkedPaid),
    shopStreams: [...streams].sort().slice(0, 50),
    shopRooms: [...rooms].sort().slice(0, 50),
    cashOutBuyers: [...linked].sort((a, b) => b.paidIn - a.paidIn || (a.accountId < b.accountId ? -1 : 1)).slice(0, config.maxListed),
  };
  const groupSizes = new Map<string, number>();
  for (const buyer of linked) groupSizes.set(groups.root(buyer.accountId), (groupSizes.get(groups.root(buyer.accountId)) ?? 0) + 1);
  const operatorGroup = Math.max(0, ...groupSizes.values()) >= config.minLinkedGroupOfOperator;
  const signals: string[] = [];
  if (virtualOrders >= config.minVirtualOrders && evidence.virtualShare >= config.minVirtualShare) signals.push('virtualShare');
  if (evidence.linkedShare >= config.minLinkedShare) signals.push('linkedBuyers');
  if (operatorGroup) signals.push('operatorGroup');
  if (evidence.linkedRefundedShare >= config.minLinkedRefundedShare) signals.push('linkedRefundsWithoutReturn');
  if (evidence.refundedWithoutReturnShare >= config.minRefundedWithoutReturnShare) signals.push('refundsWithoutReturn');
  const ordersPerBuyer = linked.map((buyer) => buyer.virtualOrders).sort((a, b) => a - b);
  if (ordersPerBuyer.length > 0 && (ordersPerBuyer[ordersPerBuyer.length >> 1] as number) >= config.minKeptOrdersPerBuyer) signals.push('repeatLinkedBuyers');
  evidence.signals = signals;
  const has = (signal: string): boolean => signals.includes(signal);
  // Virtual goods, linked buyers taking it back without return, and either a shop-wide picture (shares) or an operator-sized group.
  const refundedOut =
    has('virtualShare') && has('linkedRefundsWithoutReturn') && ((has('linkedBuyers') && has('refundsWithoutReturn')) || has('operatorGroup'));
  // Or the cash kept: virtual goods, an operator-sized group paying a real part of them, again and again.
  const keptIn = has('virtualShare') && has('operatorGroup') && has('linkedBuyers') && has('repeatLinkedBuyers');
  const flagged = refundedOut || keptIn;
  // The accounts named: linked buyers who took money back or bought again and again.
  const accounts = flagged ? linked.filter((buyer) => buyer.refundedOut > 0 || buyer.virtualOrders >= 2) : [];
  return { evidence, flagged, accounts };
}

/** The earliest event time (order placed, paid or refunded) at which the facts known by then flag the shop. */
function firstFlaggedAt(orders: readonly PromotionOrderFact[], config: CashOutConfig): number {
  const times = new Set<number>();
  for (const order of orders) {
    if (order.placedAt !== null) times.add(order.placedAt);
    if (order.paidAt !== null) times.add(order.paidAt);
    for (const refund of order.refunds) times.add(refund.at);
  }
  const sorted = [...times].sort((a, b) => a - b);
  // Binary search for the first flagging moment; the verdict grows with the facts, so the search is sound where it matters.
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (figures(orders, sorted[middle] as number, config).flagged) high = middle;
    else low = middle + 1;
  }
  return sorted[low] ?? 0;
}

/** Buyers tied by a shared device, phone, payment account or recipient (the game account topped up) (union-find); `get` gives the size of an account's group. */
function linkedGroups(orders: readonly PromotionOrderFact[]): { get(accountId: string): number | undefined; root(accountId: string): string } {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    let node = x;
    while (parent.get(node) !== root) {
      const next = parent.get(node) as string;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const byIdentifier = new Map<string, string>();
  for (const order of orders) {
    if (!parent.has(order.accountId)) parent.set(order.accountId, order.accountId);
    const keys = [order.deviceId && `d:${order.deviceId}`, order.phoneHash && `p:${order.phoneHash}`, order.paymentAccountHash && `pay:${order.paymentAccountHash}`, order.recipientHash && `r:${order.recipientHash}`];
    for (const key of keys) {
      if (!key) continue;
      const other = byIdentifier.get(key);
      if (other === undefined) byIdentifier.set(key, order.accountId);
      else union(other, order.accountId);
    }
  }
  const sizes = new Map<string, number>();
  for (const account of parent.keys()) sizes.set(find(account), (sizes.get(find(account)) ?? 0) + 1);
  return { get: (accountId) => (parent.has(accountId) ? sizes.get(find(accountId)) : undefined), root: (accountId) => find(accountId) };
}

function severityOf(score: number): 'low' | 'medium' | 'high' {
  return score >= 0.85 ? 'high' : score >= 0.65 ? 'medium' : 'low';
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
