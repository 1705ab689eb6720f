import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ReportKind, Severity, SubjectType } from '../detection/engine/finding.js';

export const REPORT_STATUSES = ['open', 'confirmed', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const REVIEW_DECISIONS = ['confirmed', 'dismissed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** pg hands bigint back as text; event-time milliseconds fit a JS number exactly. */
export const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * A report row (CONTRACT.md §3). Writes go through ReportsService's SQL (one
 * batched upsert per ingest batch); the entity serves reads and the schema map.
 */
@Entity({ name: 'reports' })
export class Report {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  kind!: ReportKind;

  @Column({ name: 'subject_type', type: 'text' })
  subjectType!: SubjectType;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId!: string;

  @Column({ name: 'room_id', type: 'text' })
  roomId!: string;

  @Column({ name: 'stream_id', type: 'text' })
  streamId!: string;

  @Column({ type: 'double precision' })
  score!: number;

  @Column({ type: 'text' })
  severity!: Severity;

  @Column({ type: 'text' })
  status!: ReportStatus;

  @Column({ type: 'text' })
  summary!: string;

  @Column({ type: 'text', array: true })
  accounts!: string[];

  @Column({ type: 'jsonb' })
  evidence!: Record<string, unknown>;

  @Column({ name: 'detected_at', type: 'bigint', transformer: bigintAsNumber })
  detectedAt!: number;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** One reviewer decision, kept forever as the audit trail of a report. */
@Entity({ name: 'report_decisions' })
export class ReportDecision {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @Column({ type: 'text' })
  decision!: ReviewDecision;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** The report version the reviewer looked at when deciding. */
  @Column({ name: 'decided_version', type: 'integer' })
  decidedVersion!: number;

  @Column({ name: 'reviewer_key_id', type: 'uuid' })
  reviewerKeyId!: string;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;
}
