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
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { ReportRepository } from '../reports/report.repository.js';
import type { DeliveryReason, DeliveryRef, DeliveryView } from './delivery.js';
import { DeliveryRepository, type LeasedDelivery } from './delivery.repository.js';
import { ENFORCEMENT_OPTIONS, type EnforcementOptions } from './enforcement.options.js';
import {
  type DeliverJobData,
  ENFORCEMENT_QUEUE,
  type EnforcementJobName,
  deliverJobId,
  enforcementJobOptions,
} from './enforcement.queue.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhookBody } from './webhook-signature.js';

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
    private readonly deliveries: DeliveryRepository,
    private readonly reports: ReportRepository,
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
    const delivery = await this.deliveries.lease(deliveryId, leaseSeconds);
    if (!delivery) {
      if ((await this.deliveries.statusOf(deliveryId)) === 'pending') throw new DeliveryAttemptError(`delivery ${deliveryId} is being sent by another worker`);
      return 'already-settled';
    }

    const stale = await this.staleness(delivery);
    if (stale) {
      await this.deliveries.settle(deliveryId, stale.status, stale.reason, null);
      return stale.status;
    }

    const url = this.config.ENFORCEMENT_WEBHOOK_URL;
    if (!url) {
      if (!this.warnedNoWebhook) {
        this.warnedNoWebhook = true;
        this.logger.warn('ENFORCEMENT_WEBHOOK_URL is not set: enforceable reports are recorded as skipped deliveries');
      }
      await this.deliveries.settle(deliveryId, 'skipped', null, null);
      return 'skipped';
    }
    const secret = this.config.ENFORCEMENT_WEBHOOK_SECRET;
    if (!secret) {
      // An unsigned enforcement request is one anybody could forge; refuse to send it.
      if (!this.warnedNoSecret) {
        this.warnedNoSecret = true;
        this.logger.error('ENFORCEMENT_WEBHOOK_SECRET is not set: deliveries fail until it is, then retry them');
      }
      await this.deliveries.settle(deliveryId, 'failed', 'ENFORCEMENT_WEBHOOK_SECRET is not set', null);
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
        await this.deliveries.settle(deliveryId, 'delivered', null, responseStatus);
        return 'delivered';
      }
      problem = `HTTP ${response.status}: ${(await response.text().catch(() => '')).slice(0, 200)}`.trim();
    } catch (error) {
      // fetch reports network failures as "fetch failed" with the reason in `cause`.
      const cause = (error as { cause?: { message?: unknown; code?: unknown } }).cause;
      problem = typeof cause?.message === 'string' ? `${(error as Error).message}: ${cause.message}` : (error as Error).message;
    }
    await this.deliveries.settle(deliveryId, finalAttempt ? 'failed' : 'pending', problem.slice(0, MAX_ERROR_TEXT), responseStatus);
    if (finalAttempt) {
      this.logger.warn(`delivery ${deliveryId} failed after ${delivery.attempts} attempts: ${problem}`);
      return 'failed';
    }
    throw new DeliveryAttemptError(`delivery ${deliveryId} attempt ${delivery.attempts}: ${problem}`);
  }

  /** Sends a failed delivery again, with a fresh set of attempts. */
  async retry(id: string): Promise<DeliveryView> {
    const reopened = await this.deliveries.reopenFailed(id);
    if (!reopened) {
      const status = await this.deliveries.statusOf(id);
      if (!status) throw new NotFoundException(`delivery ${id} not found`);
      throw new ConflictException(`delivery ${id} is ${status}; only a failed delivery can be retried`);
    }
    await this.enqueue([{ id: reopened.id, manualRetries: reopened.manualRetries }]);
    return reopened;
  }

  async get(id: string): Promise<DeliveryView> {
    const delivery = await this.deliveries.get(id);
    if (!delivery) throw new NotFoundException(`delivery ${id} not found`);
    return delivery;
  }

  async list(filter: Parameters<DeliveryRepository['list']>[0]): Promise<{ items: DeliveryView[] }> {
    return { items: await this.deliveries.list(filter) };
  }

  /**
   * The outbox sweep: pending rows whose job is missing get one; rows whose
   * job ran out of attempts without recording it (a crash) are marked failed.
   * Job ids are deterministic, so a sweep racing a writer adds nothing twice.
   */
  async sweep(): Promise<number> {
    const pending = await this.deliveries.idlePending(SWEEP_MIN_AGE_SECONDS, SWEEP_BATCH);
    const missing: DeliveryRef[] = [];
    for (const ref of pending) {
      const job = await this.queue.getJob(deliverJobId(ref.id, ref.manualRetries));
      const state = job ? await job.getState() : 'unknown';
      if (state === 'failed') {
        await this.deliveries.markExhausted(ref.id, job?.failedReason?.slice(0, MAX_ERROR_TEXT) ?? 'attempts exhausted');
      } else if (state === 'completed' || state === 'unknown') {
        await job?.remove();
        missing.push(ref);
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
  private async staleness(delivery: LeasedDelivery): Promise<{ status: 'superseded' | 'skipped'; reason: string } | null> {
    const [current, latestVersion] = await Promise.all([
      this.reports.enforcementState(delivery.reportId),
      this.deliveries.latestVersion(delivery.reportId),
    ]);
    if (!current) return { status: 'skipped', reason: 'the report no longer exists' };
    if (latestVersion !== null && latestVersion > delivery.reportVersion) {
      return { status: 'superseded', reason: `superseded by version ${latestVersion}` };
    }
    // A reviewer's later dismissal withdraws any enforcement still waiting, confirmed or automatic.
    if (current.status === 'dismissed') {
      return { status: 'skipped', reason: 'the report was dismissed after it was queued' };
    }
    if (delivery.reason === 'auto' && current.allowListed) {
      return { status: 'skipped', reason: 'the subject was allow-listed after it was queued' };
    }
    return null;
  }

  /**
   * `backlog` counts deliveries whose first attempt has not completed: work
   * that follows from events still on its way. A delivery that already failed
   * once waits on the receiver, not on roomwatch, so it is shown under
   * `retrying` and never holds `backlog` above 0 (CONTRACT §3): a client
   * waiting for "every report exists" must not wait for a receiver that is down.
   */
  private async statusPart(): Promise<{ backlog: number; [detail: string]: unknown }> {
    const [counts, { firstAttempts, retrying, failed }] = await Promise.all([
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
      this.deliveries.counts(),
    ]);
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
