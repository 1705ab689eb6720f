/**
 * What the detection engine hands to the rest of the service. A finding is
 * the engine's current verdict about one subject in one stream; the report
 * store turns it into a contract report (CONTRACT.md §3), keyed by
 * (kind, subjectType, subjectId, streamId), bumping `version` only when the
 * content changed, so handing the same finding twice is harmless.
 */
/** The report kinds of CONTRACT.md §3 v1. */
export const V1_REPORT_KINDS = ['injected_viewers', 'scripted_comments', 'refund_brushing', 'inflated_gmv'] as const;
/** v2 (CONTRACT.md §3): flash-sale scalpers, promotion abuse, cash-out, linked-account rings. */
export const V2_REPORT_KINDS = ['scalper_bot', 'coupon_abuse', 'cash_out', 'account_ring'] as const;
/** Every report kind, v1 first, then v2's. */
export const REPORT_KINDS = [...V1_REPORT_KINDS, ...V2_REPORT_KINDS] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/**
 * What a report is about (CONTRACT.md §3): a room's stream, an account, and
 * in v2 a ring of linked accounts or a merchant's shop. Ring and merchant
 * reports span rooms: their roomId and streamId are null.
 */
export const SUBJECT_TYPES = ['room', 'account', 'ring', 'merchant'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];
export type Severity = 'low' | 'medium' | 'high';

export interface Finding {
  kind: ReportKind;
  subjectType: SubjectType;
  /** roomId for room findings, accountId for account findings, the ring id or merchantId for ring and merchant findings. */
  subjectId: string;
  /**
   * The stream the finding is about; null for ring and merchant findings
   * (they span rooms) and for an account finding tied to no stream (coupon
   * hoarding outside rooms): one report per (kind, subject) then.
   */
  roomId: string | null;
  streamId: string | null;
  /** 0..1, how sure the detector is. */
  score: number;
  severity: Severity;
  /** One sentence a reviewer can read. */
  summary: string;
  /** Accounts implicated (for room findings; the account itself for account findings). */
  accounts: string[];
  /** Figures and samples that justify it; JSON-serialisable, bounded in size. */
  evidence: Record<string, unknown>;
  /** Event time (ms) of first detection; never moves once set. */
  detectedAt: number;
}

export function findingKey(finding: Pick<Finding, 'kind' | 'subjectType' | 'subjectId' | 'streamId'>): string {
  return `${finding.kind}|${finding.subjectType}|${finding.subjectId}|${finding.streamId}`;
}

const SEVERITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high']);
const SUBJECTS: ReadonlySet<string> = new Set(SUBJECT_TYPES);
const KINDS: ReadonlySet<string> = new Set(REPORT_KINDS);
const isId = (id: unknown): boolean => typeof id === 'string' && id.length > 0;

/** What makes a finding impossible to store (a detector bug), or null when it is sound. */
export function findingProblem(finding: Finding): string | null {
  if (!KINDS.has(finding.kind)) return `kind ${String(finding.kind)} is not a report kind`;
  if (!SUBJECTS.has(finding.subjectType)) return `subjectType ${String(finding.subjectType)} is not one of ${SUBJECT_TYPES.join(', ')}`;
  if (!SEVERITIES.has(finding.severity)) return `severity ${String(finding.severity)} is not low, medium or high`;
  if (!(typeof finding.score === 'number' && finding.score >= 0 && finding.score <= 1)) {
    return `score ${String(finding.score)} is not within 0..1`;
  }
  if (!Number.isSafeInteger(finding.detectedAt)) return `detectedAt ${String(finding.detectedAt)} is not an integer of ms`;
  if (!isId(finding.subjectId)) return 'subjectId must be non-empty';
  const streamless = finding.roomId === null && finding.streamId === null;
  const inStream = isId(finding.roomId) && isId(finding.streamId);
  if (finding.subjectType === 'room' && !inStream) return 'roomId and streamId must be non-empty for a room finding';
  if ((finding.subjectType === 'ring' || finding.subjectType === 'merchant') && !streamless) {
    return `roomId and streamId must be null for a ${finding.subjectType} finding: it spans rooms`;
  }
  if (finding.subjectType === 'account' && !inStream && !streamless) return 'roomId and streamId come together or not at all';
  if (!Array.isArray(finding.accounts) || !finding.accounts.every((account) => typeof account === 'string')) {
    return 'accounts must be an array of strings';
  }
  if (typeof finding.evidence !== 'object' || finding.evidence === null || Array.isArray(finding.evidence)) {
    return 'evidence must be an object';
  }
  return null;
}

/** Score of a report whose evidence no longer holds: below every enforcement threshold. */
export const STOOD_DOWN_SCORE = 0.1;

/** What a stood-down report's evidence adds: when, and why it no longer holds. */
export interface StandDown {
  at: number;
  reason: string;
}

/**
 * A stored finding whose verdict the evidence has since taken back, as its
 * report should now read: what it was, that it stood down and why, scored
 * low (below every enforcement threshold) so no one acts on it. The key and
 * detectedAt stay; if the verdict holds again, the next finding replaces it.
 */
export function stoodDownFinding(previous: Finding, standDown: StandDown & Record<string, unknown>, summary: string): Finding {
  return {
    ...previous,
    score: STOOD_DOWN_SCORE,
    severity: 'low',
    summary: `${summary} It read: ${previous.summary}`,
    evidence: { ...previous.evidence, stoodDown: standDown },
  };
}

/** Whether a report's evidence says it stood down. */
export function isStoodDown(evidence: Record<string, unknown>): boolean {
  return evidence.stoodDown !== undefined && evidence.stoodDown !== null;
}
