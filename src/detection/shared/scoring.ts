import type { Severity } from '../engine/finding.js';

/** Combines independent indications as a noisy-OR: each can only raise the score, none alone reaches 1. */
export function combineScores(scores: readonly number[]): number {
  let miss = 1;
  for (const score of scores) miss *= 1 - Math.min(Math.max(score, 0), 0.99);
  return round3(1 - miss);
}

/** To three decimals: how scores and shares are reported. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function severityOf(score: number, thresholds: { high: number; medium: number }): Severity {
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.medium) return 'medium';
  return 'low';
}

/** Coefficient of variation (stddev / mean) of a list of positive gaps; Infinity when undefined. */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length < 2) return Number.POSITIVE_INFINITY;
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  if (mean <= 0) return Number.POSITIVE_INFINITY;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return Math.sqrt(squares / (values.length - 1)) / mean;
}

/** Largest number of sorted values within any span of `span`. */
export function densestSpan(sorted: readonly number[], span: number): { count: number; from: number; to: number } {
  let best = { count: 0, from: 0, to: 0 };
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] > span) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, from: sorted[lo], to: sorted[hi] };
  }
  return best;
}

/**
 * Which of the given times belong to a batch: at least `minPeers` other
 * times within ±`halfWindow`, and several times more than the group's own
 * average density would put there (so a big crowd arriving at random is not
 * a batch, while waves a few minutes apart each are). `baselineSpan` floors
 * the span used for the average, so a group that arrived all at once counts.
 */
export function batchedTimes(
  times: readonly number[],
  halfWindow: number,
  minPeers: number,
  densityFactor: number,
  baselineSpan: number,
): boolean[] {
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const sorted = order.map((i) => times[i]);
  const n = sorted.length;
  const flags = new Array<boolean>(n).fill(false);
  if (n === 0) return flags;
  const span = Math.max(sorted[n - 1] - sorted[0], baselineSpan);
  const expected = (n * 2 * halfWindow) / span;
  const needed = Math.max(minPeers, Math.ceil(expected * densityFactor));
  for (let i = 0, lo = 0, hi = 0; i < n; i++) {
    while (sorted[i] - sorted[lo] > halfWindow) lo++;
    while (hi + 1 < n && sorted[hi + 1] - sorted[i] <= halfWindow) hi++;
    flags[order[i]] = hi - lo >= needed;
  }
  return flags;
}
