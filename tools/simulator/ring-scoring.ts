import type { EveningTruth } from './truth.js';

/** What ring scoring reads of a report (the contract's fields). */
export interface RingReportLike {
  id: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  accounts: string[];
  evidence: Record<string, unknown>;
}

export interface RingScore {
  style: string;
  members: number;
  heldOut: boolean;
  /** The live ring report overlapping the true ring most (by Jaccard), or null. */
  bestRing: string | null;
  reported: number;
  jaccard: number;
}

export interface RingScorecard {
  rings: RingScore[];
  /** Live ring reports (not merged into another). */
  ringReports: number;
  /** Mean Jaccard over the main generator's rings, and over the held-out ones (null without any). */
  meanJaccard: number | null;
  heldOutMeanJaccard: number | null;
  /** Honest sharers any ring report names. */
  honestNamed: string[];
  /**
   * Accounts a live ring report names that are in no true ring and no
   * attack's labels (`attackers`): honest viewers and buyers the ring
   * swallowed, sharers or not. Null when no labels were given.
   */
  unlabelledNamed: number | null;
  /** Bulk-registered accounts named in a ring report's registration burst, of all. */
  bulkFound: number;
  bulkTotal: number;
}

const jaccard = (a: ReadonlySet<string>, b: readonly string[]): number => {
  let shared = 0;
  for (const item of b) if (a.has(item)) shared++;
  const union = a.size + b.length - shared;
  return union === 0 ? 0 : shared / union;
};

const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length);

/**
 * Per true ring, the Jaccard of its best-matching live account_ring report
 * with its members; honest sharers named by any ring report (merged ones
 * included: a reviewer saw them); bulk-registered accounts a report's
 * registration burst names.
 */
export function scoreRings(
  truth: Pick<EveningTruth, 'rings' | 'honestSharers' | 'bulkRegistered'>,
  reports: readonly RingReportLike[],
  attackers?: ReadonlySet<string>,
): RingScorecard {
  const ringReports = reports.filter((report) => report.kind === 'account_ring' && report.subjectType === 'ring');
  const live = ringReports.filter((report) => report.evidence.mergedInto === undefined);
  const rings = truth.rings.map((ring): RingScore => {
    const members = new Set(ring.members);
    let best: { id: string; jaccard: number; reported: number } | null = null;
    for (const report of live) {
      const score = jaccard(members, report.accounts);
      if (score > 0 && (!best || score > best.jaccard)) best = { id: report.subjectId, jaccard: score, reported: report.accounts.length };
    }
    return { style: ring.style, members: members.size, heldOut: ring.heldOut === true, bestRing: best?.id ?? null, reported: best?.reported ?? 0, jaccard: best?.jaccard ?? 0 };
  });
  const named = new Set(ringReports.flatMap((report) => report.accounts));
  const burst = new Set(
    live.flatMap((report) => {
      const registered = (report.evidence.registrationBurst as { registered?: unknown } | null | undefined)?.registered;
      return Array.isArray(registered) ? registered.filter((account): account is string => typeof account === 'string') : [];
    }),
  );
  return {
    rings,
    ringReports: live.length,
    meanJaccard: mean(rings.filter((ring) => !ring.heldOut).map((ring) => ring.jaccard)),
    heldOutMeanJaccard: mean(rings.filter((ring) => ring.heldOut).map((ring) => ring.jaccard)),
    honestNamed: truth.honestSharers.filter((account) => named.has(account)),
    unlabelledNamed: attackers ? unlabelled(live, truth.rings, attackers) : null,
    bulkFound: truth.bulkRegistered.filter((account) => burst.has(account)).length,
    bulkTotal: truth.bulkRegistered.length,
  };
}

/** Distinct accounts of live ring reports in no true ring and not among the attackers. */
function unlabelled(live: readonly RingReportLike[], rings: EveningTruth['rings'], attackers: ReadonlySet<string>): number {
  const inRing = new Set(rings.flatMap((ring) => ring.members));
  return new Set(live.flatMap((report) => report.accounts).filter((account) => !inRing.has(account) && !attackers.has(account))).size;
}
