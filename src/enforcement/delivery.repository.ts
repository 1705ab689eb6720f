import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import type { DeliveryReason, DeliveryRef, DeliveryStatus, DeliveryView } from './delivery.js';

interface DeliveryRow {
  id: string;
  report_id: string;
  report_version: number;
  reason: DeliveryReason;
  status: DeliveryStatus;
  attempts: number;
  manual_retries: number;
  last_error: string | null;
  response_status: number | null;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
}

const DELIVERY_COLUMNS = `id, report_id, report_version, reason, status, attempts, manual_retries, last_error,
  response_status, created_at, updated_at, last_attempt_at, delivered_at`;

function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    reportId: row.report_id,
    reportVersion: row.report_version,
    reason: row.reason,
    status: row.status,
    attempts: row.attempts,
    manualRetries: row.manual_retries,
    lastError: row.last_error,
    responseStatus: row.response_status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
  };
}

/** A delivery one worker holds the lease on: what it sends. */
export interface LeasedDelivery {
  id: string;
  reportId: string;
  reportVersion: number;
  reason: DeliveryReason;
  /** The report as it was at this version (ReportView), the webhook's payload. */
  report: Record<string, unknown>;
  /** Attempts so far, this one included. */
  attempts: number;
}

/** Deliveries still owed: first attempts, retries waiting on the receiver, and those that gave up. */
export interface DeliveryCounts {
  firstAttempts: number;
  retrying: number;
  failed: number;
}

/**
 * The `deliveries` table (the enforcement outbox). Its rows are created by
 * the report store's statements (ReportRepository), in the transaction of
 * the report change; everything after that is here.
 */
@Injectable()
export class DeliveryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Takes the lease on a pending delivery no one else holds, counting the
   * attempt: a conditional update, so two workers never send one row at once
   * and a settled row is never sent again. Null when it cannot be leased.
   */
  async lease(id: string, leaseSeconds: number): Promise<LeasedDelivery | null> {
    const { rows } = await this.pool.query<{
      id: string;
      report_id: string;
      report_version: number;
      reason: DeliveryReason;
      report: Record<string, unknown>;
      attempts: number;
    }>(
      `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now(),
         lease_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
       RETURNING id, report_id, report_version, reason, report, attempts`,
      [id, leaseSeconds],
    );
    const row = rows[0];
    return row
      ? { id: row.id, reportId: row.report_id, reportVersion: row.report_version, reason: row.reason, report: row.report, attempts: row.attempts }
      : null;
  }

  async statusOf(id: string): Promise<DeliveryStatus | null> {
    const { rows } = await this.pool.query<{ status: DeliveryStatus }>('SELECT status FROM deliveries WHERE id = $1', [id]);
    return rows[0]?.status ?? null;
  }

  /** The newest version of the report that was ever enforceable; null when none was. */
  async latestVersion(reportId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ latest: number | null }>(
      'SELECT max(report_version) AS latest FROM deliveries WHERE report_id = $1',
      [reportId],
    );
    return rows[0]?.latest ?? null;
  }

  /** Records an attempt's outcome and releases the lease. */
  async settle(id: string, status: DeliveryStatus, lastError: string | null, responseStatus: number | null): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET status = $2, last_error = $3, response_status = $4, lease_until = NULL, updated_at = now(),
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
       WHERE id = $1`,
      [id, status, lastError, responseStatus],
    );
  }

  /** Makes a failed delivery pending again with a fresh set of attempts; null when it is not failed (or absent). */
  async reopenFailed(id: string): Promise<DeliveryView | null> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', manual_retries = manual_retries + 1, lease_until = NULL, updated_at = now()
       WHERE id = $1 AND status = 'failed' RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    );
    return rows[0] ? toDeliveryView(rows[0]) : null;
  }

  async get(id: string): Promise<DeliveryView | null> {
    const { rows } = await this.pool.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ? toDeliveryView(rows[0]) : null;
  }

  /** Newest first. */
  async list(filter: { status?: DeliveryStatus; reportId?: string; limit: number }): Promise<DeliveryView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.reportId) where.push(`report_id = $${params.push(filter.reportId)}`);
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(toDeliveryView);
  }

  /** Pending, unleased rows untouched for `minAgeSeconds`, oldest first: the outbox sweep's candidates. */
  async idlePending(minAgeSeconds: number, limit: number): Promise<DeliveryRef[]> {
    const { rows } = await this.pool.query<{ id: string; manual_retries: number }>(
      `SELECT id, manual_retries FROM deliveries
       WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < now())
         AND updated_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT $2`,
      [minAgeSeconds, limit],
    );
    return rows.map((row) => ({ id: row.id, manualRetries: row.manual_retries }));
  }

  /** Marks a pending delivery failed whose job ran out of attempts without recording it (a crash). */
  async markExhausted(id: string, reason: string): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET status = 'failed', updated_at = now(), last_error = coalesce(last_error, $2)
       WHERE id = $1 AND status = 'pending'`,
      [id, reason],
    );
  }

  async counts(): Promise<DeliveryCounts> {
    const { rows } = await this.pool.query<{ first_attempts: number; retrying: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE status = 'pending' AND last_error IS NULL)::int AS first_attempts,
              count(*) FILTER (WHERE status = 'pending' AND last_error IS NOT NULL)::int AS retrying,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM deliveries WHERE status IN ('pending', 'failed')`,
    );
    const row = rows[0]!;
    return { firstAttempts: row.first_attempts, retrying: row.retrying, failed: row.failed };
  }
}
