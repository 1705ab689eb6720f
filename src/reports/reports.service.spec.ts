import type { Finding } from '../detection/engine/finding.js';
import type { DeliveriesService } from '../enforcement/deliveries.service.js';
import type { DeliveryRef } from '../enforcement/delivery.js';
import { loadConfig } from '../platform/config/config.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { ReportEvent, ReportEvents } from './report-events.js';
import type { ReportView } from './report-view.js';
import type { ReportRepository, StoredReport } from './report.repository.js';
import { InvalidFindingError, ReportsService } from './reports.service.js';

const config = loadConfig({ ADMIN_KEY: 'k'.repeat(32), AUTO_ENFORCE_SCORE: '0.8' });

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'injected_viewers',
    subjectType: 'room',
    subjectId: 'room-1',
    roomId: 'room-1',
    streamId: 'stream-1',
    score: 0.7,
    severity: 'medium',
    summary: 'viewers joined in fixed steps',
    accounts: [],
    evidence: { joins: 300 },
    detectedAt: 1_800_000_000_000,
    ...overrides,
  };
}

function view(overrides: Partial<ReportView> = {}): ReportView {
  return { ...finding(), id: 'r-1', status: 'open', version: 1, updatedAt: '2027-01-15T08:00:00.000Z', ...overrides };
}

/** The report table as the service sees it: a scripted answer per call, and what was asked. */
class FakeReportRepository implements Pick<ReportRepository, 'upsertFindings'> {
  stored: StoredReport[] = [];
  upserts: Array<{ findings: readonly Finding[]; defaultAutoEnforceScore: number }> = [];

  async upsertFindings(findings: readonly Finding[], defaultAutoEnforceScore: number): Promise<StoredReport[]> {
    this.upserts.push({ findings, defaultAutoEnforceScore });
    return this.stored;
  }
}

describe('ReportsService', () => {
  let repository: FakeReportRepository;
  let published: ReportEvent[];
  let enqueued: DeliveryRef[];
  let metrics: MetricsService;
  let service: ReportsService;

  beforeEach(() => {
    repository = new FakeReportRepository();
    published = [];
    enqueued = [];
    metrics = new MetricsService(new StatusRegistry());
    const events = { publish: async (batch: ReportEvent[]) => void published.push(...batch) } as unknown as ReportEvents;
    const deliveries = { enqueue: async (refs: DeliveryRef[]) => void enqueued.push(...refs) } as unknown as DeliveriesService;
    service = new ReportsService(repository as unknown as ReportRepository, config, events, deliveries, metrics);
  });

  it('refuses a batch holding an impossible finding, naming it, before anything is written', async () => {
    await expect(service.applyFindings([finding(), finding({ streamId: 'bad-1', score: Number.NaN })])).rejects.toThrow(
      new InvalidFindingError('finding injected_viewers|room|room-1|bad-1: score NaN is not within 0..1'),
    );
    expect(repository.upserts).toEqual([]);
    expect(published).toEqual([]);
  });

  it('stores findings with the configured auto-enforce score, pushes each change and queues only enforceable versions', async () => {
    repository.stored = [
      { report: view({ id: 'r-new', version: 1 }), deliveryId: null },
      { report: view({ id: 'r-grown', version: 3, streamId: 'stream-2', severity: 'high' }), deliveryId: 'r-grown-v3' },
    ];
    await service.applyFindings([finding(), finding({ streamId: 'stream-2', score: 0.95 })]);

    expect(repository.upserts).toHaveLength(1);
    expect(repository.upserts[0]!.defaultAutoEnforceScore).toBe(0.8);
    expect(published.map((e) => [e.event, e.report.id])).toEqual([
      ['report.created', 'r-new'],
      ['report.updated', 'r-grown'],
    ]);
    expect(enqueued).toEqual([{ id: 'r-grown-v3', manualRetries: 0 }]);
    const counted = (await metrics.reports.get()).values.map((v) => [v.labels.change, v.labels.severity, v.value]);
    expect(counted).toEqual(expect.arrayContaining([['created', 'medium', 1], ['updated', 'high', 1]]));
  });

  it('pushes nothing when no report changed', async () => {
    await service.applyFindings([finding()]);
    expect(repository.upserts).toHaveLength(1);
    expect(published).toEqual([]);
    expect(enqueued).toEqual([]);
  });
});
