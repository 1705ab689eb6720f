import type { ReportKind } from '../detection/engine/finding.js';

export const ALLOW_LIST_SUBJECT_TYPES = ['account', 'room'] as const;
export type AllowListSubjectType = (typeof ALLOW_LIST_SUBJECT_TYPES)[number];

export interface SeverityBands {
  /** Score from which a report is `medium`; below it, `low`. */
  medium: number;
  /** Score from which a report is `high`. */
  high: number;
}

/** A kind's enforcement policy as the API shows it; a kind without a row falls back to config and the detectors' severities. */
export interface ThresholdPolicyView {
  kind: ReportKind;
  /** The kind's own auto-enforce score, or null to use AUTO_ENFORCE_SCORE. */
  autoEnforceScore: number | null;
  /** What applies now, policy expiry and the config default considered. */
  effectiveAutoEnforceScore: number;
  severityBands: SeverityBands | null;
  expiresAt: string | null;
  /** False once expiresAt has passed: the config default and detector severities apply again. */
  active: boolean;
  updatedAt: string | null;
}

export interface ThresholdPolicyInput {
  autoEnforceScore: number | null;
  severityBands: SeverityBands | null;
  expiresAt: string | null;
}

/** An account or room that must never be enforced automatically (a room's own staff, a partner's test room). */
export interface AllowListEntryView {
  id: string;
  subjectType: AllowListSubjectType;
  subjectId: string;
  reason: string | null;
  expiresAt: string | null;
  active: boolean;
  createdAt: string;
}

export interface AllowListInput {
  subjectType: AllowListSubjectType;
  subjectId: string;
  reason: string | null;
  expiresAt: string | null;
}

/** Every policy change: who, what, the value before and after, when. */
export interface PolicyAuditView {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  changedAt: string;
}
