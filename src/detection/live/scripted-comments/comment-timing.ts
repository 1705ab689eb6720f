import type { ScriptedCommentsConfig } from './scripted-comments.config.js';

/**
 * Timing patterns that tell a script from a crowd, over short bounded lists
 * (a cluster's recent posts, a cohort's members). Pure functions, so each
 * is specced alone (comment-timing.spec.ts).
 */

export interface Clock {
  medianGapMs: number;
  /** Share of gaps within the tolerance of the median gap. */
  onClockShare: number;
  /** Indexes of posts next to an on-clock gap (both ends of it). */
  onClock: number[];
}

/**
 * Whether posts at `times` (ascending) come on a clock: the gaps between
 * consecutive posts are near one length. Robust to the odd outlier (a
 * late post, an honest viewer typing the same thing) through the median.
 */
export function clockOf(times: readonly number[], rules: ScriptedCommentsConfig['clock']): Clock | undefined {
  const gaps = times.length - 1;
  if (gaps < rules.minGaps) return undefined;
  const sorted: number[] = [];
  for (let i = 1; i < times.length; i++) sorted.push(times[i] - times[i - 1]);
  sorted.sort((a, b) => a - b);
  const median = sorted[(gaps - 1) >> 1];
  if (median < rules.minMedianGapMs) return undefined;
  const onClock = new Set<number>();
  let fitting = 0;
  for (let i = 1; i < times.length; i++) {
    if (Math.abs(times[i] - times[i - 1] - median) > rules.gapTolerance * median) continue;
    fitting++;
    onClock.add(i - 1).add(i);
  }
  const onClockShare = fitting / gaps;
  if (onClockShare < rules.minOnClockShare) return undefined;
  return { medianGapMs: median, onClockShare, onClock: [...onClock].sort((a, b) => a - b) };
}

export interface Rotation {
  /** Accounts per round. */
  length: number;
  matchShare: number;
  /** Accounts whose posts the rotation predicted. */
  members: string[];
}

/**
 * Turn-taking among recent posters (oldest first): the shortest length L
 * for which the poster L posts back is, mostly, the same account again,
 * with L distinct accounts per round. One account posting alone repeats at
 * every L and has one distinct poster: it is a timer, not a rotation.
 */
export function rotationOf(posters: readonly string[], rules: ScriptedCommentsConfig['rotation'], maxLength = posters.length): Rotation | undefined {
  const longest = Math.min(maxLength, Math.floor(posters.length / rules.minRounds));
  for (let length = rules.minLength; length <= longest; length++) {
    let matches = 0;
    const members = new Set<string>();
    for (let i = length; i < posters.length; i++) {
      if (posters[i] !== posters[i - length]) continue;
      matches++;
      members.add(posters[i]);
    }
    const matchShare = matches / (posters.length - length);
    if (matchShare < rules.minMatchShare || members.size < length) continue;
    return { length, matchShare, members: [...members].sort() };
  }
  return undefined;
}

export interface CadenceMember {
  accountId: string;
  meanIntervalMs: number;
  lastPostAt: number;
}

export interface Cadence {
  periodMs: number;
  /** Mean resultant length of the members' phases within the period: near 1, they post at the same moments. */
  phaseConcentration: number;
  members: string[];
}

/**
 * The largest group of regular posters whose periods agree within
 * `maxPeriodRatio`: one timer setting. Returned with how concentrated the
 * members' phases are, so a crowd answering the host's scheduled cue (same
 * period, same moments) can be told from timers started independently.
 */
export function cadenceOf(members: readonly CadenceMember[], rules: ScriptedCommentsConfig['cadence']): Cadence | undefined {
  if (members.length === 0) return undefined;
  const byPeriod = [...members].sort((a, b) => a.meanIntervalMs - b.meanIntervalMs || (a.accountId < b.accountId ? -1 : 1));
  let bestFrom = 0;
  let bestTo = 0;
  for (let from = 0, to = 0; to < byPeriod.length; to++) {
    while (byPeriod[to].meanIntervalMs > byPeriod[from].meanIntervalMs * rules.maxPeriodRatio) from++;
    if (to - from > bestTo - bestFrom) {
      bestFrom = from;
      bestTo = to;
    }
  }
  const group = byPeriod.slice(bestFrom, bestTo + 1);
  const periodMs = group[(group.length - 1) >> 1].meanIntervalMs;
  let x = 0;
  let y = 0;
  for (const member of group) {
    const phase = ((member.lastPostAt % periodMs) / periodMs) * 2 * Math.PI;
    x += Math.cos(phase);
    y += Math.sin(phase);
  }
  return { periodMs, phaseConcentration: Math.hypot(x, y) / group.length, members: group.map((member) => member.accountId) };
}
