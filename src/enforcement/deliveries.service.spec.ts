import { jest } from '@jest/globals';
import { ConflictException, Logger, NotFoundException } from '@nestjs/common';
import { loadConfig } from '../platform/config/config.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { ReportEnforcementState, ReportRepository } from '../reports/report.repository.js';
import { DeliveriesService, DeliveryAttemptError } from './deliveries.service.js';
import type { DeliveryReason, DeliveryRef, DeliveryStatus, DeliveryView } from './delivery.js';
import type { DeliveryCounts, DeliveryRepository, LeasedDelivery } from './delivery.repository.js';
import { enforcementOptions } from './enforcement.options.js';

interface Row {
  id: string;
  reportId: string;
  reportVersion: number;
  reason: DeliveryReason;
  status: DeliveryStatus;
  attempts: number;
  manualRetries: number;
  lastError: string | null;
  leased: boolean;
  idle: boolean;
}

/** The deliveries table in memory, with the repository's rules: a lease only on an unleased pending row. */
class FakeDeliveryRepository implements Omit<DeliveryRepository, 'pool'> {
  readonly rows = new Map<string, Row>();

  add(row: Partial<Row> & Pick<Row, 'id' | 'reportId' | 'reportVersion'>): void {
    this.rows.set(row.id, { reason: 'auto', status: 'pending', attempts: 0, manualRetries: 0, lastError: null, leased: false, idle: false, ...row });
  }
  async lease(id: string): Promise<LeasedDelivery | null> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'pending' || row.leased) return null;
    row.attempts += 1;
    row.leased = true;
    return { id, reportId: row.reportId, reportVersion: row.reportVersion, reason: row.reason, report: { id: row.reportId }, attempts: row.attempts };
  }
  async statusOf(id: string): Promise<DeliveryStatus | null> {
    return this.rows.get(id)?.status ?? null;
  }
  async latestVersion(reportId: string): Promise<number | null> {
    const versions = [...this.rows.values()].filter((row) => row.reportId === reportId).map((row) => row.reportVersion);
    return versions.length > 0 ? Math.max(...versions) : null;
  }
  async settle(id: string, status: DeliveryStatus, lastError: string | null): Promise<void> {
    Object.assign(this.rows.get(id)!, { status, lastError, leased: false });
  }
  async reopenFailed(id: string): Promise<DeliveryView | null> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'failed') return null;
    Object.assign(row, { status: 'pending', manualRetries: row.manualRetries + 1, leased: false });
    return this.get(id);
  }
  async get(id: string): Promise<DeliveryView | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    const at = '2027-01-15T08:00:00.000Z';
    return { ...row, responseStatus: null, createdAt: at, updatedAt: at, lastAttemptAt: null, deliveredAt: null };
  }
  async list(): Promise<DeliveryView[]> {
    return [];
  }
  async idlePending(): Promise<DeliveryRef[]> {
    return [...this.rows.values()].filter((row) => row.status === 'pending' && row.idle).map((row) => ({ id: row.id, manualRetries: row.manualRetries }));
  }
  async markExhausted(id: string, reason: string): Promise<void> {
    const row = this.rows.get(id)!;
    if (row.status === 'pending') Object.assign(row, { status: 'failed', lastError: row.lastError ?? reason });
  }
  async counts(): Promise<DeliveryCounts> {
    const rows = [...this.rows.values()];
    return {
      firstAttempts: rows.filter((row) => row.status === 'pending' && row.lastError === null).length,
      retrying: rows.filter((row) => row.status === 'pending' && row.lastError !== null).length,
      failed: rows.filter((row) => row.status === 'failed').length,
    };
  }
}

/** The BullMQ queue as the service uses it: jobs by id with a state. */
class FakeQueue {
  readonly added: Array<{ name: string; data: unknown; jobId: string }> = [];
  readonly jobs = new Map<string, { state: string; failedReason?: string; removed: boolean }>();

  async addBulk(jobs: Array<{ name: string; data: unknown; opts: { jobId: string } }>): Promise<void> {
    for (const job of jobs) this.added.push({ name: job.name, data: job.data, jobId: job.opts.jobId });
  }
  async getJob(jobId: string) {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    return { failedReason: job.failedReason, getState: async () => job.state, remove: async () => void (job.removed = true) };
  }
  async getJobCounts(): Promise<Record<string, number>> {
    return { waiting: 2, prioritized: 1, active: 1, delayed: 0, failed: 3 };
  }
}

describe('DeliveriesService', () => {
  let deliveries: FakeDeliveryRepository;
  let reportStates: Map<string, ReportEnforcementState>;
  let queue: FakeQueue;
  let status: StatusRegistry;

  const make = (env: Record<string, string> = {}) => {
    const config = loadConfig({ ADMIN_KEY: 'k'.repeat(32), ...env });
    const reports = { enforcementState: async (id: string) => reportStates.get(id) ?? null } as unknown as ReportRepository;
    return new DeliveriesService(
      deliveries as unknown as DeliveryRepository,
      reports,
      config,
      enforcementOptions(config),
      queue as unknown as ConstructorParameters<typeof DeliveriesService>[4],
      status,
    );
  };

  beforeEach(() => {
    deliveries = new FakeDeliveryRepository();
    reportStates = new Map([['rep-1', { status: 'open', allowListed: false }]]);
    queue = new FakeQueue();
    status = new StatusRegistry();
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('does not send a delivery another worker holds, and says so to be retried', async () => {
    deliveries.add({ id: 'rep-1-v1', reportId: 'rep-1', reportVersion: 1, leased: true });
    await expect(make().deliver('rep-1-v1', false)).rejects.toThrow(DeliveryAttemptError);
    deliveries.add({ id: 'rep-1-v2', reportId: 'rep-1', reportVersion: 2, status: 'delivered' });
    await expect(make().deliver('rep-1-v2', false)).resolves.toBe('already-settled');
  });

  it('supersedes a version once a newer one of its report is enforceable', async () => {
    deliveries.add({ id: 'rep-1-v1', reportId: 'rep-1', reportVersion: 1 });
    deliveries.add({ id: 'rep-1-v3', reportId: 'rep-1', reportVersion: 3 });
    await expect(make().deliver('rep-1-v1', false)).resolves.toBe('superseded');
    expect(deliveries.rows.get('rep-1-v1')).toMatchObject({ status: 'superseded', lastError: 'superseded by version 3', leased: false });
  });

  it('skips what a dismissal or a later allow-listing withdrew, but not a confirmation of an allow-listed subject', async () => {
    reportStates.set('rep-d', { status: 'dismissed', allowListed: false });
    reportStates.set('rep-a', { status: 'open', allowListed: true });
    reportStates.set('rep-c', { status: 'confirmed', allowListed: true });
    deliveries.add({ id: 'rep-d-v1', reportId: 'rep-d', reportVersion: 1, reason: 'confirmed' });
    deliveries.add({ id: 'rep-a-v1', reportId: 'rep-a', reportVersion: 1 });
    deliveries.add({ id: 'rep-c-v2', reportId: 'rep-c', reportVersion: 2, reason: 'confirmed' });
    deliveries.add({ id: 'gone-v1', reportId: 'gone', reportVersion: 1 });
    const service = make();
    await service.deliver('rep-d-v1', false);
    await service.deliver('rep-a-v1', false);
    await service.deliver('rep-c-v2', false);
    await service.deliver('gone-v1', false);
    expect(deliveries.rows.get('rep-d-v1')).toMatchObject({ status: 'skipped', lastError: 'the report was dismissed after it was queued' });
    expect(deliveries.rows.get('rep-a-v1')).toMatchObject({ status: 'skipped', lastError: 'the subject was allow-listed after it was queued' });
    expect(deliveries.rows.get('gone-v1')).toMatchObject({ status: 'skipped', lastError: 'the report no longer exists' });
    // Not withdrawn: it reaches the webhook step, and with no webhook configured it is skipped without a reason.
    expect(deliveries.rows.get('rep-c-v2')).toMatchObject({ status: 'skipped', lastError: null });
  });

  it('never sends unsigned: without a secret the delivery fails and names the setting', async () => {
    deliveries.add({ id: 'rep-1-v1', reportId: 'rep-1', reportVersion: 1 });
    await expect(make({ ENFORCEMENT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }).deliver('rep-1-v1', false)).resolves.toBe('failed');
    expect(deliveries.rows.get('rep-1-v1')).toMatchObject({ status: 'failed', lastError: 'ENFORCEMENT_WEBHOOK_SECRET is not set' });
  });

  it('retries only a failed delivery, with a new job id per manual retry', async () => {
    deliveries.add({ id: 'rep-1-v1', reportId: 'rep-1', reportVersion: 1, status: 'failed', manualRetries: 1 });
    deliveries.add({ id: 'rep-1-v2', reportId: 'rep-1', reportVersion: 2, status: 'delivered' });
    const service = make();
    await expect(service.retry('nope')).rejects.toThrow(new NotFoundException('delivery nope not found'));
    await expect(service.retry('rep-1-v2')).rejects.toThrow(new ConflictException('delivery rep-1-v2 is delivered; only a failed delivery can be retried'));
    await expect(service.retry('rep-1-v1')).resolves.toMatchObject({ status: 'pending', manualRetries: 2 });
    expect(queue.added.map((job) => job.jobId)).toEqual(['deliver-rep-1-v1-r2']);
  });

  it('sweeps the outbox: re-enqueues pending rows whose job is missing or done, and fails those whose job ran out', async () => {
    deliveries.add({ id: 'lost-v1', reportId: 'rep-1', reportVersion: 1, idle: true });
    deliveries.add({ id: 'done-v1', reportId: 'rep-1', reportVersion: 1, idle: true });
    deliveries.add({ id: 'spent-v1', reportId: 'rep-1', reportVersion: 1, idle: true });
    deliveries.add({ id: 'waiting-v1', reportId: 'rep-1', reportVersion: 1, idle: true });
    deliveries.add({ id: 'fresh-v1', reportId: 'rep-1', reportVersion: 1 });
    queue.jobs.set('deliver-done-v1', { state: 'completed', removed: false });
    queue.jobs.set('deliver-spent-v1', { state: 'failed', failedReason: 'HTTP 500', removed: false });
    queue.jobs.set('deliver-waiting-v1', { state: 'delayed', removed: false });

    await expect(make().sweep()).resolves.toBe(2);
    expect(queue.added.map((job) => job.jobId).sort()).toEqual(['deliver-done-v1', 'deliver-lost-v1']);
    expect(queue.jobs.get('deliver-done-v1')!.removed).toBe(true);
    expect(deliveries.rows.get('spent-v1')).toMatchObject({ status: 'failed', lastError: 'HTTP 500' });
    expect(deliveries.rows.get('waiting-v1')!.status).toBe('pending');
  });

  it('counts only first attempts as backlog: a receiver that is down never holds it above 0', async () => {
    make();
    deliveries.add({ id: 'a-v1', reportId: 'a', reportVersion: 1 });
    deliveries.add({ id: 'b-v1', reportId: 'b', reportVersion: 1, lastError: 'HTTP 503' });
    deliveries.add({ id: 'c-v1', reportId: 'c', reportVersion: 1, status: 'failed', lastError: 'HTTP 503' });
    await expect(status.part('enforcement')).resolves.toEqual({
      backlog: 1,
      firstAttempts: 1,
      retrying: 1,
      waiting: 3,
      active: 1,
      delayed: 0,
      failedJobs: 3,
      failedDeliveries: 1,
    });
  });
});
