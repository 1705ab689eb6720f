import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { PG_POOL } from '../platform/database/database.module.js';
import { type Finding, findingKey, findingProblem } from '../detection/engine/finding.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { DeliveriesService, type DeliveryRef } from '../enforcement/deliveries.service.js';
import { ALLOW_LISTED, LIVE_POLICY, REPORT_JSON } from '../enforcement/enforcement-sql.js';
import { type ReportEvent, ReportEvents } from './report-events.js';
import { REPORT_COLUMNS, type ReportRow, toReportView } from './report-view.js';

type UpsertRow = ReportRow & { delivery_id: string | null };

/** A finding the store cannot keep: an engine bug, named precisely so the caller's log says which. */
export class InvalidFindingError extends Error {}

function checkFinding(finding: Finding): void {
  const problem = findingProblem(finding);
  if (problem) throw new InvalidFindingError(`finding ${findingKey(finding)}: ${problem}`);
}

/**
 * The report store. Findings become reports in one batched statement that
 * also writes the enforcement outbox rows, so a report and its enforcement
 * intent commit together; pushes and queue jobs follow from the returned rows.
 * The reviewer's side (queue, claims, decisions) is ReviewDeskService.
 */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reportEvents: ReportEvents,
    private readonly deliveries: DeliveriesService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Idempotent upsert on (kind, subjectType, subjectId, streamId). A new
   * report starts at version 1, `open`; an existing one gets version + 1 only
   * when its content changed, and never a new detectedAt or status. Called
   * after every committed ingest batch, so it is one statement per call.
   */
  async applyFindings(findings: Finding[]): Promise<void> {
    if (findings.length === 0) return;
    // Checked before anything is written, so a bad finding fails the call whole and loudly.
    for (const finding of findings) checkFinding(finding);
    // One row per key (the last finding wins): ON CONFLICT may not touch a row twice.
    const byKey = new Map<string, Finding>();
    for (const finding of findings) byKey.set(findingKey(finding), finding);
    const input = [...byKey.values()].map((finding) => ({
      kind: finding.kind,
      subject_type: finding.subjectType,
      subject_id: finding.subjectId,
      room_id: finding.roomId,
      stream_id: finding.streamId,
      score: finding.score,
      severity: finding.severity,
      summary: finding.summary,
      accounts: finding.accounts,
      evidence: finding.evidence,
      detected_at: finding.detectedAt,
    }));

    const result = await this.pool.query<UpsertRow>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(kind text, subject_type text, subject_id text,
           room_id text, stream_id text, score float8, severity text, summary text, accounts text[],
           evidence jsonb, detected_at bigint)
       ),
       banded AS (
         -- Severity bands from policy, when the kind has live ones; else the detector's own severity.
         SELECT i.kind, i.subject_type, i.subject_id, i.room_id, i.stream_id, i.score, i.summary,
                i.accounts, i.evidence, i.detected_at,
                CASE WHEN p.severity_high IS NULL THEN i.severity
                     WHEN i.score >= p.severity_high THEN 'high'
                     WHEN i.score >= p.severity_medium THEN 'medium'
                     ELSE 'low' END AS severity
         FROM input i
         LEFT JOIN enforcement_policies p ON p.kind = i.kind AND (p.expires_at IS NULL OR p.expires_at > now())
       ),
       upserted AS (
         INSERT INTO reports AS t (kind, subject_type, subject_id, room_id, stream_id, score, severity, summary,
                                   accounts, evidence, detected_at)
         SELECT kind, subject_type, subject_id, room_id, stream_id, score, severity, summary,
                coalesce(accounts, '{}'), coalesce(evidence, '{}'), detected_at
         FROM banded
         -- A stable order keeps concurrent callers from locking rows in opposite orders.
         ORDER BY kind, subject_type, subject_id, stream_id
         ON CONFLICT (kind, subject_type, subject_id, stream_id) DO UPDATE SET
           score = EXCLUDED.score, severity = EXCLUDED.severity, summary = EXCLUDED.summary,
           accounts = EXCLUDED.accounts, evidence = EXCLUDED.evidence,
           version = t.version + 1, updated_at = now()
         WHERE (t.score, t.severity, t.summary, t.accounts, t.evidence)
               IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.severity, EXCLUDED.summary, EXCLUDED.accounts, EXCLUDED.evidence)
         RETURNING t.*
       ),
       enforceable AS (
         -- The outbox: written in this same statement, so no enforceable version can be lost.
         -- Dismissed reports are never enforced again; confirmed ones are re-sent as they grow.
         INSERT INTO deliveries (id, report_id, report_version, reason, report)
         SELECT r.id::text || '-v' || r.version, r.id, r.version,
                CASE WHEN r.status = 'confirmed' THEN 'confirmed' ELSE 'auto' END, ${REPORT_JSON}
         FROM upserted r
         LEFT JOIN ${LIVE_POLICY}
         WHERE r.status = 'confirmed'
            OR (r.status = 'open' AND r.score >= coalesce(p.auto_enforce_score, $2::float8) AND NOT ${ALLOW_LISTED})
         ON CONFLICT (id) DO NOTHING
         RETURNING id AS delivery_id, report_id
       )
       SELECT ${REPORT_COLUMNS}, e.delivery_id
       FROM upserted u LEFT JOIN enforceable e ON e.report_id = u.id`,
      [JSON.stringify(input), this.config.AUTO_ENFORCE_SCORE],
    );
    if (result.rows.length === 0) return;

    const events: ReportEvent[] = result.rows.map((row) => ({
      event: row.version === 1 ? 'report.created' : 'report.updated',
      report: toReportView(row),
    }));
    for (const { event, report } of events) {
      this.metrics.reports.inc({ kind: report.kind, severity: report.severity, change: event === 'report.created' ? 'created' : 'updated' });
    }
    const toDeliver: DeliveryRef[] = result.rows
      .filter((row) => row.delivery_id !== null)
      .map((row) => ({ id: row.delivery_id!, manualRetries: 0 }));
    await Promise.all([this.reportEvents.publish(events), this.deliveries.enqueue(toDeliver)]);
  }
}
