import { InjectQueue } from '@nestjs/bullmq';
import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import type pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { PG_POOL } from '../platform/database/database.module.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { DeliveryReason, DeliveryStatus } from './delivery.entity.js';
import { ENFORCEMENT_OPTIONS, type EnforcementOptions } from './enforcement.options.js';
import {
  type DeliverJobData,
  ENFORCEMENT_QUEUE,
  type EnforcementJobName,
  deliverJobId,
  enforcementJobOptions,
} from './enforcement.queue.js';
import { ALLOW_LISTED } from './enforcement-sql.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhookBody } from './webhook-signature.js';

/** A delivery to hand to the queue: its id and how many manual retries it has had (part of the job id). */
export interface DeliveryRef {
  id: string;
  manualRetries: number;
}

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

/** What one webhook attempt came to; a failure that may be retried is thrown instead. */
export type DeliveryOutcome = 'delivered' | 'skipped' | 'superseded' | 'already-settled' | 'failed';

/** The body the platform receives; `deliveryId` equals the X-Roomwatch-Delivery header. */
export interface EnforcementWebhookBody {
  deliveryId: string;
  reason: DeliveryReason;
  report: Record<string, unknown>;
}

/** A webhook attempt that failed and may succeed later; BullMQ retries it with backoff. */
export class DeliveryAttemptError extends Error {}

interface DeliveryRow {
  id: string;
  report_id: string;
  report_version: number;
  reason: DeliveryReason;
  report: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  manual_retries: number;
  last_error: string | null;
  response_status: number | null;
  lease_until: Date | null;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
}

const DELIVERY_COLUMNS = `id, report_id, report_version, reason, report, status, attempts, manual_retries, last_error,
  response_status, lease_until, created_at, updated_at, last_attempt_at, delivered_at`;
/** Rows examined per outbox sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 500;
/** A pending row younger than this is probably being enqueued right now by its writer. */
const SWEEP_MIN_AGE_SECONDS = 5;
const MAX_ERROR_TEXT = 500;

/**
 * Enforcement deliveries: the outbox rows, their queue jobs, and the signed
 * webhook call. A (report, version) that the platform acknowledged with a 2xx
 * is never sent again: every attempt first takes a lease on its row with a
 * conditional update, and settled rows are never leased.
 */
@Injectable()
export class DeliveriesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveriesService.name);
  private sweepTimer?: NodeJS.Timeout;
  private warnedNoWebhook = false;
  private warnedNoSecret = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ENFORCEMENT_OPTIONS) private readonly options: EnforcementOptions,
    @InjectQueue(ENFORCEMENT_QUEUE) private readonly queue: Queue<DeliverJobData, void, EnforcementJobName>,
    status: StatusRegistry,
  ) {
    status.register('enforcement', () => this.statusPart());
  }

  async onApplicationBootstrap(): Promise<void> {
    // A crash between a report commit and its enqueue left pending rows with no job.
    await this.sweep().catch((error: Error) => this.logger.warn(`outbox sweep at boot failed: ${error.message}`));
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((error: Error) => this.logger.warn(`outbox sweep failed: ${error.message}`));
    }, this.options.ENFORCEMENT_SWEEP_MS);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweepTimer);
  }

  /**
   * Queues deliveries whose rows are committed. A failure here is logged, not
   * thrown: the rows stay pending and the sweep enqueues them later.
   */
  async enqueue(deliveries: DeliveryRef[]): Promise<void> {
    if (deliveries.length === 0) return;
    const opts = enforcementJobOptions(this.options);
    try {
      await this.queue.addBulk(
        deliveries.map((delivery) => ({
          name: 'deliver' as const,
          data: { deliveryId: delivery.id },
          opts: { ...opts, jobId: deliverJobId(delivery.id, delivery.manualRetries) },
        })),
      );
    } catch (error) {
      this.logger.warn(`could not enqueue ${deliveries.length} deliveries, the sweep will: ${(error as Error).message}`);
    }
  }

  /** One webhook attempt. Safe to run twice: a settled or leased row is not sent. */
  async deliver(deliveryId: string, finalAttempt: boolean): Promise<DeliveryOutcome> {
    const leaseSeconds = Math.ceil(this.options.ENFORCEMENT_TIMEOUT_MS / 1000) + 30;
    const leased = await this.pool.query<DeliveryRow>(
      `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now(),
         lease_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
       RETURNING ${DELIVERY_COLUMNS}`,
      [deliveryId, leaseSeconds],
    );
    const delivery = leased.rows[0];
    if (!delivery) {
      const current = await this.pool.query<{ status: DeliveryStatus }>('SELECT status FROM deliveries WHERE id = $1', [deliveryId]);
      const status = current.rows[0]?.status;
      if (status === 'pending') throw new DeliveryAttemptError(`delivery ${deliveryId} is being sent by another worker`);
      return 'already-settled';
    }

    const stale = await this.staleness(delivery);
    if (stale) {
      await this.settle(deliveryId, stale.status, stale.reason, null);
      return stale.status;
    }

    const url = this.config.ENFORCEMENT_WEBHOOK_URL;
    if (!url) {
      if (!this.warnedNoWebhook) {
        this.warnedNoWebhook = true;
        this.logger.warn('ENFORCEMENT_WEBHOOK_URL is not set: enforceable reports are recorded as skipped deliveries');
      }
      await this.settle(deliveryId, 'skipped', null, null);
      return 'skipped';
    }
    const secret = this.config.ENFORCEMENT_WEBHOOK_SECRET;
    if (!secret) {
      // An unsigned enforcement request is one anybody could forge; refuse to send it.
      if (!this.warnedNoSecret) {
        this.warnedNoSecret = true;
        this.logger.error('ENFORCEMENT_WEBHOOK_SECRET is not set: deliveries fail until it is, then retry them');
      }
      await this.settle(deliveryId, 'failed', 'ENFORCEMENT_WEBHOOK_SECRET is not set', null);
      return 'failed';
    }

    const body: EnforcementWebhookBody = { deliveryId, reason: delivery.reason, report: delivery.report };
    const rawBody = JSON.stringify(body);
    let responseStatus: number | null = null;
    let problem: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhookBody(secret, rawBody),
          [DELIVERY_HEADER]: deliveryId,
        },
        body: rawBody,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.ENFORCEMENT_TIMEOUT_MS),
      });
      responseStatus = response.status;
      if (response.ok) {
        await response.body?.cancel();
        await this.settle(deliveryId, 'delivered', null, responseStatus);
        return 'delivered';
      }
      problem = `HTTP ${response.status}: ${(await response.text().catch(() => '')).slice(0, 200)}`.trim();
    } catch (error) {
      // fetch reports network failures as "fetch failed" with the reason in `cause`.
      const cause = (error as { cause?: { message?: unknown; code?: unknown } }).cause;
      problem = typeof cause?.message === 'string' ? `${(error as Error).message}: ${cause.message}` : (error as Error).message;
    }
    await this.settle(deliveryId, finalAttempt ? 'failed' : 'pending', problem.slice(0, MAX_ERROR_TEXT), responseStatus);
    if (finalAttempt) {
      this.logger.warn(`delivery ${deliveryId} failed after ${delivery.attempts} attempts: ${problem}`);
      return 'failed';
    }
    throw new DeliveryAttemptError(`delivery ${deliveryId} attempt ${delivery.attempts}: ${problem}`);
  }

  /** Sends a failed delivery again, with a fresh set of attempts. */
  async retry(id: string): Promise<DeliveryView> {
    const updated = await this.pool.query<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', manual_retries = manual_retries + 1, lease_until = NULL, updated_at = now()
       WHERE id = $1 AND status = 'failed' RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    );
    const row = updated.rows[0];
    if (!row) {
      const current = await this.pool.query<{ status: DeliveryStatus }>('SELECT status FROM deliveries WHERE id = $1', [id]);
      const status = current.rows[0]?.status;
      if (!status) throw new NotFoundException(`delivery ${id} not found`);
      throw new ConflictException(`delivery ${id} is ${status}; only a failed delivery can be retried`);
    }
    await this.enqueue([{ id: row.id, manualRetries: row.manual_retries }]);
    return toDeliveryView(row);
  }

  async get(id: string): Promise<DeliveryView> {
    const result = await this.pool.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = $1`, [id]);
    const row = result.rows[0];
    if (!row) throw new NotFoundException(`delivery ${id} not found`);
    return toDeliveryView(row);
  }

  async list(filter: { status?: DeliveryStatus; reportId?: string; limit: number }): Promise<{ items: DeliveryView[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.reportId) where.push(`report_id = $${params.push(filter.reportId)}`);
    const result = await this.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return { items: result.rows.map(toDeliveryView) };
  }

  /**
   * The outbox sweep: pending rows whose job is missing get one; rows whose
   * job ran out of attempts without recording it (a crash) are marked failed.
   * Job ids are deterministic, so a sweep racing a writer adds nothing twice.
   */
  async sweep(): Promise<number> {
    const pending = await this.pool.query<{ id: string; manual_retries: number }>(
      `SELECT id, manual_retries FROM deliveries
       WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < now())
         AND updated_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT $2`,
      [SWEEP_MIN_AGE_SECONDS, SWEEP_BATCH],
    );
    const missing: DeliveryRef[] = [];
    for (const row of pending.rows) {
      const job = await this.queue.getJob(deliverJobId(row.id, row.manual_retries));
      const state = job ? await job.getState() : 'unknown';
      if (state === 'failed') {
        await this.pool.query(
          `UPDATE deliveries SET status = 'failed', updated_at = now(), last_error = coalesce(last_error, $2)
           WHERE id = $1 AND status = 'pending'`,
          [row.id, job?.failedReason?.slice(0, MAX_ERROR_TEXT) ?? 'attempts exhausted'],
        );
      } else if (state === 'completed' || state === 'unknown') {
        await job?.remove();
        missing.push({ id: row.id, manualRetries: row.manual_retries });
      }
    }
    if (missing.length > 0) {
      this.logger.log(`re-enqueueing ${missing.length} pending deliveries`);
      await this.enqueue(missing);
    }
    return missing.length;
  }

  /**
   * Whether a leased delivery should no longer go out: a newer version of its
   * report is enforceable (the platform gets the latest state once, not every
   * step of a growing report), the report was dismissed since, or, for
   * automatic enforcement, the subject was allow-listed since.
   */
  private async staleness(delivery: DeliveryRow): Promise<{ status: 'superseded' | 'skipped'; reason: string } | null> {
    const result = await this.pool.query<{ latest_version: number; status: string; allow_listed: boolean }>(
      `SELECT (SELECT max(report_version) FROM deliveries WHERE report_id = r.id) AS latest_version,
              r.status, ${ALLOW_LISTED} AS allow_listed
       FROM reports r WHERE r.id = $1`,
      [delivery.report_id],
    );
    const current = result.rows[0];
    if (!current) return { status: 'skipped', reason: 'the report no longer exists' };
    if (current.latest_version > delivery.report_version) {
      return { status: 'superseded', reason: `superseded by version ${current.latest_version}` };
    }
    // A reviewer's later dismissal withdraws any enforcement still waiting, confirmed or automatic.
    if (current.status === 'dismissed') {
      return { status: 'skipped', reason: 'the report was dismissed after it was queued' };
    }
    if (delivery.reason === 'auto' && current.allow_listed) {
      return { status: 'skipped', reason: 'the subject was allow-listed after it was queued' };
    }
    return null;
  }

  private async settle(id: string, status: DeliveryStatus, lastError: string | null, responseStatus: number | null): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET status = $2, last_error = $3, response_status = $4, lease_until = NULL, updated_at = now(),
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
       WHERE id = $1`,
      [id, status, lastError, responseStatus],
    );
  }

  /**
   * `backlog` counts deliveries whose first attempt has not completed: work
   * that follows from events still on its way. A delivery that already failed
   * once waits on the receiver, not on roomwatch, so it is shown under
   * `retrying` and never holds `backlog` above 0 (CONTRACT §3): a client
   * waiting for "every report exists" must not wait for a receiver that is down.
   */
  private async statusPart(): Promise<{ backlog: number; [detail: string]: unknown }> {
    const [counts, rows] = await Promise.all([
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
      this.pool.query<{ first_attempts: number; retrying: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE status = 'pending' AND last_error IS NULL)::int AS first_attempts,
                count(*) FILTER (WHERE status = 'pending' AND last_error IS NOT NULL)::int AS retrying,
                count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM deliveries WHERE status IN ('pending', 'failed')`,
      ),
    ]);
    const { first_attempts: firstAttempts, retrying, failed } = rows.rows[0]!;
    return {
      backlog: firstAttempts,
      firstAttempts,
      retrying,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      // BullMQ's failed set is terminal and kept for inspection; shown, never counted.
      failedJobs: counts.failed ?? 0,
      failedDeliveries: failed,
    };
  }
}

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
