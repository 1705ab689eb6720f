import { type Finding, findingKey } from '../engine/finding.js';
import { judgeInflatedGmvOfStream } from './inflated-gmv/inflated-gmv.detector.js';
import { DEFAULT_INFLATED_GMV_CONFIG, type InflatedGmvConfig } from './inflated-gmv/inflated-gmv.config.js';
import type { StreamOrderInput } from './order-facts.js';
import { DEFAULT_REFUND_BRUSHING_CONFIG, type RefundBrushingConfig } from './refund-brushing/refund-brushing.config.js';
import { type RefundBrushingVerdict, judgeRefundBrushing } from './refund-brushing/refund-brushing.detector.js';

export type { StreamOrderInput } from './order-facts.js';

export interface OrderVerdictConfigs {
  refundBrushing: RefundBrushingConfig;
  inflatedGmv: InflatedGmvConfig;
  /** Points in event time tried when dating a new finding; beyond it, evenly spaced ones (and the last) are tried. */
  maxTimelineSteps: number;
}

export const DEFAULT_ORDER_VERDICT_CONFIGS: OrderVerdictConfigs = {
  refundBrushing: DEFAULT_REFUND_BRUSHING_CONFIG,
  inflatedGmv: DEFAULT_INFLATED_GMV_CONFIG,
  maxTimelineSteps: 200,
};

export interface StreamOrderVerdict {
  brushing: RefundBrushingVerdict;
  findings: Finding[];
}

/**
 * Both ledger detectors over one stream, as the pipeline runs them (its
 * refund-brushing stage, then its inflated-GMV stage): refund brushing, then
 * the claim judged with the brushers it found. For tools and specs that
 * judge a stream whole.
 */
export function judgeStreamOrders(input: StreamOrderInput, configs: OrderVerdictConfigs = DEFAULT_ORDER_VERDICT_CONFIGS): StreamOrderVerdict {
  const brushing = judgeRefundBrushing(input.facts, input.history, configs.refundBrushing, input.identifierUsers);
  const gmv = judgeInflatedGmvOfStream(input, brushing, configs.inflatedGmv);
  return { brushing, findings: gmv ? [...brushing.findings, gmv] : [...brushing.findings] };
}

/** What one detector finds in a stream's facts as known at some moment: how dateFindings re-judges them. */
export type StreamJudge = (known: StreamOrderInput) => readonly Finding[];

/**
 * Dates new findings by event time, independent of how the facts were
 * batched: each finding's detectedAt becomes the earliest moment (a refund,
 * a claim or a history refund) at which the facts known up to then already
 * justify it. A replay at any speed, or a catch-up after a restart that
 * reads the log in bigger pages, then dates a report exactly as the live
 * evening did. Only findings in `undated` are dated (the report store keeps
 * the first detectedAt anyway), so the scan runs once per new report.
 */
export function dateFindings(
  input: StreamOrderInput,
  findings: readonly Finding[],
  undated: ReadonlySet<string>,
  judge: StreamJudge,
  maxTimelineSteps: number = DEFAULT_ORDER_VERDICT_CONFIGS.maxTimelineSteps,
): Finding[] {
  const pending = new Set(findings.map(findingKey).filter((key) => undated.has(key)));
  if (pending.size === 0) return [...findings];
  const dated = new Map<string, number>();
  for (const at of verdictMoments(input, maxTimelineSteps)) {
    for (const finding of judge(knownAt(input, at))) {
      const key = findingKey(finding);
      if (pending.has(key) && !dated.has(key)) dated.set(key, at);
    }
    if (dated.size === pending.size) break;
  }
  return findings.map((finding) => {
    const at = dated.get(findingKey(finding));
    return at === undefined ? finding : { ...finding, detectedAt: at };
  });
}

/** Moments at which the verdict can change, ascending (refunds, the claim, history refunds). */
export function verdictMoments(input: StreamOrderInput, maxSteps: number): number[] {
  const moments = new Set<number>();
  for (const order of input.facts.orders) for (const refund of order.refunds) moments.add(refund.at);
  if (input.claim) moments.add(input.claim.claimedAt);
  for (const entry of input.history) if (entry.firstRefundAt !== null) moments.add(entry.firstRefundAt);
  if (input.facts.endedAt !== null) moments.add(input.facts.endedAt);
  // A payment after the claim settles an order that was in flight; the stream's clock closes the rest.
  if (input.claim) for (const order of input.facts.orders) if (order.paidAt !== null && order.paidAt > input.claim.claimedAt) moments.add(order.paidAt);
  if (input.facts.knownThrough !== undefined && input.facts.knownThrough !== null) moments.add(input.facts.knownThrough);
  const sorted = [...moments].sort((a, b) => a - b);
  if (sorted.length <= maxSteps) return sorted;
  const stride = Math.ceil(sorted.length / maxSteps);
  const sampled = sorted.filter((_, index) => index % stride === 0);
  if (sampled.at(-1) !== sorted.at(-1)) sampled.push(sorted.at(-1)!);
  return sampled;
}

/** What was known at event time `at`. */
export function knownAt(input: StreamOrderInput, at: number): StreamOrderInput {
  const { facts } = input;
  return {
    ...input,
    facts: {
      ...facts,
      endedAt: facts.endedAt !== null && facts.endedAt <= at ? facts.endedAt : null,
      knownThrough: Math.min(facts.knownThrough ?? at, at),
      orders: facts.orders
        .filter((order) => order.placedAt === null || order.placedAt <= at)
        .map((order) => {
          const paid = order.paidAt !== null && order.paidAt <= at;
          return {
            ...order,
            paidAt: paid ? order.paidAt : null,
            paidAmount: paid ? order.paidAmount : 0,
            refunds: order.refunds.filter((refund) => refund.at <= at),
          };
        }),
    },
    history: input.history.filter((entry) => entry.firstRefundAt !== null && entry.firstRefundAt <= at),
    claim: input.claim && input.claim.claimedAt <= at ? input.claim : null,
  };
}
