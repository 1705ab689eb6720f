import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ReportKind } from '../detection/engine/finding.js';

/** Per-kind enforcement policy; a missing row or column falls back to config and the finding's own severity. */
@Entity({ name: 'enforcement_policies' })
export class EnforcementPolicy {
  @PrimaryColumn({ type: 'text' })
  kind!: ReportKind;

  @Column({ name: 'auto_enforce_score', type: 'double precision', nullable: true })
  autoEnforceScore!: number | null;

  /** Score from which a report is `medium` (below: `low`). */
  @Column({ name: 'severity_medium', type: 'double precision', nullable: true })
  severityMedium!: number | null;

  /** Score from which a report is `high`. */
  @Column({ name: 'severity_high', type: 'double precision', nullable: true })
  severityHigh!: number | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const ALLOW_LIST_SUBJECT_TYPES = ['account', 'room'] as const;
export type AllowListSubjectType = (typeof ALLOW_LIST_SUBJECT_TYPES)[number];

/** An account or room that must never be enforced automatically (a room's own staff, a partner's test room). */
@Entity({ name: 'enforcement_allow_list' })
export class AllowListEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'subject_type', type: 'text' })
  subjectType!: AllowListSubjectType;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Every policy change: who, what, the value before and after, when. */
@Entity({ name: 'policy_audit' })
export class PolicyAuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  target!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
