/**
 * What the detection engine hands to the rest of the service. A finding is
 * the engine's current verdict about one subject in one stream; the report
 * store turns it into a contract report (CONTRACT.md §3), keyed by
 * (kind, subjectType, subjectId, streamId), bumping `version` only when the
 * content changed, so handing the same finding twice is harmless.
 */
export const REPORT_KINDS = ['injected_viewers', 'scripted_comments', 'refund_brushing', 'inflated_gmv'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export type SubjectType = 'room' | 'account';
export type Severity = 'low' | 'medium' | 'high';

export interface Finding {
  kind: ReportKind;
  subjectType: SubjectType;
  /** roomId for room findings, accountId for account findings. */
  subjectId: string;
  roomId: string;
  streamId: string;
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
const SUBJECT_TYPES: ReadonlySet<string> = new Set(['room', 'account']);
const KINDS: ReadonlySet<string> = new Set(REPORT_KINDS);

/** What makes a finding impossible to store (a detector bug), or null when it is sound. */
export function findingProblem(finding: Finding): string | null {
  if (!KINDS.has(finding.kind)) return `kind ${String(finding.kind)} is not a report kind`;
  if (!SUBJECT_TYPES.has(finding.subjectType)) return `subjectType ${String(finding.subjectType)} is not room or account`;
  if (!SEVERITIES.has(finding.severity)) return `severity ${String(finding.severity)} is not low, medium or high`;
  if (!(typeof finding.score === 'number' && finding.score >= 0 && finding.score <= 1)) {
    return `score ${String(finding.score)} is not within 0..1`;
  }
  if (!Number.isSafeInteger(finding.detectedAt)) return `detectedAt ${String(finding.detectedAt)} is not an integer of ms`;
  if (![finding.subjectId, finding.roomId, finding.streamId].every((id) => typeof id === 'string' && id.length > 0)) {
    return 'subjectId, roomId and streamId must be non-empty';
  }
  if (!Array.isArray(finding.accounts) || !finding.accounts.every((account) => typeof account === 'string')) {
    return 'accounts must be an array of strings';
  }
  if (typeof finding.evidence !== 'object' || finding.evidence === null || Array.isArray(finding.evidence)) {
    return 'evidence must be an object';
  }
  return null;
}
