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
export type RefundPattern = 'fast_post_end' | 'post_end' | 'in_stream' | null;

type IdentifierKind = 'device' | 'phone' | 'address' | 'ip';

export interface AccountSignals {
  accountId: string;
  timing: { pattern: Exclude<RefundPattern, null>; score: number; patternOrders: number; patternShare: number };
  ring: { score: number; groupSize: number; linkedBy: IdentifierKind[]; viaSubnet: string | null } | null;
  crossRoom: { score: number; rooms: number; merchants: number; streams: string[] } | null;
  overpay: { score: number; orders: number; skus: string[] } | null;
  repeat: { score: number; patternOrders: number } | null;
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
  order: Pick<OrderFact, 'paidAt' | 'paidAmount' | 'refunds'> & { placedAt: number | null },
  stream: { startedAt: number | null; endedAt: number | null },
  config: RefundBrushingConfig['timing'],
): RefundPattern {
  const { startedAt, endedAt } = stream;
  if (endedAt === null || order.paidAt === null || order.paidAmount <= 0) return null;
  const start = (startedAt ?? Number.NEGATIVE_INFINITY) - config.startGraceMs;
  if (order.paidAt < start || order.paidAt > endedAt + config.paymentGraceMs) return null;
  if (order.placedAt !== null && (order.placedAt < start || order.placedAt > endedAt)) return null;
  const first = firstRefundAt(order);
  if (first === null || refundedAmount(order) < order.paidAmount * config.minRefundedShare) return null;
  if (first < endedAt) return 'in_stream';
  if (first - endedAt <= config.fastPostEndWindowMs) return 'fast_post_end';
  if (first - endedAt <= config.postEndWindowMs) return 'post_end';
  return null;
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
): RefundBrushingVerdict {
  const byAccount = groupBy(facts.orders, (order) => order.accountId);
  const timing = new Map<string, AccountSignals['timing'] & { evidenceAt: number }>();
  for (const [accountId, orders] of byAccount) {
    const assessed = accountTiming(orders, facts, config);
    if (assessed) timing.set(accountId, assessed);
  }

  const rings = ringSignals([...timing.keys()], byAccount, config);
  const crossRoom = crossRoomSignals(history, facts.streamId, new Set(timing.keys()), config);
  const overpay = overpaySignals(facts, new Set(timing.keys()), config);

  const accounts: AccountSignals[] = [];
  for (const [accountId, accountTimingSignal] of [...timing.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ring = rings.get(accountId) ?? null;
    const cross = crossRoom.get(accountId) ?? null;
    const paying = overpay.get(accountId) ?? null;
    const repeat =
      accountTimingSignal.patternOrders >= config.repeat.minPatternOrders
        ? { score: config.repeat.score, patternOrders: accountTimingSignal.patternOrders }
        : null;
    const supporting = [ring, cross, paying, repeat].filter((signal) => signal !== null);
    const score = combineScores([accountTimingSignal.score, ...supporting.map((signal) => signal.score)]);
    const orders = byAccount.get(accountId) ?? [];
    const { evidenceAt, ...timingSignal } = accountTimingSignal;
    accounts.push({
      accountId,
      timing: timingSignal,
      ring,
      crossRoom: cross,
      overpay: paying,
      repeat,
      score,
      flagged: supporting.length >= config.minSupportingSignals && score >= config.accountThreshold,
      paid: sum(orders, (order) => order.paidAmount),
      refunded: sum(orders, refundedAmount),
      evidenceAt,
    });
  }

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
  const rank = { fast_post_end: 3, post_end: 2, in_stream: 1 } as const;
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
  const score =
    best === 'fast_post_end' ? config.timing.fastScore : best === 'post_end' ? config.timing.windowScore : config.timing.inStreamScore;
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

  const parent = new Map<string, string>(candidates.map((id) => [id, id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let node = id;
    while (node !== root) {
      const next = parent.get(node)!;
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
          union(holder, accountId);
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

  const components = groupBy(candidates, find);
  const signals = new Map<string, NonNullable<AccountSignals['ring']>>();
  for (const members of components.values()) {
    if (members.length < config.ring.minGroupSize) continue;
    const kinds = new Set<IdentifierKind>();
    for (const member of members) for (const kind of linkKinds.get(member) ?? []) kinds.add(kind);
    const strong = kinds.has('device') || kinds.has('phone') || kinds.has('address');
    const sized = config.ring.baseScore + config.ring.perExtraMemberScore * (members.length - config.ring.minGroupSize);
    const score = round3(Math.min(config.ring.maxScore, sized) * (strong ? 1 : config.ring.ipOnlyFactor));
    const linkedBy = (['device', 'phone', 'address', 'ip'] as const).filter((kind) => kinds.has(kind));
    for (const member of members) signals.set(member, { score, groupSize: members.length, linkedBy, viaSubnet: null });
  }
  for (const [subnet, members] of [...subnets.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (members.size < config.ring.minSubnetGroupSize || !distinctive(`subnet:${subnet}`, members.size)) continue;
    for (const member of members) {
      if (signals.has(member)) continue;
      signals.set(member, { score: config.ring.subnetScore, groupSize: members.size, linkedBy: [], viaSubnet: subnet });
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
    if (historyPattern(entry, config.timing) === null) continue;
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
    ...(account.crossRoom ? { crossRoom: account.crossRoom } : {}),
    ...(account.overpay ? { overpay: account.overpay } : {}),
    ...(account.repeat ? { repeat: account.repeat } : {}),
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
  if (account.crossRoom) parts.push(`same pattern in ${account.crossRoom.rooms} other room(s) of ${account.crossRoom.merchants} merchant(s)`);
  if (account.overpay) parts.push(`paid list price where other buyers paid the live price`);
  if (account.repeat) parts.push(`${account.repeat.patternOrders} separate orders all refunded the same way`);
  return parts;
}

function refundPhrase(pattern: Exclude<RefundPattern, null>): string {
  return pattern === 'in_stream' ? 'before it ended' : pattern === 'fast_post_end' ? 'within hours of its end' : 'within two days of its end';
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
