import type { Finding } from '../engine/finding.js';
import type { CouponAbuseAccountEvidence, CouponAbuseRoomEvidence, CouponAbuseSignal, CouponCampaignEvidence } from './promotions.evidence.js';
import { type CampaignFacts, type ClaimFact, type PromotionOrderFact, refundTotal } from './promotion-facts.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface CouponAbuseConfig {
  /**
   * A claim this soon after the campaign's release (inferred: its earliest
   * claim; the contract sends no release time) is "at release". People are
   * quick too: in the simulator's honest rushes (median 2.5 s, lognormal)
   * a third of the claimers are inside 1.5 s, so the signal is weak and
   * never enough alone; scripts fire inside it (cloned apps within 0.9 s,
   * proxies within 2.5 s, 60 % inside).
   */
  releaseWindowMs: number;
  /**
   * Accounts claiming one campaign from one device before it counts as a
   * shared device. A family's tablet carries two or three accounts (the
   * simulator's households: up to three on a shared device); a phone with
   * an app cloner carries eight to sixteen.
   */
  deviceAccounts: number;
  /**
   * The same over every claim and sign-up the device made, anywhere: a
   * cloned phone's accounts claim different campaigns and a party sends
   * only part of its stock to each, so a campaign may see two or three of
   * a phone's dozen accounts. A household tablet stays at two or three
   * over all time; five is past any family.
   */
  deviceAccountsAnywhere: number;
  /**
   * Batch registration: at least `minAccounts` of the campaign's claimers
   * signed up within `windowMs` of each other through the same channel (or
   * from the same /24 or /64), at
   * least `dormantMs` before they claim (a stock of accounts kept for the
   * day). Honest sign-ups of one evening (a growth campaign, a giveaway)
   * claim the same night, not weeks later; honest claimers registered weeks
   * ago are spread over years, and eight in one hour of one channel among
   * a few hundred claimers does not happen by chance (the simulator's
   * honest campaigns have none).
   */
  batch: { windowMs: number; minAccounts: number; dormantMs: number };
  /**
   * Distinct buyers whose coupon orders of the campaign ship to one address
   * before it is a drop address; the claimers of the coupons used there
   * share the signal. Buyers, not claimers: a household pools its coupons
   * (a parent spends the family's other accounts' coupons, shipped home),
   * one buyer however many claimers, and counting claimers reported the
   * family's children (a first version asked five accounts of either kind,
   * which lost full-reduction rings shipping three to an address). A
   * parcel locker gets several honest buyers over an evening but rarely
   * three of one campaign's coupon users (the simulator's 25 city lockers:
   * at most two per campaign).
   */
  sharedAddressAccounts: number;
  /**
   * A pool's spender: an account whose coupon orders of one campaign use
   * coupons claimed by at least this many other accounts. The party's
   * stock claims, a few of its accounts spend (coupons pooled). A parent
   * who uses the coupons of a household's other two or three accounts stays
   * below; a buyer from a resale market uses one or two.
   */
  pooledClaimers: number;
  /** A partial refund counts as the exploit when it keeps at least this share of the discount below the threshold. */
  keptDiscountShare: number;
  /**
   * Weights of the signals; a verdict needs `reportScore` and at least
   * `minSignals` distinct signals: no single signal (an honest rush, an
   * honest size exchange, a locker, a dual-app phone) reaches it alone, and
   * the weak pairs an honest person can show (at release + a size exchange
   * 0.5, at release + cloned app 0.45, size exchange + locker 0.55, at
   * release + its coupon given to a family member 0.5) stay below 0.6. A
   * coupon used by one other account is what a household does (a parent
   * spends the children's; at 0.4 the children, quick at the release, were
   * reported); a coupon that went into a pool (its spender spent four or
   * more claimers' coupons) adds `couponPooled`.
   */
  weights: Record<CouponAbuseSignal, number>;
  reportScore: number;
  minSignals: number;
  /** Accounts of one campaign in one stream caught before the stream gets a room report too. */
  roomAccounts: number;
  /** Accounts listed in a room report at most. */
  maxListed: number;
}

export const DEFAULT_COUPON_ABUSE_CONFIG: CouponAbuseConfig = {
  releaseWindowMs: 1_500,
  deviceAccounts: 4,
  deviceAccountsAnywhere: 5,
  batch: { windowMs: 60 * MINUTE, minAccounts: 8, dormantMs: 7 * DAY },
  sharedAddressAccounts: 3,
  pooledClaimers: 4,
  keptDiscountShare: 0.5,
  weights: {
    claimedAtRelease: 0.2,
    sharedDevice: 0.4,
    tamperedDevice: 0.25,
    batchRegistered: 0.4,
    couponUsedByOther: 0.3,
    couponPooled: 0.3,
    spentPooledCoupons: 0.4,
    sharedAddress: 0.25,
    discountKept: 0.3,
    gamedAtSharedAddress: 0.2,
    repeatedGaming: 0.15,
  },
  reportScore: 0.6,
  minSignals: 2,
  roomAccounts: 3,
  maxListed: 200,
};

/** One signal of one account, with the event time its facts were complete. */
interface SignalAt {
  signal: CouponAbuseSignal;
  at: number;
}

/** One gamed order: a partial refund under the threshold that kept the discount. */
export interface GamedOrder {
  orderId: string;
  accountId: string;
  couponId: string;
  gross: number;
  minSpend: number;
  discount: number;
  refunded: number;
  discountKept: number;
  refundedAt: number;
  addressHash: string | null;
}

export interface CouponAccountVerdict {
  accountId: string;
  streamId: string | null;
  roomId: string | null;
  score: number;
  signals: CouponAbuseSignal[];
  detectedAt: number;
  evidence: CouponAbuseAccountEvidence;
}

export interface CouponAbuseVerdict {
  campaignId: string;
  releaseAt: number | null;
  accounts: CouponAccountVerdict[];
  findings: Finding[];
}

/**
 * Coupon abuse over one campaign: who of its claimers is a wool party's
 * account or games the full-reduction rule. Each claimer gathers signals
 * (at release, shared or tampered device, batch-registered and dormant,
 * coupon used by another account, drop address, discount kept after a
 * partial refund, the gaming repeated or shipped to a shared address); a
 * verdict needs several. Pure and order-free: the same facts in any order
 * give the same verdicts, each dated by the event time its signals were
 * complete.
 */
export function judgeCouponCampaign(facts: CampaignFacts, config: CouponAbuseConfig = DEFAULT_COUPON_ABUSE_CONFIG): CouponAbuseVerdict {
  const claims = [...facts.claims].sort((a, b) => a.claimedAt - b.claimedAt || compare(a.couponId, b.couponId));
  const first = claims[0];
  if (!first) return { campaignId: facts.campaignId, releaseAt: null, accounts: [], findings: [] };
  const releaseAt = first.claimedAt;
  const signals = new Map<string, SignalAt[]>();
  const add = (accountId: string, signal: CouponAbuseSignal, at: number): void => {
    const list = signals.get(accountId) ?? [];
    const existing = list.find((entry) => entry.signal === signal);
    if (existing) existing.at = Math.min(existing.at, at);
    else list.push({ signal, at });
    signals.set(accountId, list);
  };
  const claimsByAccount = groupBy(claims, (claim) => claim.accountId);
  const claimOfCoupon = new Map<string, ClaimFact>();
  for (const claim of claims) if (!claimOfCoupon.has(claim.couponId)) claimOfCoupon.set(claim.couponId, claim);

  // At release.
  for (const claim of claims) if (claim.claimedAt - releaseAt <= config.releaseWindowMs) add(claim.accountId, 'claimedAtRelease', claim.claimedAt);

  // Shared and tampered devices.
  const deviceAccounts = new Map<string, Map<string, number>>();
  for (const claim of claims) {
    if (claim.tamperedDevice) add(claim.accountId, 'tamperedDevice', claim.claimedAt);
    if (claim.deviceId === null) continue;
    const accounts = deviceAccounts.get(claim.deviceId) ?? new Map<string, number>();
    if (!accounts.has(claim.accountId)) accounts.set(claim.accountId, claim.claimedAt);
    deviceAccounts.set(claim.deviceId, accounts);
  }
  const sharedDevices: Array<{ deviceId: string; accounts: number }> = [];
  for (const [deviceId, accounts] of deviceAccounts) {
    const anywhere = facts.deviceUsers?.get(deviceId) ?? 0;
    if (accounts.size < config.deviceAccounts && anywhere < config.deviceAccountsAnywhere) continue;
    sharedDevices.push({ deviceId, accounts: Math.max(accounts.size, anywhere) });
    const times = [...accounts.values()].sort((a, b) => a - b);
    // Seen on the device elsewhere: known by its own claim; otherwise when the campaign's claimers on it were enough.
    const complete = anywhere >= config.deviceAccountsAnywhere ? 0 : (times[config.deviceAccounts - 1] as number);
    for (const [accountId, at] of accounts) add(accountId, 'sharedDevice', Math.max(at, complete));
  }

  // Batch-registered, dormant stock.
  const batches = registrationBatches(facts, claimsByAccount, config);
  for (const [accountId, at] of batches.members) add(accountId, 'batchRegistered', at);

  // Coupons used by others, drop addresses.
  const orders = [...facts.orders].sort((a, b) => (a.placedAt ?? 0) - (b.placedAt ?? 0) || compare(a.orderId, b.orderId));
  const addressAccounts = new Map<string, Map<string, number>>();
  const addressBuyers = new Map<string, Map<string, number>>();
  let usedByOthers = 0;
  // Per spender, the other claimers whose coupons it used, each with when (its order and their claim both known).
  const spentFrom = new Map<string, Map<string, number>>();
  // A spender that claimed nothing of the campaign: its first coupon order, for the stream its verdict is reported in.
  const firstSpend = new Map<string, PromotionOrderFact>();
  for (const order of orders) {
    const claim = order.couponId === null ? undefined : claimOfCoupon.get(order.couponId);
    if (!claim || order.placedAt === null) continue;
    if (order.accountId !== claim.accountId) {
      usedByOthers++;
      add(claim.accountId, 'couponUsedByOther', Math.max(order.placedAt, claim.claimedAt));
      const from = spentFrom.get(order.accountId) ?? new Map<string, number>();
      if (!from.has(claim.accountId)) from.set(claim.accountId, Math.max(order.placedAt, claim.claimedAt));
      spentFrom.set(order.accountId, from);
      if (!firstSpend.has(order.accountId)) firstSpend.set(order.accountId, order);
    }
    if (order.addressHash !== null) {
      const accounts = addressAccounts.get(order.addressHash) ?? new Map<string, number>();
      // The address counts against the claimer (whose coupon it is) and the buyer; its buyers make it a drop.
      for (const accountId of new Set([claim.accountId, order.accountId])) if (!accounts.has(accountId)) accounts.set(accountId, order.placedAt);
      addressAccounts.set(order.addressHash, accounts);
      const buyers = addressBuyers.get(order.addressHash) ?? new Map<string, number>();
      if (!buyers.has(order.accountId)) buyers.set(order.accountId, order.placedAt);
      addressBuyers.set(order.addressHash, buyers);
    }
  }
  // Pooled coupons: a spender using the coupons of many other claimers, and those claimers.
  const spenders = new Set<string>();
  for (const [accountId, from] of spentFrom) {
    if (from.size < config.pooledClaimers) continue;
    spenders.add(accountId);
    const pooledAt = [...from.values()].sort((a, b) => a - b)[config.pooledClaimers - 1] as number;
    add(accountId, 'spentPooledCoupons', pooledAt);
    for (const [claimer, at] of from) add(claimer, 'couponPooled', Math.max(at, pooledAt));
  }
  const dropAddresses = new Set<string>();
  for (const [address, accounts] of addressAccounts) {
    const buyers = addressBuyers.get(address);
    if (buyers === undefined || buyers.size < config.sharedAddressAccounts) continue;
    dropAddresses.add(address);
    const complete = [...buyers.values()].sort((a, b) => a - b)[config.sharedAddressAccounts - 1] as number;
    for (const [accountId, at] of accounts) if (claimsByAccount.has(accountId) || spenders.has(accountId)) add(accountId, 'sharedAddress', Math.max(at, complete));
  }

  // The full-reduction exploit.
  const gamed = gamedOrders(orders, claimOfCoupon, config);
  const gamedByAccount = groupBy(gamed, (order) => order.accountId);
  // Per address, each account's first gamed refund there: the second account's is when the address became a shared scheme.
  const gamedAddressAccounts = new Map<string, Map<string, number>>();
  for (const order of gamed) {
    if (order.addressHash === null) continue;
    const accounts = gamedAddressAccounts.get(order.addressHash) ?? new Map<string, number>();
    accounts.set(order.accountId, Math.min(accounts.get(order.accountId) ?? Infinity, order.refundedAt));
    gamedAddressAccounts.set(order.addressHash, accounts);
  }
  const sharedSince = (address: string): number | null => {
    const times = [...(gamedAddressAccounts.get(address)?.values() ?? [])].sort((a, b) => a - b);
    return times.length >= 2 ? (times[1] as number) : null;
  };
  for (const [accountId, list] of gamedByAccount) {
    if (!claimsByAccount.has(accountId)) continue;
    const sorted = [...list].sort((a, b) => a.refundedAt - b.refundedAt);
    add(accountId, 'discountKept', (sorted[0] as GamedOrder).refundedAt);
    if (sorted.length >= 2) add(accountId, 'repeatedGaming', (sorted[1] as GamedOrder).refundedAt);
    for (const order of sorted) {
      const since = order.addressHash === null ? null : sharedSince(order.addressHash);
      if (since !== null) add(accountId, 'gamedAtSharedAddress', Math.max(order.refundedAt, since));
    }
  }

  const campaign: CouponCampaignEvidence = {
    campaignId: facts.campaignId,
    releaseAt,
    claims: claims.length,
    claimers: claimsByAccount.size,
    claimsAtRelease: claims.filter((claim) => claim.claimedAt - releaseAt <= config.releaseWindowMs).length,
    sharedDevices: sharedDevices.length,
    registrationBatches: batches.count,
    couponsUsedByOthers: usedByOthers,
    dropAddressCount: dropAddresses.size,
    gamedOrders: gamed.length,
  };

  const verdicts: CouponAccountVerdict[] = [];
  for (const [accountId, list] of [...signals].sort(([a], [b]) => compare(a, b))) {
    const dated = scoreInTime(list, config);
    if (dated === null) continue;
    const accountClaims = claimsByAccount.get(accountId) ?? [];
    const claim = accountClaims[0];
    // A spender that claimed nothing is reported in the stream of its first coupon order.
    const spend = firstSpend.get(accountId);
    const where = claim ?? (spend ? { streamId: spend.streamId, roomId: spend.roomId, deviceId: null } : undefined);
    if (where === undefined) continue;
    const gamedOrdersOf = gamedByAccount.get(accountId) ?? [];
    verdicts.push({
      accountId,
      streamId: where.streamId,
      roomId: where.roomId,
      score: dated.score,
      signals: dated.signals,
      detectedAt: dated.at,
      evidence: {
        score: round(dated.score),
        signals: dated.signals,
        campaign,
        claims: accountClaims.length,
        firstClaimAt: claim?.claimedAt ?? null,
        afterReleaseMs: claim ? claim.claimedAt - releaseAt : null,
        deviceAccounts: where.deviceId === null ? 0 : (deviceAccounts.get(where.deviceId)?.size ?? 0),
        deviceAccountsAnywhere: where.deviceId === null ? 0 : (facts.deviceUsers?.get(where.deviceId) ?? 0),
        pooledFrom: spentFrom.get(accountId)?.size ?? 0,
        registeredAt: facts.registrations.get(accountId)?.registeredAt ?? null,
        couponsUsedByOthers: orders.filter((order) => order.accountId !== accountId && order.couponId !== null && claimOfCoupon.get(order.couponId)?.accountId === accountId).length,
        gamed: gamedOrdersOf.slice(0, 5).map(({ orderId, gross, minSpend, discount, refunded, discountKept }) => ({ orderId, gross, minSpend, discount, refunded, discountKept })),
      },
    });
  }
  return { campaignId: facts.campaignId, releaseAt, accounts: verdicts, findings: couponFindings(verdicts, campaign, config) };
}

/** Findings of a campaign's verdicts: one account finding per (account, stream of its claim); a room finding per stream with enough of them. */
function couponFindings(verdicts: readonly CouponAccountVerdict[], campaign: CouponCampaignEvidence, config: CouponAbuseConfig): Finding[] {
  const findings: Finding[] = verdicts.map((verdict) => ({
    kind: 'coupon_abuse',
    subjectType: 'account',
    subjectId: verdict.accountId,
    roomId: verdict.roomId,
    streamId: verdict.streamId,
    score: round(verdict.score),
    severity: severityOf(verdict.score),
    summary: `Account ${verdict.accountId} abused coupon campaign ${campaign.campaignId}: ${verdict.signals.map(describe).join(', ')}.`,
    accounts: [verdict.accountId],
    evidence: verdict.evidence as unknown as Record<string, unknown>,
    detectedAt: verdict.detectedAt,
  }));
  const byStream = groupBy(
    verdicts.filter((verdict) => verdict.streamId !== null),
    (verdict) => verdict.streamId as string,
  );
  for (const [streamId, list] of [...byStream].sort(([a], [b]) => compare(a, b))) {
    if (list.length < config.roomAccounts) continue;
    const byTime = [...list].sort((a, b) => a.detectedAt - b.detectedAt || compare(a.accountId, b.accountId));
    const signalCounts: Partial<Record<CouponAbuseSignal, number>> = {};
    for (const verdict of list) for (const signal of verdict.signals) signalCounts[signal] = (signalCounts[signal] ?? 0) + 1;
    const score = Math.min(1, 0.5 + list.length / 40);
    const evidence: CouponAbuseRoomEvidence = {
      score: round(score),
      campaign,
      accountsTotal: list.length,
      accountsListed: Math.min(list.length, config.maxListed),
      signalCounts,
    };
    findings.push({
      kind: 'coupon_abuse',
      subjectType: 'room',
      subjectId: (list[0] as CouponAccountVerdict).roomId as string,
      roomId: (list[0] as CouponAccountVerdict).roomId,
      streamId,
      score: round(score),
      severity: severityOf(score),
      summary: `${list.length} accounts abused coupon campaign ${campaign.campaignId} in this stream.`,
      accounts: list.map((verdict) => verdict.accountId).sort().slice(0, config.maxListed),
      evidence: evidence as unknown as Record<string, unknown>,
      detectedAt: (byTime[config.roomAccounts - 1] as CouponAccountVerdict).detectedAt,
    });
  }
  return findings;
}

/**
 * Partial refunds that leave a coupon order under its threshold while
 * keeping the discount. The pieces returned are inferred from the refund
 * (the fewest whole pieces it covers); under the rule the refund should
 * have been their price less the discount. What it paid back beyond that
 * is the discount kept.
 */
export function gamedOrders(orders: readonly PromotionOrderFact[], claimOfCoupon: ReadonlyMap<string, ClaimFact>, config: Pick<CouponAbuseConfig, 'keptDiscountShare'>): GamedOrder[] {
  const gamed: GamedOrder[] = [];
  for (const order of orders) {
    const claim = order.couponId === null ? undefined : claimOfCoupon.get(order.couponId);
    const minSpend = claim?.minSpend ?? null;
    if (!claim || minSpend === null || order.discount <= 0 || order.unitPrice === null || order.quantity === null || order.unitPrice <= 0) continue;
    const refunded = refundTotal(order);
    if (refunded <= 0 || refunded >= order.paidAmount || order.quantity < 2) continue;
    const gross = order.unitPrice * order.quantity;
    if (gross < minSpend) continue;
    const pieces = Math.min(order.quantity - 1, Math.ceil(refunded / order.unitPrice));
    const keptGross = gross - pieces * order.unitPrice;
    if (keptGross >= minSpend) continue;
    const allowed = Math.max(0, pieces * order.unitPrice - order.discount);
    const discountKept = Math.min(order.discount, refunded - allowed);
    if (discountKept < order.discount * config.keptDiscountShare) continue;
    const refundedAt = order.refunds.reduce((latest, refund) => Math.max(latest, refund.at), 0);
    gamed.push({ orderId: order.orderId, accountId: order.accountId, couponId: claim.couponId, gross, minSpend, discount: order.discount, refunded, discountKept, refundedAt, addressHash: order.addressHash });
  }
  return gamed;
}

/**
 * Registration batches among the claimers: claimers of one channel (or one
 * sign-up network) whose
 * sign-ups lie within the window of each other (a sliding run over sign-up
 * time), at least `minAccounts`, each registered `dormantMs` or more before
 * its first claim. Returns each member with the time its claim completed
 * the picture (its first claim).
 */
function registrationBatches(
  facts: CampaignFacts,
  claimsByAccount: ReadonlyMap<string, readonly ClaimFact[]>,
  config: CouponAbuseConfig,
): { members: Map<string, number>; count: number } {
  const dormant: Array<{ accountId: string; registeredAt: number; channel: string | null; subnet: string | null; claimedAt: number }> = [];
  for (const [accountId, claims] of claimsByAccount) {
    const registration = facts.registrations.get(accountId);
    const claimedAt = (claims[0] as ClaimFact).claimedAt;
    if (!registration || claimedAt - registration.registeredAt < config.batch.dormantMs) continue;
    dormant.push({ accountId, registeredAt: registration.registeredAt, channel: registration.channel, subnet: registration.subnet, claimedAt });
  }
  const members = new Map<string, number>();
  let count = 0;
  // A batch shares its sign-up channel, or the network it signed up from.
  const groups = [
    ...groupBy(dormant.filter((entry) => entry.channel !== null), (entry) => `channel:${entry.channel}`).values(),
    ...groupBy(dormant.filter((entry) => entry.subnet !== null), (entry) => `subnet:${entry.subnet}`).values(),
  ];
  for (const group of groups) {
    const sorted = [...group].sort((a, b) => a.registeredAt - b.registeredAt || compare(a.accountId, b.accountId));
    // Runs of sign-ups each within the window of the previous one.
    let run: typeof sorted = [];
    const close = (): void => {
      if (run.length >= config.batch.minAccounts) {
        count++;
        for (const entry of run) members.set(entry.accountId, entry.claimedAt);
      }
      run = [];
    };
    for (const entry of sorted) {
      const last = run[run.length - 1];
      if (last && entry.registeredAt - last.registeredAt > config.batch.windowMs) close();
      run.push(entry);
    }
    close();
  }
  return { members, count };
}

/** The account's score and the moment it first reached the report bar, signals taken in event-time order; null when it never does. */
function scoreInTime(list: readonly SignalAt[], config: CouponAbuseConfig): { score: number; signals: CouponAbuseSignal[]; at: number } | null {
  const sorted = [...list].sort((a, b) => a.at - b.at || compare(a.signal, b.signal));
  let score = 0;
  let at: number | null = null;
  sorted.forEach((entry, index) => {
    score += config.weights[entry.signal];
    if (at === null && index + 1 >= config.minSignals && score >= config.reportScore - 1e-9) at = entry.at;
  });
  if (at === null) return null;
  return { score: Math.min(1, score), signals: sorted.map((entry) => entry.signal).sort(), at };
}

const DESCRIPTIONS: Record<CouponAbuseSignal, string> = {
  claimedAtRelease: 'claimed at the release second',
  sharedDevice: 'claimed from a device shared with other claimers',
  tamperedDevice: 'claimed from a cloned or hooked app',
  batchRegistered: 'registered in a batch and dormant until the claim',
  couponUsedByOther: 'its coupon used by another account',
  couponPooled: 'its coupon spent by an account that spends many claimers\' coupons (pooled)',
  spentPooledCoupons: 'spent the coupons of many other claimers (pooled)',
  sharedAddress: 'coupon orders shipped to a drop address',
  discountKept: 'kept the discount after a partial refund under the threshold',
  gamedAtSharedAddress: 'gamed the threshold with others at one address',
  repeatedGaming: 'gamed the threshold repeatedly',
};

function describe(signal: CouponAbuseSignal): string {
  return DESCRIPTIONS[signal];
}

function severityOf(score: number): 'low' | 'medium' | 'high' {
  return score >= 0.85 ? 'high' : score >= 0.65 ? 'medium' : 'low';
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
