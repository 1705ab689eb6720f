import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `skipped`: not sent on purpose (no webhook configured, or the subject was
 * allow-listed or the report dismissed after it was queued; see lastError).
 * `superseded`: a newer version of the report was enforceable by send time.
 */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped', 'superseded'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Why a report version is enforced: the auto-enforce threshold, or a reviewer's confirmation. */
export type DeliveryReason = 'auto' | 'confirmed';

/**
 * One (report, version) handed to the platform's enforcement webhook. Doubles
 * as the outbox: it is written with the report change, before any queue job.
 */
@Entity({ name: 'deliveries' })
export class Delivery {
  /** `${reportId}-v${version}`: deterministic, sent as X-Roomwatch-Delivery. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @Column({ name: 'report_version', type: 'integer' })
  reportVersion!: number;

  @Column({ type: 'text' })
  reason!: DeliveryReason;

  /** The report as it was at this version (ReportView), the webhook's payload. */
  @Column({ type: 'jsonb' })
  report!: Record<string, unknown>;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'manual_retries', type: 'integer' })
  manualRetries!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
