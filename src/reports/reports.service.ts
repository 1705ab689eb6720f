import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { type Finding, findingKey, findingProblem } from '../detection/engine/finding.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { DeliveriesService } from '../enforcement/deliveries.service.js';
import { type ReportEvent, ReportEvents } from './report-events.js';
import { ReportRepository } from './report.repository.js';

/** A finding the store cannot keep: an engine bug, named precisely so the caller's log says which. */
export class InvalidFindingError extends Error {}

/**
 * The report store. Findings become reports in one batched statement that
 * also writes the enforcement outbox rows, so a report and its enforcement
 * intent commit together; pushes and queue jobs follow from what it returns.
 * It is the one place findings are checked: every producer's findings reach
 * the reports through here.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reportEvents: ReportEvents,
    private readonly deliveries: DeliveriesService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Stores findings as reports (see ReportRepository.upsertFindings), then
   * pushes the changes and queues their deliveries. Called after every
   * committed ingest batch, so it is one statement per call.
   */
  async applyFindings(findings: Finding[]): Promise<void> {
    if (findings.length === 0) return;
    // Checked before anything is written, so a bad finding fails the call whole and loudly.
    for (const finding of findings) {
      const problem = findingProblem(finding);
      if (problem) throw new InvalidFindingError(`finding ${findingKey(finding)}: ${problem}`);
    }
    const stored = await this.reports.upsertFindings(findings, this.config.AUTO_ENFORCE_SCORE);
    if (stored.length === 0) return;
    const events: ReportEvent[] = stored.map(({ report }) => ({
      event: report.version === 1 ? 'report.created' : 'report.updated',
      report,
    }));
    for (const { event, report } of events) {
      this.metrics.reports.inc({ kind: report.kind, severity: report.severity, change: event === 'report.created' ? 'created' : 'updated' });
    }
    const toDeliver = stored.flatMap(({ deliveryId }) => (deliveryId === null ? [] : [{ id: deliveryId, manualRetries: 0 }]));
    await Promise.all([this.reportEvents.publish(events), this.deliveries.enqueue(toDeliver)]);
  }
}
