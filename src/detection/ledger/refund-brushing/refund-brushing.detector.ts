import type { Finding } from '../../engine/finding.js';
import { combineScores, round3, severityOf } from '../../shared/scoring.js';
import {
  type AccountHistoryOrder,
  type OrderFact,
  type StreamOrderFacts,
  firstRefundAt,
  refundedAmount,
} from '../order-facts.js';
import { DEFAULT_REFUND_BRUSHING_CONFIG, type RefundBrushingConfig } from './refund-brushing.config.js';

/** How one order was refunded relative to its stream. */
export type RefundPattern = 'fast_post_end' | 'post_end' | 'late_post_end' | 'in_stream' | null;

type IdentifierKind = 'device' | 'phone' | 'address' | 'ip';
type StrongIdentifierKind = Exclude<IdentifierKind, 'ip'>;

export interface AccountSignals {
  accountId: string;
  timing: { pattern: Exclude<RefundPattern, null>; score: number; patternOrders: number; patternShare: number };
  ring: { score: number; groupSize: number; linkedBy: IdentifierKind[]; viaSubnet: string | null } | null;
  /** Linked by a device, phone or address to accounts that did the same in other streams: one operator's ring. */
  operator: { score: number; accounts: number; accountsHere: number; linkedBy: StrongIdentifierKind[]; streams: string[] } | null;
  crossRoom: { score: number; rooms: number; merchants: number; streams: string[] } | null;
  overpay: { score: number; orders: number; skus: string[] } | null;
  repeat: { score: number; patternOrders: number } | null;
  /**
   * Took the opening of flash sales whose later buyers kept theirs, or was
   * refunded in several such sales with others doing the same (`team`
   * accounts), and was refunded.
   */
  flashGrab: { score: number; sales: number; skus: string[]; team: number } | null;
  /**
   * Refunded most of the price but not a whole number of pieces: a
   * commission kept; `sameShareAccounts` / `sameAmountAccounts` candidates
   * kept the same share, or the same fee per order.
   */
  kickback: { score: number; keptShare: number; keptPerOrder: number; sameShareAccounts: number; sameAmountAccounts: number; oddRefundAccounts: number } | null;
  /**
   * One of many buyers of a SKU refunded after the stream, each on their own
   * time: a task handed out to hired buyers (`backedAccounts` of them carry
   * another indication as well).
   */
  wave: { score: number; skuId: string; accounts: number; buyers: number; backedAccounts: number } | null;
  score: number;
  flagged: boolean;
  /** Paid money of the account's orders in the stream, and how much of it was refunded. */
  paid: number;
  refunded: number;
  /** Latest first-refund time among its pattern orders: when the evidence was complete. */
  evidenceAt: number;
}

export interface RefundBrushingVerdict {
  accounts: AccountSignals[];
  flaggedAccounts: string[];
  /** Σ paid of the flagged accounts' orders in the stream. */
  brushedPaid: number;
  findings: Finding[];
}

/**
 * How an order was refunded: placed and paid while the stream ran and
 * (almost) fully refunded soon after its end, or already during it.
 */
export function refundPattern(
  order: Pick<OrderFact, 'paidAt' | 'paidAmount' | 'refunds'> & Partial<Pick<OrderFact, 'quantity' | 'unitPrice' | 'virtual' | 'category'>> & { placedAt: number | null },
  stream: { startedAt: number | null; endedAt: number | null },
  config: RefundBrushingConfig['timing'],
): RefundPattern {
  const { startedAt, endedAt } = stream;
  // Virtual goods (gift cards, top-ups) bought and refunded by linked accounts are cash-out, judged by
  // cash_out with the shop's virtual share; brushing fakes the room's sales of goods it ships. Counting
  // them here named every cash-out ring twice, under the wrong kind (eval, promotions' cash_out_shop).
  if (order.virtual === true) return null;
  if (endedAt === null || order.paidAt === null || order.paidAmount <= 0 || order.paidAmount < config.minOrderPaid) return null;
  const start = (startedAt ?? Number.NEGATIVE_INFINITY) - config.startGraceMs;
  if (order.paidAt < start || order.paidAt > endedAt + config.paymentGraceMs) return null;
  if (order.placedAt !== null && (order.placedAt < start || order.placedAt > endedAt)) return null;
  const first = firstRefundAt(order);
  if (first === null) return null;
  const back = refundedAmount(order);
  // Most of the money back but not whole pieces (a commission kept) counts from `minKickbackRefundedShare`;
  // whole pieces from `minRefundedShare` (one of two sent back is an ordinary return). History rows carry no pieces.
  const kickback = order.quantity !== undefined && back >= order.paidAmount * config.minKickbackRefundedShare && commissionShaped(order, back, config);
  if (back < order.paidAmount * config.minRefundedShare && !kickback) return null;
  // Some of the pieces sent back, the rest kept, is a return, even when a coupon's discount makes those
  // pieces 60 % of what was paid (one of two at 149 back of 248 paid): a brusher wants none of the goods.
  // A coupon kept past its threshold that way is coupon_abuse's full-reduction exploit, not brushing.
  if (back < order.paidAmount && partialPieces(order, back)) return null;
  if (first < endedAt) return 'in_stream';
  const afterEnd = first - endedAt;
  if (afterEnd > config.latePostEndWindowMs) return null;
  // Perishables the buyer kept and was refunded for after the stream: spoilage settled by the shop, as
  // often honest as a return days later, and weighed like one (see `compensationCategories`).
  if (isCompensation(order, config)) return 'late_post_end';
  if (afterEnd <= config.fastPostEndWindowMs) return 'fast_post_end';
  return afterEnd <= config.postEndWindowMs ? 'post_end' : 'late_post_end';
}

/**
 * The stream's end for refund timing: its stream.ended, or else its last
 * live event once a refund or claim came long enough after it (a platform
 * that never sends stream.ended must not make its rooms unjudgeable).
 */
export function effectiveStreamEnd(
  stream: { endedAt: number | null; lastActivityAt: number | null },
  latestTrailingAt: number | null,
  config: RefundBrushingConfig['timing'] = DEFAULT_REFUND_BRUSHING_CONFIG.timing,
): number | null {
  if (stream.endedAt !== null) return stream.endedAt;
  if (stream.lastActivityAt === null || latestTrailingAt === null) return null;
  return latestTrailingAt - stream.lastActivityAt >= config.inferredEndAfterMs ? stream.lastActivityAt : null;
}

/** History orders show the pattern too (one summary row per order, refunds pre-summed). */
function historyPattern(entry: AccountHistoryOrder, config: RefundBrushingConfig['timing']): RefundPattern {
  return refundPattern(
    {
      placedAt: entry.placedAt,
      paidAt: entry.paidAt,
      paidAmount: entry.paidAmount,
      refunds: entry.firstRefundAt === null ? [] : [{ amount: entry.refundedAmount, at: entry.firstRefundAt }],
    },
    entry,
    config,
  );
}

/**
 * Accounts worth a history lookup: those with at least one order in the
 * pattern. The adapter asks the ledger only about these, which bounds the
 * cross-room query to the suspicious few.
 */
export function timingCandidates(facts: StreamOrderFacts, config: RefundBrushingConfig = DEFAULT_REFUND_BRUSHING_CONFIG): string[] {
  const candidates = new Set<string>();
  for (const order of facts.orders) if (refundPattern(order, facts, config.timing) !== null) candidates.add(order.accountId);
  return [...candidates].sort();
}

/**
 * Other streams in which these accounts showed the pattern, sorted. When an
 * account repeats the pattern here, those streams' verdicts about it may
 * change too (their cross-room indication grows), so the adapter re-judges
 * them.
 */
export function patternStreams(
  history: readonly AccountHistoryOrder[],
  exclude: ReadonlySet<string>,
  config: RefundBrushingConfig = DEFAULT_REFUND_BRUSHING_CONFIG,
): string[] {
  const streams = new Set<string>();
  for (const entry of history) {
    if (!exclude.has(entry.streamId) && historyPattern(entry, config.timing) !== null) streams.add(entry.streamId);
  }
  return [...streams].sort();
}

/**
 * Judges one stream: which accounts brushed it (placed and paid during the
 * stream, refunded right after, plus an independent indication: a ring of
 * shared identifiers, the same pattern in other rooms, paying a price no
 * organic buyer paid), and whether the room as a whole was brushed.
 */
export function judgeRefundBrushing(
  facts: StreamOrderFacts,
  history: readonly AccountHistoryOrder[],
  config: RefundBrushingConfig = DEFAULT_REFUND_BRUSHING_CONFIG,
  identifierUsers?: ReadonlyMap<string, number>,
): RefundBrushingVerdict {
  const byAccount = groupBy(facts.orders, (order) => order.accountId);
  const timing = new Map<string, AccountSignals['timing'] & { evidenceAt: number }>();
  for (const [accountId, orders] of byAccount) {
    const assessed = accountTiming(orders, facts, config);
    if (assessed) timing.set(accountId, assessed);
  }
  const candidates = new Set(timing.keys());

  const shortWindow = new Set([...timing].filter(([, signal]) => signal.pattern !== 'late_post_end').map(([accountId]) => accountId));
  const rings = ringSignals([...timing.keys()], shortWindow, byAccount, config);
  const operators = identifierUsers ? operatorSignals(candidates, shortWindow, byAccount, facts.streamId, history, identifierUsers, config) : new Map();
  const crossRoom = crossRoomSignals(history, facts.streamId, candidates, config);
  const overpay = overpaySignals(facts, candidates, config);
  const flashGrabs = flashGrabSignals(facts, config);
  const kickbacks = kickbackSignals(facts, byAccount, candidates, config);

  const assess = (waves: ReadonlyMap<string, NonNullable<AccountSignals['wave']>>): Array<AccountSignals & { supporting: number }> =>
    [...timing.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([accountId, accountTimingSignal]) => {
        const ring = rings.get(accountId) ?? null;
        const operator = operators.get(accountId) ?? null;
        const cross = crossRoom.get(accountId) ?? null;
        const paying = overpay.get(accountId) ?? null;
        const flashGrab = flashGrabs.get(accountId) ?? null;
        const kickback = kickbacks.get(accountId) ?? null;
        const wave = waves.get(accountId) ?? null;
        const late = accountTimingSignal.pattern === 'late_post_end';
        const repeat =
          !late && accountTimingSignal.patternOrders >= config.repeat.minPatternOrders
            ? { score: config.repeat.score, patternOrders: accountTimingSignal.patternOrders }
            : null;
        // A ring in the stream and the same ring across rooms are one indication: the stronger counts.
        const tie = [ring, operator].filter((signal) => signal !== null).sort((a, b) => b.score - a.score)[0] ?? null;
        const strongTie = operator !== null || (ring !== null && ring.viaSubnet === null && ring.linkedBy.some((kind) => kind !== 'ip'));
        // Refunds days after the end are what honest returns look like: only an operator's ring of phones, SIMs or addresses backs them.
        const supporting = late ? (strongTie ? [tie!] : []) : [tie, cross, paying, repeat, flashGrab, kickback, wave].filter((signal) => signal !== null);
        const score = combineScores([accountTimingSignal.score, ...supporting.map((signal) => signal.score)]);
        const orders = byAccount.get(accountId) ?? [];
        const { evidenceAt, ...timingSignal } = accountTimingSignal;
        return {
          accountId,
          timing: timingSignal,
          ring,
          operator,
          crossRoom: cross,
          overpay: paying,
          repeat,
          flashGrab,
          kickback,
          wave,
          score,
          flagged: supporting.length >= config.minSupportingSignals && score >= config.accountThreshold,
          paid: sum(orders, (order) => order.paidAmount),
          refunded: sum(orders, refundedAmount),
          evidenceAt,
          supporting: supporting.length,
        };
      });
  // Waves are judged with the accounts another indication already backs: a wave that carries them is a task, not a coincidence.
  const firstPass = assess(new Map());
  const backed = firstPass.filter((account) => account.supporting > 0).map((account) => account.accountId);
  const accounts = assess(waveSignals(facts, new Set(backed), config)).map(({ supporting: _supporting, ...account }) => account);

  const flagged = accounts.filter((account) => account.flagged);
  const brushedPaid = sum(flagged, (account) => account.paid);
  return {
    accounts,
    flaggedAccounts: flagged.map((account) => account.accountId),
    brushedPaid,
    findings: buildFindings(facts, flagged, brushedPaid, config),
  };
}

function accountTiming(
  orders: readonly OrderFact[],
  facts: StreamOrderFacts,
  config: RefundBrushingConfig,
): (AccountSignals['timing'] & { evidenceAt: number }) | null {
  let paid = 0;
  let patternPaid = 0;
  let patternOrders = 0;
  let best: Exclude<RefundPattern, null> | null = null;
  let evidenceAt = 0;
  const rank = { fast_post_end: 4, post_end: 3, in_stream: 2, late_post_end: 1 } as const;
  for (const order of orders) {
    paid += order.paidAmount;
    const pattern = refundPattern(order, facts, config.timing);
    if (pattern === null) continue;
    patternPaid += order.paidAmount;
    patternOrders++;
    evidenceAt = Math.max(evidenceAt, firstRefundAt(order) ?? 0);
    if (best === null || rank[pattern] > rank[best]) best = pattern;
  }
  if (best === null || paid <= 0) return null;
  const patternShare = patternPaid / paid;
  if (patternShare < config.timing.minPatternShare) return null;
  const score = {
    fast_post_end: config.timing.fastScore,
    post_end: config.timing.windowScore,
    in_stream: config.timing.inStreamScore,
    late_post_end: config.timing.lateScore,
  }[best];
  return { pattern: best, score, patternOrders, patternShare: round3(patternShare), evidenceAt };
}

/**
 * Union-find over the timing candidates: two candidates are linked when they
 * share a device, phone hash, shipping address or exact IP. A component of
 * minGroupSize is a ring (one person's phones, one office's staff); without
 * such a link, many candidates in one subnet are a weaker indication.
 */
function ringSignals(
  candidates: readonly string[],
  shortWindow: ReadonlySet<string>,
  byAccount: ReadonlyMap<string, readonly OrderFact[]>,
  config: RefundBrushingConfig,
): Map<string, NonNullable<AccountSignals['ring']>> {
  // Who uses each identifier in the whole stream: an address that many
  // honest buyers share (carrier NAT, a campus) links no one, see
  // minCandidateShare.
  const users = new Map<string, Set<string>>();
  for (const [accountId, orders] of byAccount) {
    for (const order of orders) for (const key of identifierKeys(order)) addTo(users, key, accountId);
  }
  const distinctive = (key: string, candidateUsers: number): boolean =>
    candidateUsers / (users.get(key)?.size ?? candidateUsers) >= config.ring.minCandidateShare;

  const uf = new UnionFind();

  const candidateUsers = new Map<string, Set<string>>();
  for (const accountId of candidates) {
    for (const order of byAccount.get(accountId) ?? []) for (const key of identifierKeys(order)) addTo(candidateUsers, key, accountId);
  }
  // identifier -> first candidate seen with it; kinds that linked each pair's component.
  const holders = new Map<string, string>();
  const linkKinds = new Map<string, Set<IdentifierKind>>();
  const subnets = new Map<string, Set<string>>();
  for (const accountId of candidates) {
    for (const order of byAccount.get(accountId) ?? []) {
      for (const key of identifierKeys(order)) {
        if (key.startsWith('subnet:')) continue;
        if (!distinctive(key, candidateUsers.get(key)?.size ?? 0)) continue;
        const kind = key.slice(0, key.indexOf(':')) as IdentifierKind;
        const holder = holders.get(key);
        if (holder === undefined) holders.set(key, accountId);
        else if (holder !== accountId) {
          uf.union(holder, accountId);
          for (const member of [holder, accountId]) {
            const kinds = linkKinds.get(member) ?? new Set<IdentifierKind>();
            kinds.add(kind);
            linkKinds.set(member, kinds);
          }
        }
      }
      if (order.subnet) addTo(subnets, order.subnet, accountId);
    }
  }

  const components = groupBy(candidates, (id) => uf.find(id));
  const signals = new Map<string, NonNullable<AccountSignals['ring']>>();
  for (const members of components.values()) {
    // Returns days later are honest as often as not: a ring is sized by its members that refunded within the window.
    const sized = members.filter((member) => shortWindow.has(member)).length;
    if (sized < config.ring.minGroupSize) continue;
    const kinds = new Set<IdentifierKind>();
    for (const member of members) for (const kind of linkKinds.get(member) ?? []) kinds.add(kind);
    const strong = kinds.has('device') || kinds.has('phone') || kinds.has('address');
    const base = config.ring.baseScore + config.ring.perExtraMemberScore * (sized - config.ring.minGroupSize);
    const score = round3(Math.min(config.ring.maxScore, base) * (strong ? 1 : config.ring.ipOnlyFactor));
    const linkedBy = (['device', 'phone', 'address', 'ip'] as const).filter((kind) => kinds.has(kind));
    for (const member of members) signals.set(member, { score, groupSize: sized, linkedBy, viaSubnet: null });
  }
  for (const [subnet, members] of [...subnets.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sized = [...members].filter((member) => shortWindow.has(member)).length;
    if (sized < config.ring.minSubnetGroupSize || !distinctive(`subnet:${subnet}`, members.size)) continue;
    for (const member of members) {
      if (signals.has(member)) continue;
      signals.set(member, { score: config.ring.subnetScore, groupSize: sized, linkedBy: [], viaSubnet: subnet });
    }
  }
  return signals;
}

/** The same pattern in other streams: distinct rooms and merchants, within the history horizon. */
function crossRoomSignals(
  history: readonly AccountHistoryOrder[],
  streamId: string,
  candidates: ReadonlySet<string>,
  config: RefundBrushingConfig,
): Map<string, NonNullable<AccountSignals['crossRoom']>> {
  const rooms = new Map<string, { rooms: Set<string>; merchants: Set<string>; streams: Set<string> }>();
  for (const entry of history) {
    if (entry.streamId === streamId || !candidates.has(entry.accountId)) continue;
    // Returns days after another stream are what honest buyers do too: only the short-window pattern repeats.
    const pattern = historyPattern(entry, config.timing);
    if (pattern === null || pattern === 'late_post_end') continue;
    const seen = rooms.get(entry.accountId) ?? { rooms: new Set(), merchants: new Set(), streams: new Set() };
    seen.rooms.add(entry.roomId);
    seen.merchants.add(entry.merchantId ?? `room:${entry.roomId}`);
    seen.streams.add(entry.streamId);
    rooms.set(entry.accountId, seen);
  }
  const signals = new Map<string, NonNullable<AccountSignals['crossRoom']>>();
  for (const [accountId, seen] of rooms) {
    let score = 0;
    for (const [count, value] of config.crossRoom.scoreByRooms) if (seen.rooms.size >= count) score = value;
    if (score === 0) continue;
    if (seen.merchants.size > 1) score += config.crossRoom.manyMerchantsBonus;
    signals.set(accountId, {
      score: round3(score),
      rooms: seen.rooms.size,
      merchants: seen.merchants.size,
      streams: [...seen.streams].sort().slice(0, config.maxSamples),
    });
  }
  return signals;
}

/** Paid list price for a SKU that the stream's other buyers got clearly below list. */
function overpaySignals(
  facts: StreamOrderFacts,
  candidates: ReadonlySet<string>,
  config: RefundBrushingConfig,
): Map<string, NonNullable<AccountSignals['overpay']>> {
  const bySku = groupBy(
    facts.orders.filter((order) => order.skuId !== null && order.unitPrice !== null && order.listPrice !== null && order.listPrice > 0),
    (order) => order.skuId!,
  );
  const signals = new Map<string, NonNullable<AccountSignals['overpay']>>();
  for (const [skuId, orders] of [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const order of orders) {
      if (!candidates.has(order.accountId) || order.unitPrice! < order.listPrice!) continue;
      // Other candidates' prices would let a team vouch for itself: peers are non-candidates.
      const peers = orders.filter((other) => !candidates.has(other.accountId)).map((other) => other.unitPrice!);
      if (peers.length < config.overpay.minPeerOrders) continue;
      if (median(peers) > order.listPrice! * (1 - config.overpay.minPeerDiscount)) continue;
      const signal = signals.get(order.accountId) ?? { score: config.overpay.score, orders: 0, skus: [] };
      signal.orders++;
      if (!signal.skus.includes(skuId)) signal.skus.push(skuId);
      signals.set(order.accountId, signal);
    }
  }
  return signals;
}

/**
 * One operator's ring across rooms: union-find over this stream's
 * candidates and the accounts that showed the pattern in other streams,
 * linked by a device, phone hash or shipping address that few others used
 * over the history horizon (`identifierUsers`: distinct accounts per
 * identifier in every stream). A component of minOperatorAccounts accounts
 * is more than a family, and names the candidates here that belong to it.
 */
function operatorSignals(
  candidates: ReadonlySet<string>,
  shortWindow: ReadonlySet<string>,
  byAccount: ReadonlyMap<string, readonly OrderFact[]>,
  streamId: string,
  history: readonly AccountHistoryOrder[],
  identifierUsers: ReadonlyMap<string, number>,
  config: RefundBrushingConfig,
): Map<string, NonNullable<AccountSignals['operator']>> {
  // Who showed the pattern with each identifier, here and elsewhere.
  const patternUsers = new Map<string, Set<string>>();
  const streamsOf = new Map<string, Set<string>>();
  for (const accountId of candidates) {
    for (const order of byAccount.get(accountId) ?? []) for (const key of strongKeys(order)) addTo(patternUsers, key, accountId);
    addTo(streamsOf, accountId, streamId);
  }
  const sizing = new Set(shortWindow);
  for (const entry of history) {
    const pattern = entry.streamId === streamId ? null : historyPattern(entry, config.timing);
    if (pattern === null) continue;
    for (const key of strongKeys(entry)) addTo(patternUsers, key, entry.accountId);
    addTo(streamsOf, entry.accountId, entry.streamId);
    if (pattern !== 'late_post_end') sizing.add(entry.accountId);
  }
  const uf = new UnionFind();
  const kindsOf = new Map<string, Set<StrongIdentifierKind>>();
  for (const [key, users] of patternUsers) {
    if (users.size < 2) continue;
    const everyone = Math.max(identifierUsers.get(key) ?? users.size, users.size);
    const share = key.startsWith('address:') ? config.ring.minAddressShareAcrossRooms : config.ring.minCandidateShare;
    if (users.size / everyone < share) continue;
    const [first, ...rest] = [...users].sort();
    for (const other of rest) uf.union(first!, other);
    const kind = key.slice(0, key.indexOf(':')) as StrongIdentifierKind;
    for (const user of users) {
      const kinds = kindsOf.get(user) ?? new Set<StrongIdentifierKind>();
      kinds.add(kind);
      kindsOf.set(user, kinds);
    }
  }
  const components = groupBy([...streamsOf.keys()].filter((account) => uf.has(account)), (account) => uf.find(account));
  const signals = new Map<string, NonNullable<AccountSignals['operator']>>();
  for (const members of components.values()) {
    const here = members.filter((member) => candidates.has(member));
    // More accounts than a family, of which at least a ring's worth refunded within the window somewhere
    // (the operator's late refunds count towards its size once its quick ones show what it is).
    const quick = members.filter((member) => sizing.has(member)).length;
    const sized = members.length;
    if (sized < config.ring.minOperatorAccounts || quick < config.ring.minGroupSize || here.length === 0) continue;
    const kinds = new Set<StrongIdentifierKind>();
    const streams = new Set<string>();
    for (const member of members) {
      for (const kind of kindsOf.get(member) ?? []) kinds.add(kind);
      for (const stream of streamsOf.get(member) ?? []) if (stream !== streamId) streams.add(stream);
    }
    if (streams.size === 0) continue;
    const base = config.ring.baseScore + config.ring.perExtraMemberScore * (sized - config.ring.minGroupSize);
    const signal = {
      score: round3(Math.min(config.ring.maxScore, base)),
      accounts: sized,
      accountsHere: here.length,
      linkedBy: (['device', 'phone', 'address'] as const).filter((kind) => kinds.has(kind)),
      streams: [...streams].sort().slice(0, config.maxSamples),
    };
    // Tied in by an address alone, an account might be a neighbour at the operator's locker: it needs another of
    // the operator's accounts in this stream. A device or a SIM it shares is one person's.
    const personal = (member: string) => [...(kindsOf.get(member) ?? [])].some((kind) => kind !== 'address');
    for (const member of here) if (here.length >= 2 || personal(member)) signals.set(member, signal);
  }
  return signals;
}

/**
 * Flash sales (a SKU's orders at minDiscount off list or more, split into
 * rounds by roundGapMs) whose opening orders were refunded in the pattern
 * while the later buyers kept theirs: the merchant's team was first in.
 */
function flashGrabSignals(facts: StreamOrderFacts, config: RefundBrushingConfig): Map<string, NonNullable<AccountSignals['flashGrab']>> {
  const grab = config.flashGrab;
  const discounted = facts.orders.filter(
    (order) =>
      order.placedAt !== null &&
      order.skuId !== null &&
      order.unitPrice !== null &&
      order.listPrice !== null &&
      order.listPrice > 0 &&
      order.unitPrice * (order.quantity ?? 1) >= config.timing.minOrderPaid &&
      order.unitPrice <= order.listPrice * (1 - grab.minDiscount),
  );
  const sales: OrderFact[][] = [];
  for (const orders of groupBy(discounted, (order) => `${order.skuId}\u0000${order.unitPrice}`).values()) {
    const sorted = [...orders].sort((a, b) => a.placedAt! - b.placedAt! || (a.orderId < b.orderId ? -1 : 1));
    let round: OrderFact[] = [];
    for (const order of sorted) {
      if (round.length > 0 && order.placedAt! - round.at(-1)!.placedAt! > grab.roundGapMs) {
        sales.push(round);
        round = [];
      }
      round.push(order);
    }
    if (round.length > 0) sales.push(round);
  }
  const taken = new Map<string, { sales: number; skus: Set<string> }>();
  // Sales the crowd kept (a cancelled sale refunds everyone) with refunds each at its own time: who was refunded in which.
  const refundedIn = new Map<string, Set<number>>();
  for (const [index, sale] of sales.entries()) {
    if (sale.length < grab.minSaleOrders) continue;
    const pattern = sale.map((order) => refundPattern(order, facts, config.timing) !== null);
    const refunded = sale.filter((_, i) => pattern[i]);
    const times = refunded.map((order) => firstRefundAt(order)!).sort((a, b) => a - b);
    if (
      refunded.length > 0 &&
      refunded.length / sale.length <= grab.maxLaterPatternShare &&
      times.at(-1)! - times[0]! >= config.wave.minRefundSpreadMs
    ) {
      for (const order of refunded) addTo(refundedIn, order.accountId, index);
    }
    // The longest leading run dense with pattern orders, within maxOpeningShare of the sale.
    let opening = 0;
    for (let i = 1, count = 0; i <= Math.floor(sale.length * grab.maxOpeningShare); i++) {
      if (pattern[i - 1]) count++;
      if (count >= grab.minOpeningPatternOrders && count / i >= grab.openingPatternShare) opening = i;
    }
    if (opening === 0) continue;
    const laterPattern = pattern.slice(opening).filter(Boolean).length;
    if (laterPattern / (sale.length - opening) > grab.maxLaterPatternShare) continue;
    const openers = new Set(sale.slice(0, opening).filter((_, i) => pattern[i]).map((order) => order.accountId));
    for (const accountId of openers) {
      const entry = taken.get(accountId) ?? { sales: 0, skus: new Set<string>() };
      entry.sales++;
      entry.skus.add(sale[0]!.skuId!);
      taken.set(accountId, entry);
    }
  }
  const signals = new Map<string, NonNullable<AccountSignals['flashGrab']>>();
  for (const [accountId, entry] of taken) {
    let score = 0;
    for (const [count, value] of grab.scoreBySales) if (entry.sales >= count) score = value;
    if (score > 0) signals.set(accountId, { score, sales: entry.sales, skus: [...entry.skus].sort(), team: 0 });
  }
  // The same few accounts refunded in sale after sale, whatever their place in the queue: the team, when the crowd is as quick.
  const team = [...refundedIn].filter(([, inSales]) => inSales.size >= grab.minTeamSales);
  if (team.length >= grab.minTeamAccounts) {
    for (const [accountId, inSales] of team) {
      const current = signals.get(accountId);
      if (current && current.score >= grab.teamScore) {
        current.team = team.length;
        continue;
      }
      const skus = [...inSales].map((index) => sales[index]![0]!.skuId!);
      signals.set(accountId, { score: grab.teamScore, sales: inSales.size, skus: [...new Set(skus)].sort(), team: team.length });
    }
  }
  return signals;
}

/**
 * Candidates refunded most of an order but not a whole number of its
 * pieces: the rest is a commission. Several of them left the same share:
 * one organiser's rule, a stronger indication.
 */
function kickbackSignals(
  facts: StreamOrderFacts,
  byAccount: ReadonlyMap<string, readonly OrderFact[]>,
  candidates: ReadonlySet<string>,
  config: RefundBrushingConfig,
): Map<string, NonNullable<AccountSignals['kickback']>> {
  const keptShare = new Map<string, number>();
  const keptPerOrder = new Map<string, number>();
  for (const accountId of [...candidates].sort()) {
    let paid = 0;
    let refunded = 0;
    let orders = 0;
    for (const order of byAccount.get(accountId) ?? []) {
      if (refundPattern(order, facts, config.timing) === null) continue;
      const back = refundedAmount(order);
      if (!commissionShaped(order, back, config.timing)) continue;
      paid += order.paidAmount;
      refunded += back;
      orders++;
    }
    if (paid === 0) continue;
    keptShare.set(accountId, 1 - refunded / paid);
    keptPerOrder.set(accountId, (paid - refunded) / orders);
  }
  // One organiser's rule: a commission of the same share, or the same fee per order.
  const sameShare = cohortSizes(keptShare, 2 * config.kickback.sameShareTolerance);
  const sameAmount = cohortSizes(keptPerOrder, 2 * config.kickback.sameAmountTolerance);
  const signals = new Map<string, NonNullable<AccountSignals['kickback']>>();
  for (const [accountId, share] of keptShare) {
    const shareGroup = sameShare.get(accountId) ?? 0;
    const amountGroup = sameAmount.get(accountId) ?? 0;
    const group = Math.max(shareGroup >= config.kickback.minGroupSize ? shareGroup : 0, amountGroup >= config.kickback.minGroupSize ? amountGroup : 0);
    const odd = keptShare.size >= config.kickback.minOddGroupSize ? config.kickback.oddGroupScore : config.kickback.oddShareScore;
    signals.set(accountId, {
      score:
        group > 0
          ? round3(Math.min(config.kickback.maxGroupScore, config.kickback.groupScore + config.kickback.perExtraMemberScore * (group - config.kickback.minGroupSize)))
          : odd,
      keptShare: round3(share),
      keptPerOrder: Math.round(keptPerOrder.get(accountId)!),
      sameShareAccounts: shareGroup >= config.kickback.minGroupSize ? shareGroup : 0,
      sameAmountAccounts: amountGroup >= config.kickback.minGroupSize ? amountGroup : 0,
      oddRefundAccounts: keptShare.size,
    });
  }
  return signals;
}

/** For each id, the size of the largest run of ids whose values lie within `span` of each other (ties broken by id). */
function cohortSizes(values: ReadonlyMap<string, number>, span: number): Map<string, number> {
  const sorted = [...values.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const sizes = new Map<string, number>();
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]![1] - sorted[lo]![1] > span) lo++;
    const size = hi - lo + 1;
    for (let i = lo; i <= hi; i++) sizes.set(sorted[i]![0], Math.max(sizes.get(sorted[i]![0]) ?? 0, size));
  }
  return sizes;
}

/**
 * Refund waves: a SKU whose buyers were refunded after the stream (fast or
 * two-day window) in far greater share than any room's returns, each at
 * their own time (a merchant cancelling oversold stock refunds in one
 * sitting). Task-platform workers are unrelated people, and each looks
 * like a buyer who changed their mind; together they are the task.
 */
function waveSignals(facts: StreamOrderFacts, backed: ReadonlySet<string>, config: RefundBrushingConfig): Map<string, NonNullable<AccountSignals['wave']>> {
  const wave = config.wave;
  const bySku = groupBy(
    facts.orders.filter((order) => order.skuId !== null && order.paidAmount >= config.timing.minOrderPaid),
    (order) => order.skuId!,
  );
  const signals = new Map<string, NonNullable<AccountSignals['wave']>>();
  for (const [skuId, orders] of [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const buyers = new Set(orders.map((order) => order.accountId));
    const refunders = new Map<string, number>();
    for (const order of orders) {
      const pattern = refundPattern(order, facts, config.timing);
      if (pattern !== 'fast_post_end' && pattern !== 'post_end') continue;
      refunders.set(order.accountId, Math.min(refunders.get(order.accountId) ?? Number.POSITIVE_INFINITY, firstRefundAt(order)!));
    }
    if (refunders.size < wave.minAccounts || refunders.size / buyers.size < wave.minShareOfBuyers) continue;
    const times = [...refunders.values()].sort((a, b) => a - b);
    if (times.at(-1)! - times[0]! < wave.minRefundSpreadMs) continue;
    const carried = [...refunders.keys()].filter((account) => backed.has(account)).length;
    const score = carried >= wave.minBackedAccounts ? wave.withFlaggedScore : wave.score;
    for (const accountId of refunders.keys()) {
      const current = signals.get(accountId);
      if (current && current.score >= score) continue;
      signals.set(accountId, { score, skuId, accounts: refunders.size, buyers: buyers.size, backedAccounts: carried });
    }
  }
  return signals;
}

/** How many pieces of price `piece` make `refunded`, to the minor unit; null when it is not a whole number of them. */
function piecesOf(refunded: number, piece: number): number | null {
  if (piece <= 0) return null;
  const pieces = Math.round(refunded / piece);
  return Math.abs(refunded / piece - pieces) * piece <= 1 ? pieces : null;
}

/**
 * Part of the money back, not whole pieces, and not a perishable's
 * compensation: what a commission kept looks like (the kickback's test, in
 * the refund pattern and in the kickback signal alike).
 */
function commissionShaped(order: Pick<OrderFact, 'paidAmount' | 'refunds'> & Partial<Pick<OrderFact, 'quantity' | 'unitPrice' | 'category'>>, back: number, config: Pick<RefundBrushingConfig['timing'], 'compensationCategories'>): boolean {
  return back < order.paidAmount && !wholePieces(order, back) && !isCompensation(order, config);
}

/**
 * Part of the price back on perishable goods the platform says the buyer
 * kept (every refund of the order `returned: false`): a shop compensating a
 * spoiled share, not a commission (`compensationCategories`).
 */
function isCompensation(order: Pick<OrderFact, 'refunds'> & Partial<Pick<OrderFact, 'category'>>, config: Pick<RefundBrushingConfig['timing'], 'compensationCategories'>): boolean {
  if (order.refunds.length === 0 || !order.refunds.every((refund) => refund.returned === false)) return false;
  const category = order.category?.toLowerCase();
  return category !== undefined && config.compensationCategories.some((perishable) => category.includes(perishable));
}

/** `refunded` is a whole number of unit prices short of the order's quantity: some pieces returned, the rest kept. */
function partialPieces(order: Partial<Pick<OrderFact, 'quantity' | 'unitPrice'>>, refunded: number): boolean {
  const { quantity, unitPrice } = order;
  if (quantity == null || quantity < 2 || unitPrice == null) return false;
  const pieces = piecesOf(refunded, unitPrice);
  return pieces !== null && pieces >= 1 && pieces < quantity;
}

/** A refund of whole pieces of the order (one of two sent back), to the minor unit. */
function wholePieces(order: Partial<Pick<OrderFact, 'quantity' | 'unitPrice'>> & Pick<OrderFact, 'paidAmount'>, refunded: number): boolean {
  const quantity = order.quantity ?? 1;
  const pieces = [order.paidAmount / quantity, ...(order.unitPrice != null ? [order.unitPrice] : [])];
  return pieces.some((piece) => piecesOf(refunded, piece) !== null);
}

function buildFindings(
  facts: StreamOrderFacts,
  flagged: readonly AccountSignals[],
  brushedPaid: number,
  config: RefundBrushingConfig,
): Finding[] {
  if (flagged.length === 0) return [];
  const findings: Finding[] = [];
  const streamPaid = sum(facts.orders, (order) => order.paidAmount);
  const brushedRefunded = sum(flagged, (account) => account.refunded);
  const byAccount = groupBy(facts.orders, (order) => order.accountId);

  for (const account of flagged) {
    const orders = byAccount.get(account.accountId) ?? [];
    const signals = describeSignals(account);
    findings.push({
      kind: 'refund_brushing',
      subjectType: 'account',
      subjectId: account.accountId,
      roomId: facts.roomId,
      streamId: facts.streamId,
      score: account.score,
      severity: severityOf(account.score, config.severity),
      summary: `Account ${account.accountId} paid ${orders.length} order(s) during the stream and refunded them ${refundPhrase(account.timing.pattern)}; ${signals.join(', ')}.`,
      accounts: [account.accountId],
      evidence: {
        signals: accountEvidence(account),
        paid: account.paid,
        refunded: account.refunded,
        orders: orders.slice(0, config.maxSamples).map((order) => orderSample(order, facts)),
      },
      detectedAt: account.evidenceAt,
    });
  }

  const share = streamPaid > 0 ? brushedPaid / streamPaid : 0;
  if (flagged.length >= config.room.minAccounts || share >= config.room.minBrushedShare) {
    const score = combineScores([Math.max(...flagged.map((account) => account.score)), Math.min(0.5, share), Math.min(0.3, 0.05 * flagged.length)]);
    findings.push({
      kind: 'refund_brushing',
      subjectType: 'room',
      subjectId: facts.roomId,
      roomId: facts.roomId,
      streamId: facts.streamId,
      score,
      severity: severityOf(score, config.severity),
      summary: `${flagged.length} account(s) paid ${brushedPaid} (minor units, ${pct(share)} of the stream's paid sales) during the stream and refunded ${brushedRefunded} right after it.`,
      accounts: flagged.map((account) => account.accountId),
      evidence: {
        brushedAmount: brushedPaid,
        brushedRefunded,
        streamPaid,
        brushedShare: round3(share),
        streamEndedAt: facts.endedAt,
        accounts: flagged.slice(0, config.maxSamples).map((account) => ({ accountId: account.accountId, score: account.score, ...accountEvidence(account) })),
      },
      detectedAt: Math.max(...flagged.map((account) => account.evidenceAt)),
    });
  }
  return findings;
}

function accountEvidence(account: AccountSignals): Record<string, unknown> {
  return {
    timing: account.timing,
    ...(account.ring ? { ring: account.ring } : {}),
    ...(account.operator ? { operator: account.operator } : {}),
    ...(account.crossRoom ? { crossRoom: account.crossRoom } : {}),
    ...(account.overpay ? { overpay: account.overpay } : {}),
    ...(account.repeat ? { repeat: account.repeat } : {}),
    ...(account.flashGrab ? { flashGrab: account.flashGrab } : {}),
    ...(account.kickback ? { kickback: account.kickback } : {}),
    ...(account.wave ? { wave: account.wave } : {}),
  };
}

function describeSignals(account: AccountSignals): string[] {
  const parts: string[] = [];
  if (account.ring) {
    parts.push(
      account.ring.viaSubnet
        ? `${account.ring.groupSize} such accounts share subnet ${account.ring.viaSubnet}`
        : `one of ${account.ring.groupSize} such accounts sharing ${account.ring.linkedBy.join('/')}`,
    );
  }
  if (account.operator) {
    parts.push(`one of ${account.operator.accounts} accounts sharing ${account.operator.linkedBy.join('/')} that did the same in ${account.operator.streams.length} other stream(s)`);
  }
  if (account.crossRoom) parts.push(`same pattern in ${account.crossRoom.rooms} other room(s) of ${account.crossRoom.merchants} merchant(s)`);
  if (account.overpay) parts.push(`paid list price where other buyers paid the live price`);
  if (account.repeat) parts.push(`${account.repeat.patternOrders} separate orders all refunded the same way`);
  if (account.flashGrab) {
    parts.push(
      account.flashGrab.team > 0
        ? `refunded in ${account.flashGrab.sales} flash sales whose crowd kept theirs, one of ${account.flashGrab.team} accounts that did`
        : `first into ${account.flashGrab.sales} flash sale(s) whose later buyers kept theirs`,
    );
  }
  if (account.kickback) {
    parts.push(
      `kept ${pct(account.kickback.keptShare)} of the price, not a whole piece${
        account.kickback.sameShareAccounts > 0
          ? `, the share ${account.kickback.sameShareAccounts} candidates kept`
          : account.kickback.sameAmountAccounts > 0
            ? `, the fee ${account.kickback.sameAmountAccounts} candidates kept`
            : ''
      }`,
    );
  }
  if (account.wave) parts.push(`one of ${account.wave.accounts} of ${account.wave.buyers} buyers of ${account.wave.skuId} refunded after the stream`);
  return parts;
}

function refundPhrase(pattern: Exclude<RefundPattern, null>): string {
  return { in_stream: 'before it ended', fast_post_end: 'within hours of its end', post_end: 'within two days of its end', late_post_end: 'days after its end' }[pattern];
}

function orderSample(order: OrderFact, facts: StreamOrderFacts): Record<string, unknown> {
  const first = firstRefundAt(order);
  return {
    orderId: order.orderId,
    skuId: order.skuId,
    quantity: order.quantity,
    unitPrice: order.unitPrice,
    listPrice: order.listPrice,
    paid: order.paidAmount,
    refunded: refundedAmount(order),
    placedAt: order.placedAt,
    refundedMsAfterEnd: first !== null && facts.endedAt !== null ? first - facts.endedAt : null,
  };
}

/** The device, phone and address keys of an order: what ties one operator's accounts across rooms (never an IP: carrier NAT). */
function strongKeys(order: { deviceId?: string | null; phoneHash?: string | null; addressHash?: string | null }): string[] {
  const keys: string[] = [];
  if (order.deviceId) keys.push(`device:${order.deviceId}`);
  if (order.phoneHash) keys.push(`phone:${order.phoneHash}`);
  if (order.addressHash) keys.push(`address:${order.addressHash}`);
  return keys;
}

/** Union-find over string ids, smallest id as the root so components come out the same whatever the order. */
class UnionFind {
  private readonly parent = new Map<string, string>();

  has(id: string): boolean {
    return this.parent.has(id);
  }

  find(id: string): string {
    if (!this.parent.has(id)) this.parent.set(id, id);
    let root = id;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    let node = id;
    while (node !== root) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

/** The identifiers an order carries, as `kind:value` keys. */
function identifierKeys(order: OrderFact): string[] {
  const keys: string[] = [];
  if (order.deviceId) keys.push(`device:${order.deviceId}`);
  if (order.phoneHash) keys.push(`phone:${order.phoneHash}`);
  if (order.addressHash) keys.push(`address:${order.addressHash}`);
  if (order.ip) keys.push(`ip:${order.ip}`);
  if (order.subnet) keys.push(`subnet:${order.subnet}`);
  return keys;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}
