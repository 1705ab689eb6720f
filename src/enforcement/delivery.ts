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
 * One (report, version) handed to the platform's enforcement webhook, as the
 * API shows it. Its row doubles as the outbox: it is written with the report
 * change, before any queue job. The id, `${reportId}-v${version}`, is
 * deterministic and sent as X-Roomwatch-Delivery.
 */
export interface DeliveryView {
  id: string;
  reportId: string;
  reportVersion: number;
  reason: DeliveryReason;
  status: DeliveryStatus;
  attempts: number;
  manualRetries: number;
  lastError: string | null;
  responseStatus: number | null;
  createdAt: string;
  updatedAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

/** A delivery to hand to the queue: its id and how many manual retries it has had (part of the job id). */
export interface DeliveryRef {
  id: string;
  manualRetries: number;
}
