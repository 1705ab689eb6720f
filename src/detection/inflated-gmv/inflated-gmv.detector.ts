import type { Finding } from '../finding.js';
import { type OrderFact, type SalesClaimFact, type StreamOrderFacts, refundedAmount, refundedBy } from '../refund-brushing/order-facts.js';
import { isoTime, severityOf } from '../shared/scoring.js';
import { DEFAULT_INFLATED_GMV_CONFIG, type InflatedGmvConfig } from './inflated-gmv.config.js';

/** Brushing accounts cited in the evidence at most (the refund_brushing report lists them all). */
const MAX_CITED_ACCOUNTS = 20;

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
  /** What the usual wrong definitions would have published at claim time. */
  definitions: {
    paidIncludingRefunds: number;
    listPriceOfKeptOrders: number;
    placedIncludingUnpaid: number;
  };
  /** Parts a gap is made of, each the money a wrong definition adds over settled sales. */
  breakdown: {
    listPriceOverPaid: number;
    unpaidOrders: number;
    refundedOrders: number;
    brushingOrders: number;
  };
  now: { net: number; refundedSinceClaim: number; brushing: number; gap: number };
  /** Order counts: claimed, paid by the claim, and of those not fully refunded by then (what an honest count says). */
  orders: { claimed: number; paidAtClaim: number; keptAtClaim: number };
}

export interface InflatedGmvVerdict {
  figures: ClaimFigures;
  flagged: boolean;
  finding: Finding | null;
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
  const byDefinition = figures.definitionGap > figures.tolerance;
  const byBrushing =
    figures.gap > figures.tolerance && figures.brushingAtClaim >= config.materialBrushingShare * Math.max(figures.claimed, 1);
  const flagged = byDefinition || byBrushing;
  if (!flagged) return { figures, flagged, finding: null };

  const { facts, claim } = input;
  const share = figures.gap / Math.max(figures.claimed, 1);
  const score = round3(
    Math.min(config.score.max, config.score.base + (config.score.max - config.score.base) * Math.min(1, share / config.score.fullAtShare)),
  );
  const countedAs = matchingDefinitions(figures, config);
  const reasons = [
    byDefinition ? `${figures.definitionGap} more than was settled` : null,
    figures.brushingAtClaim > 0 ? `${figures.brushingAtClaim} of it from brushing orders` : null,
  ].filter((reason): reason is string => reason !== null);
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
        claim: { gmv: claim.gmv, orders: claim.orders, claimedAt: isoTime(claim.claimedAt) },
        ...figures,
        countedAs,
        gapShare: round3(share),
      },
      detectedAt: Math.max(claim.claimedAt, byDefinition ? claim.claimedAt : (input.brushingEvidenceAt ?? claim.claimedAt)),
    },
  };
}

export function claimFigures(input: InflatedGmvInput, config: InflatedGmvConfig = DEFAULT_INFLATED_GMV_CONFIG): ClaimFigures {
  const { facts, claim, brushingAccounts } = input;
  const at = claim.claimedAt;
  let paidAtClaim = 0;
  let refundedAtClaim = 0;
  let brushingAtClaim = 0;
  let paidNow = 0;
  let refundedNow = 0;
  let brushingNow = 0;
  let brushingKeptNow = 0;
  let listPriceOverPaid = 0;
  let unpaidOrders = 0;
  let listPriceOfKeptOrders = 0;
  let placedIncludingUnpaid = 0;
  let paidOrders = 0;
  let keptOrders = 0;
  for (const order of facts.orders) {
    const paid = order.paidAt !== null && order.paidAt <= at ? order.paidAmount : 0;
    const refunded = refundedBy(order, at);
    const brushing = brushingAccounts.has(order.accountId);
    paidAtClaim += paid;
    refundedAtClaim += refunded;
    paidNow += order.paidAmount;
    refundedNow += refundedAmount(order);
    if (brushing) {
      brushingAtClaim += Math.max(0, paid - refunded);
      brushingNow += order.paidAmount;
      brushingKeptNow += Math.max(0, order.paidAmount - refundedAmount(order));
    }
    const placedByClaim = order.placedAt !== null && order.placedAt <= at;
    if (!placedByClaim) continue;
    const atList = listValue(order);
    const atUnit = unitValue(order);
    const refundedInFull = paid > 0 && refunded >= paid;
    if (paid > 0) {
      paidOrders++;
      if (!refundedInFull) keptOrders++;
      listPriceOverPaid += Math.max(0, atList - paid);
      if (!refundedInFull) listPriceOfKeptOrders += atList;
    } else {
      unpaidOrders += atUnit;
    }
    if (!refundedInFull) placedIncludingUnpaid += paid > 0 ? paid : atUnit;
  }
  const netAtClaim = paidAtClaim - refundedAtClaim;
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
    definitions: { paidIncludingRefunds: paidAtClaim, listPriceOfKeptOrders, placedIncludingUnpaid },
    breakdown: { listPriceOverPaid, unpaidOrders, refundedOrders: refundedAtClaim, brushingOrders: brushingAtClaim },
    // Today's gap: brushing money still standing is not sales either.
    orders: { claimed: claim.orders, paidAtClaim: paidOrders, keptAtClaim: keptOrders },
    now: { net: netNow, refundedSinceClaim: refundedNow - refundedAtClaim, brushing: brushingNow, gap: claim.gmv - (netNow - brushingKeptNow) },
  };
}

function matchingDefinitions(figures: ClaimFigures, config: InflatedGmvConfig): string[] {
  const near = (value: number): boolean =>
    Math.abs(figures.claimed - value) <= Math.max(config.tolerance.absolute, config.definitionMatchTolerance * figures.claimed);
  const names: string[] = [];
  if (figures.refundedAtClaim > 0 && near(figures.definitions.paidIncludingRefunds)) names.push('paid sales with refunds not deducted');
  if (figures.breakdown.listPriceOverPaid > 0 && near(figures.definitions.listPriceOfKeptOrders)) names.push('kept orders at list price');
  if (figures.breakdown.unpaidOrders > 0 && near(figures.definitions.placedIncludingUnpaid)) names.push('placed orders including unpaid ones');
  return names;
}

function listValue(order: OrderFact): number {
  return (order.listPrice ?? 0) * (order.quantity ?? 0);
}

function unitValue(order: OrderFact): number {
  return (order.unitPrice ?? 0) * (order.quantity ?? 0);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
