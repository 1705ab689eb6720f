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
