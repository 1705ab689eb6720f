import { type Finding, stoodDownFinding } from '../../engine/finding.js';
import { type OrderFact, type SalesClaimFact, type StreamOrderFacts, type StreamOrderInput, refundedAmount, refundedBy } from '../order-facts.js';
import type { RefundBrushingVerdict } from '../refund-brushing/refund-brushing.detector.js';
import { round3, severityOf } from '../../shared/scoring.js';
import { DEFAULT_INFLATED_GMV_CONFIG, type InflatedGmvConfig } from './inflated-gmv.config.js';

/** Brushing accounts cited in the evidence at most (the refund_brushing report lists them all). */
const MAX_CITED_ACCOUNTS = 20;
/** In-flight orders cited in the evidence at most (the counts cover them all). */
const MAX_CITED_ORDERS = 20;

export interface InflatedGmvInput {
  facts: StreamOrderFacts;
  claim: SalesClaimFact;
  /** Accounts the refund-brushing detector flagged in this stream. */
  brushingAccounts: ReadonlySet<string>;
  /** Event time at which the brushing verdict was complete (its latest refund), if any. */
  brushingEvidenceAt?: number | null;
}

/** Money figures of the stream at the claim's event time and now; integer minor units. */
export interface ClaimFigures {
  claimed: number;
  /** Σ payments with paidAt ≤ claim ts. */
  paidAtClaim: number;
  /** Σ refunds with ts ≤ claim ts. */
  refundedAtClaim: number;
  /** paidAtClaim − refundedAtClaim. */
  netAtClaim: number;
  /** Paid and not yet refunded at claim time by accounts caught brushing this stream. */
  brushingAtClaim: number;
  /** What the claim may honestly say: netAtClaim − brushingAtClaim. */
  supportedAtClaim: number;
  /** claimed − supportedAtClaim. */
  gap: number;
  /** claimed − netAtClaim: the gap that is not brushing. */
  definitionGap: number;
  tolerance: number;
  /** What the usual wrong definitions would publish, at claim time and with today's refunds. */
  definitions: DefinitionFigure[];
  /** Parts a gap is made of, each the money a wrong definition adds over settled sales. */
  breakdown: {
    listPriceOverPaid: number;
    unpaidOrders: number;
    refundedOrders: number;
    brushingOrders: number;
  };
  now: {
    net: number;
    refundedSinceClaim: number;
    /** Refunds since the claim, within quickRefundWindowMs of the end, of orders it counted and that came back (almost) whole. */
    refundedBeforeDelivery: number;
    /** The part of those the claim still stands on: min(them, claimed − (netAtClaim − them)). */
    countedThenRefunded: number;
    brushing: number;
    gap: number;
    /**
     * The orders placed before the claim, as they stand now: `paid` is what
     * was paid for them, whenever (after the payment window too), and `net`
     * that less every refund they have had so far. A claim between the two
     * (within tolerance) is what those orders settled at: an honest claim
     * whose buyers paid late, not one that counted carts.
     */
    claimedOrders: { paid: number; net: number };
  };
  /** Order counts: claimed, paid by the claim, and of those not fully refunded by then (what an honest count says). */
  orders: { claimed: number; paidAtClaim: number; keptAtClaim: number };
  /** What was in flight at the claim: orders placed before it and paid after it. */
  inFlight: InFlightOrders;
  /** Σ unitPrice × quantity of the settled orders, less refunds: the same sales before coupons and fees. */
  settledAtUnitPrice: number;
  /** Currencies of the stream's placed orders, most money first. */
  currencies: string[];
  /** Latest of the refunds in now.refundedBeforeDelivery (the claim's time if none): when that view was complete. */
  quickRefundsThroughAt: number;
}

/** Orders placed before the claim and not paid by it, by what became of them. */
export interface InFlightOrders {
  paymentWindowMs: number;
  /** Paid after the claim, within the window after it: counted as settled. */
  settledAfterClaim: { orders: number; amount: number };
  /** Paid after the window: a later decision, not counted. */
  paidAfterWindow: { orders: number; amount: number };
  /** Unpaid, and the stream's clock has not yet passed the window: they may still settle (at most `value`). */
  awaiting: { orders: number; value: number };
  /** Some of those orders, oldest first; times in event-time ms (views format them). */
  examples: Array<{ orderId: string; placedAt: number; paidAt: number | null; amount: number }>;
}

/**
 * One wrong way to count GMV over a set of orders: its figure, the honest
 * figure over the same orders (what was paid for them), and the uplift.
 */
export interface DefinitionFigure {
  definition:
    | 'paid sales with refunds not deducted'
    | 'kept orders at list price'
    | 'flash-sale items at list price'
    | 'placed orders including unpaid ones';
  /** Which orders: as they stood at the claim's time, or as they stand now (refunds since then taken out). */
  asOf: 'claim' | 'now';
  figure: number;
  honest: number;
  uplift: number;
}

export interface InflatedGmvVerdict {
  figures: ClaimFigures;
  flagged: boolean;
  finding: Finding | null;
}

/**
 * One stream's claim, judged with the accounts refund brushing flagged in
 * the same stream (their orders are sales the claim may not count); null
 * without a claim.
 */
export function inflatedGmvVerdictOfStream(
  input: Pick<StreamOrderInput, 'facts' | 'claim'>,
  brushing: Pick<RefundBrushingVerdict, 'accounts' | 'flaggedAccounts'>,
  config: InflatedGmvConfig = DEFAULT_INFLATED_GMV_CONFIG,
): InflatedGmvVerdict | null {
  if (!input.claim) return null;
  const flagged = brushing.accounts.filter((account) => account.flagged);
  return judgeInflatedGmv(
    {
      facts: input.facts,
      claim: input.claim,
      brushingAccounts: new Set(brushing.flaggedAccounts),
      brushingEvidenceAt: flagged.length > 0 ? Math.max(...flagged.map((account) => account.evidenceAt)) : null,
    },
    config,
  );
}

/** `inflatedGmvVerdictOfStream`'s finding: null without a claim or without a finding. */
export function judgeInflatedGmvOfStream(
  input: Pick<StreamOrderInput, 'facts' | 'claim'>,
  brushing: Pick<RefundBrushingVerdict, 'accounts' | 'flaggedAccounts'>,
  config: InflatedGmvConfig = DEFAULT_INFLATED_GMV_CONFIG,
): Finding | null {
  return inflatedGmvVerdictOfStream(input, brushing, config)?.finding ?? null;
}

/**
 * A stored inflated_gmv report whose claim is clean now (its carts were paid
 * after all, late), as its report should read: what it read when raised,
 * and beside it when it stood down and the figures that cleared it.
 */
export function stoodDownInflatedGmvFinding(previous: Finding, figures: ClaimFigures, at: number): Finding {
  return stoodDownFinding(
    previous,
    {
      at,
      reason: 'as its orders, payments and refunds stand now, the claim is what was settled (payments after the window included)',
      claimed: figures.claimed,
      claimedOrders: figures.now.claimedOrders,
      paidAfterWindow: figures.inFlight.paidAfterWindow,
    },
    'No longer holds: as the orders, payments and refunds stand now, the claim is what was settled (late payments included).',
  );
}

/**
 * Judges one stream's published GMV. Inflated when the claim exceeds the
 * money settled at claim time by more than the tolerance, or when a
 * material part of it is the money of brushing orders. Refunds that arrive
 * after the claim do not make an honest claim inflated (it could not know
 * them) but do change the brushing picture and the evidence's `now`.
 */
export function judgeInflatedGmv(input: InflatedGmvInput, config: InflatedGmvConfig = DEFAULT_INFLATED_GMV_CONFIG): InflatedGmvVerdict {
  const figures = claimFigures(input, config);
  // Minor units of different currencies do not add up, and the claim's
  // exchange rate is unknown: such a claim cannot be checked against sales.
  if (figures.currencies.length > 1) return { figures, flagged: false, finding: null };
  // Orders still in flight may settle up to their value: convict only on a gap they cannot close.
  const awaiting = figures.inFlight.awaiting.value;
  // Settled sales as a sales poster shows them: rounded, or before coupons and fees (unit price × quantity).
  const near = (net: number): boolean => Math.abs(figures.claimed - net) <= figures.tolerance || roundedFrom(figures.claimed, net, config);
  const settledAsPosted = [figures.netAtClaim, figures.settledAtUnitPrice].some(near);
  // Paid late: the claim is what the orders placed before it came to once paid (less the refunds of
  // the claim's time, or of today). Unpaid carts, list prices and refunded orders never come to that.
  const { paid: paidLater, net: netLater } = figures.now.claimedOrders;
  const settledLater = near(paidLater - figures.refundedAtClaim) || near(netLater) || (figures.claimed >= netLater && figures.claimed <= paidLater - figures.refundedAtClaim);
  const byDefinition = !settledAsPosted && !settledLater && figures.definitionGap - awaiting > figures.tolerance;
  // Brushing money inside the claim is inflation even when the claim matches what was paid, as long as
  // the claim stands above today's net (it counted money that did not stay; a kickback's kept part did).
  const byBrushing =
    figures.gap - awaiting > figures.tolerance &&
    figures.claimed - figures.now.net > figures.tolerance &&
    figures.brushingAtClaim >= config.materialBrushingShare * Math.max(figures.claimed, 1);
  // The now view: orders the claim counted came back within hours of the end, before anything could ship.
  const countedThenRefunded = figures.now.countedThenRefunded;
  const byRefundsAfterClaim =
    countedThenRefunded - awaiting > figures.tolerance && countedThenRefunded >= config.materialQuickRefundShare * Math.max(figures.claimed, 1);
  // A claim that equals settled sales (at claim time, or today's, for a room
  // that published after its returns) is honest whatever wrong count it
  // matches within rounding; only a match to the unit with today's orders
  // (a room computing its claim from its own order list) outweighs a
  // resemblance within tolerance, unless the claim is settled sales to the yuan.
  const honest =
    settledAsPosted ||
    Math.abs(figures.claimed - figures.now.net) <= figures.tolerance ||
    roundedFrom(figures.claimed, figures.now.net, config);
  const exactlySettled = [figures.netAtClaim, figures.settledAtUnitPrice, figures.now.net].some(
    (net) => Math.abs(figures.claimed - net) <= config.tolerance.absolute || roundedFrom(figures.claimed, net, config),
  );
  // The claim is a known wrong count of some order set, well above what was paid for those orders;
  // only once nothing is in flight, since the order sets are not final before. A count matched to
  // the unit says how the room computed its claim: the relative tolerance (room for fees and coupons
  // a guess cannot see) no longer applies, only rounding does (a shop of virtual goods sold at list
  // price, its few flash-sale items counted at list too, claims 1.4 % above what it took).
  const exact = (match: DefinitionFigure): boolean => Math.abs(figures.claimed - match.figure) <= config.exactMatchSlack;
  const matched =
    awaiting > 0 ? [] : matchingDefinitions(figures, config).filter((match) => (match.asOf === 'now' || exact(match) ? !exactlySettled : !honest));
  const bar = (match: DefinitionFigure): number => (exact(match) ? config.tolerance.absolute : figures.tolerance);
  const byMatch = matched.some((match) => match.uplift > bar(match) && figures.claimed - match.honest > bar(match));
  const flagged = byDefinition || byBrushing || byMatch || byRefundsAfterClaim;
  if (!flagged) return { figures, flagged, finding: null };

  const { facts, claim } = input;
  const excess = Math.max(figures.gap, countedThenRefunded, ...matched.map((match) => figures.claimed - match.honest));
  const share = excess / Math.max(figures.claimed, 1);
  const score = round3(
    Math.min(config.score.max, config.score.base + (config.score.max - config.score.base) * Math.min(1, share / config.score.fullAtShare)),
  );
  const countedAs = [...new Set(matched.map((match) => match.definition))];
  const reasons = [
    byDefinition ? `${figures.definitionGap} more than was settled` : null,
    figures.brushingAtClaim > 0 ? `${figures.brushingAtClaim} of it from brushing orders` : null,
    !byDefinition && byMatch ? `${excess} more than was paid for the orders it counts` : null,
    byRefundsAfterClaim ? `${countedThenRefunded} of it refunded within hours of the end` : null,
  ].filter((reason): reason is string => reason !== null);
  // Dated by what convicted it first: the claim itself, or the refunds (the brushing verdict) that came after it.
  const convictedAt =
    byDefinition || byMatch
      ? claim.claimedAt
      : Math.min(
          byBrushing ? (input.brushingEvidenceAt ?? claim.claimedAt) : Number.POSITIVE_INFINITY,
          byRefundsAfterClaim ? figures.quickRefundsThroughAt : Number.POSITIVE_INFINITY,
        );
  return {
    figures,
    flagged,
    finding: {
      kind: 'inflated_gmv',
      subjectType: 'room',
      subjectId: facts.roomId,
      roomId: facts.roomId,
      streamId: facts.streamId,
      score,
      severity: severityOf(score, config.severity),
      summary: `The room claimed GMV ${figures.claimed} (minor units) against ${figures.supportedAtClaim} settled at claim time: ${reasons.join(', ')}${countedAs.length > 0 ? `; it matches ${countedAs.join(' / ')}` : ''}.`,
      // The claim is the room's act: the brushers are implicated in the refund_brushing report and only cited here.
      accounts: [],
      evidence: {
        brushingAccounts: [...input.brushingAccounts].sort().slice(0, MAX_CITED_ACCOUNTS),
        claim: { gmv: claim.gmv, orders: claim.orders, claimedAt: claim.claimedAt },
        ...evidenceFigures(figures),
        countedAs,
        matchedDefinitions: matched,
        gapShare: round3(share),
      },
      detectedAt: Math.max(claim.claimedAt, convictedAt),
    },
  };
}

export function claimFigures(input: InflatedGmvInput, config: InflatedGmvConfig = DEFAULT_INFLATED_GMV_CONFIG): ClaimFigures {
  const { facts, claim, brushingAccounts } = input;
  const at = claim.claimedAt;
  const clock = facts.knownThrough ?? Number.POSITIVE_INFINITY;
  const inFlight: InFlightOrders = {
    paymentWindowMs: config.paymentWindowMs,
    settledAfterClaim: { orders: 0, amount: 0 },
    paidAfterWindow: { orders: 0, amount: 0 },
    awaiting: { orders: 0, value: 0 },
    examples: [],
  };
  const flying: OrderFact[] = [];
  let settledAtUnitPrice = 0;
  const moneyByCurrency = new Map<string, number>();
  let paidAtClaim = 0;
  let refundedAtClaim = 0;
  let brushingAtClaim = 0;
  let paidNow = 0;
  let refundedNow = 0;
  const claimedOrders = { paid: 0, net: 0 };
  let brushingNow = 0;
  let brushingKeptNow = 0;
  let listPriceOverPaid = 0;
  let unpaidOrders = 0;
  let paidOrders = 0;
  let keptOrders = 0;
  // The wrong definitions, over the orders as they stood at claim time and as they stand now.
  const sets = { claim: emptySet(), now: emptySet() };
  const quickUntil = (facts.endedAt ?? at) + config.quickRefundWindowMs;
  let refundedBeforeDelivery = 0;
  let quickRefundsThroughAt = at;
  for (const order of facts.orders) {
    const placedBefore = order.placedAt === null || order.placedAt <= at;
    // An order placed before the claim settles if paid by the end of the window after it; a payment with no order yet, by the claim.
    const settleBy = order.placedAt === null ? at : at + config.paymentWindowMs;
    const paid = placedBefore && order.paidAt !== null && order.paidAt <= settleBy ? order.paidAmount : 0;
    const refunded = refundedBy(order, at);
    if (order.placedAt !== null && order.placedAt <= at && (order.paidAt === null || order.paidAt > at)) {
      if (order.paidAt !== null && order.paidAt <= settleBy) {
        inFlight.settledAfterClaim.orders++;
        inFlight.settledAfterClaim.amount += order.paidAmount;
        flying.push(order);
      } else if (order.paidAt !== null) {
        inFlight.paidAfterWindow.orders++;
        inFlight.paidAfterWindow.amount += order.paidAmount;
        flying.push(order);
      } else if (settleBy > clock) {
        inFlight.awaiting.orders++;
        inFlight.awaiting.value += unitValue(order);
        flying.push(order);
      }
    }
    if (paid > 0) settledAtUnitPrice += order.placedAt === null ? paid : unitValue(order);
    if (order.currency) moneyByCurrency.set(order.currency, (moneyByCurrency.get(order.currency) ?? 0) + Math.max(order.paidAmount, unitValue(order)));
    const refundedNowTotal = refundedAmount(order);
    if (paid > 0 && refundedNowTotal >= config.quickRefundMinShare * paid) {
      for (const refund of order.refunds) {
        if (refund.at <= at || refund.at > quickUntil) continue;
        refundedBeforeDelivery += refund.amount;
        quickRefundsThroughAt = Math.max(quickRefundsThroughAt, refund.at);
      }
    }
    const brushing = brushingAccounts.has(order.accountId);
    paidAtClaim += paid;
    refundedAtClaim += refunded;
    paidNow += order.paidAmount;
    refundedNow += refundedNowTotal;
    if (brushing) {
      brushingAtClaim += Math.max(0, paid - refunded);
      brushingNow += order.paidAmount;
      brushingKeptNow += Math.max(0, order.paidAmount - refundedNowTotal);
    }
    if (order.placedAt === null) continue;
    const atList = listValue(order);
    const atUnit = unitValue(order);
    if (order.placedAt <= at) {
      claimedOrders.paid += order.paidAmount;
      claimedOrders.net += order.paidAmount - refundedNowTotal;
      if (paid > 0) {
        paidOrders++;
        if (refunded < paid) keptOrders++;
        listPriceOverPaid += Math.max(0, atList - paid);
      } else {
        unpaidOrders += atUnit;
      }
      addToSet(sets.claim, paid, refunded, atList, atUnit, flashAtList(order, config));
    }
    addToSet(sets.now, order.paidAmount, refundedNowTotal, atList, atUnit, flashAtList(order, config));
  }
  settledAtUnitPrice -= refundedAtClaim;
  inFlight.examples = flying
    .sort((a, b) => a.placedAt! - b.placedAt! || (a.orderId < b.orderId ? -1 : 1))
    .slice(0, MAX_CITED_ORDERS)
    .map((order) => ({
      orderId: order.orderId,
      placedAt: order.placedAt!,
      paidAt: order.paidAt,
      amount: order.paidAt === null ? unitValue(order) : order.paidAmount,
    }));
  const netAtClaim = paidAtClaim - refundedAtClaim;
  const countedThenRefunded = Math.max(0, Math.min(refundedBeforeDelivery, claim.gmv - netAtClaim + refundedBeforeDelivery));
  const supportedAtClaim = netAtClaim - brushingAtClaim;
  const netNow = paidNow - refundedNow;
  return {
    claimed: claim.gmv,
    paidAtClaim,
    refundedAtClaim,
    netAtClaim,
    brushingAtClaim,
    supportedAtClaim,
    gap: claim.gmv - supportedAtClaim,
    definitionGap: claim.gmv - netAtClaim,
    tolerance: Math.max(config.tolerance.absolute, Math.floor(config.tolerance.relative * claim.gmv)),
    definitions: [
      { definition: 'paid sales with refunds not deducted', asOf: 'claim', figure: paidAtClaim, honest: paidAtClaim - refundedAtClaim, uplift: refundedAtClaim },
      ...(['claim', 'now'] as const).flatMap((asOf): DefinitionFigure[] => [
        { definition: 'kept orders at list price', asOf, figure: sets[asOf].listKept, honest: sets[asOf].paidKept, uplift: sets[asOf].listKept - sets[asOf].paidKept },
        {
          definition: 'flash-sale items at list price',
          asOf,
          figure: sets[asOf].flashListKept,
          honest: sets[asOf].paidKept,
          uplift: sets[asOf].flashListKept - sets[asOf].paidKept,
        },
        {
          definition: 'placed orders including unpaid ones',
          asOf,
          figure: sets[asOf].placedUnrefunded,
          honest: sets[asOf].paidUnrefunded,
          uplift: sets[asOf].placedUnrefunded - sets[asOf].paidUnrefunded,
        },
      ]),
    ],
    breakdown: { listPriceOverPaid, unpaidOrders, refundedOrders: refundedAtClaim, brushingOrders: brushingAtClaim },
    // Today's gap: brushing money still standing is not sales either.
    orders: { claimed: claim.orders, paidAtClaim: paidOrders, keptAtClaim: keptOrders },
    inFlight,
    settledAtUnitPrice,
    currencies: [...moneyByCurrency].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([currency]) => currency),
    now: {
      net: netNow,
      refundedSinceClaim: refundedNow - refundedAtClaim,
      refundedBeforeDelivery,
      countedThenRefunded,
      brushing: brushingNow,
      gap: claim.gmv - (netNow - brushingKeptNow),
      claimedOrders,
    },
    quickRefundsThroughAt,
  };
}

/** The figures as the evidence shows them: without the detector's own bookkeeping. */
function evidenceFigures(figures: ClaimFigures): Omit<ClaimFigures, 'quickRefundsThroughAt'> {
  const { quickRefundsThroughAt: _at, ...shown } = figures;
  return shown;
}

/**
 * The wrong definitions the claim equals, to the unit or to honest rounding.
 * Refunds after the claim count only through brushing: a claim cannot know
 * them, so "paid sales with refunds not deducted" is judged at claim time;
 * list price and unpaid carts inflate whatever the refunds, so those are
 * also matched against today's orders (a room that publishes its kept
 * orders at list price is caught even when returns came in later).
 */
function matchingDefinitions(figures: ClaimFigures, config: InflatedGmvConfig): DefinitionFigure[] {
  const slack = Math.max(config.tolerance.absolute, config.definitionMatchTolerance * figures.claimed);
  return figures.definitions.filter((definition) => {
    if (definition.uplift <= 0) return false;
    // Today's sets move with every late refund, and a moving figure passes
    // many values: only an exact match convicts.
    const allowed = definition.asOf === 'now' ? config.exactMatchSlack : slack;
    return Math.abs(figures.claimed - definition.figure) <= allowed;
  });
}

interface DefinitionSums {
  listKept: number;
  flashListKept: number;
  paidKept: number;
  placedUnrefunded: number;
  paidUnrefunded: number;
}

function emptySet(): DefinitionSums {
  return { listKept: 0, flashListKept: 0, paidKept: 0, placedUnrefunded: 0, paidUnrefunded: 0 };
}

/** Adds one order to the wrong-definition sums: "kept" is paid with no refund at all, as a sales poster counts it. */
function addToSet(set: DefinitionSums, paid: number, refunded: number, atList: number, atUnit: number, flashListed: number | null): void {
  if (refunded > 0) return;
  if (paid > 0) {
    set.listKept += atList;
    set.flashListKept += flashListed ?? paid;
    set.paidKept += paid;
    set.paidUnrefunded += paid;
    set.placedUnrefunded += paid;
  } else {
    set.placedUnrefunded += atUnit;
  }
}

/**
 * The claim is `figure` rounded the way a sales poster rounds: a multiple of
 * its rounding step (a power of ten, ten yuan or more) within half that step
 * of the figure, with at least two significant digits (config.maxRoundingShare).
 */
function roundedFrom(claimed: number, figure: number, config: InflatedGmvConfig): boolean {
  if (claimed <= 0 || figure <= 0) return false;
  let step = 1;
  while (claimed % (step * 10) === 0) step *= 10;
  if (step < 1_000 || step / 2 > config.maxRoundingShare * claimed) return false;
  return Math.abs(claimed - figure) <= step / 2;
}

/** A flash-sale item's list value (flashPriceShare of list or less), or null for an order at a live price. */
function flashAtList(order: OrderFact, config: InflatedGmvConfig): number | null {
  if (order.listPrice === null || order.unitPrice === null || order.listPrice <= 0) return null;
  return order.unitPrice <= order.listPrice * config.flashPriceShare ? listValue(order) : null;
}

function listValue(order: OrderFact): number {
  return (order.listPrice ?? 0) * (order.quantity ?? 0);
}

function unitValue(order: OrderFact): number {
  return (order.unitPrice ?? 0) * (order.quantity ?? 0);
}
