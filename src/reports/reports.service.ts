import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { PG_POOL } from '../platform/database/database.module.js';
import { type Finding, findingKey, findingProblem } from '../detection/engine/finding.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { DeliveriesService, type DeliveryRef } from '../enforcement/deliveries.service.js';
import { ALLOW_LISTED, LIVE_POLICY, REPORT_JSON } from '../enforcement/enforcement-sql.js';
import type { ReportStatus, ReviewDecision } from './report.entity.js';
import { type ReportEvent, ReportEvents } from './report-events.js';
import {
  type ReportCursor,
  REPORT_COLUMNS,
  type ReportRow,
  type ReportView,
  encodeCursor,
  toReportView,
} from './report-view.js';

export interface ReportFilter {
  kind?: string;
  status?: ReportStatus;
  subjectType?: string;
  roomId?: string;
  streamId?: string;
  accountId?: string;
  limit: number;
  cursor?: ReportCursor;
}

export interface ReportDecisionView {
  reportId: string;
  decision: ReviewDecision;
  note: string | null;
  /** The version the reviewer decided on; the decision itself made version + 1. */
  version: number;
  reviewerKeyId: string;
  decidedAt: string;
}

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

  async list(filter: ReportFilter): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.kind) where.push(`kind = ${param(filter.kind)}`);
    if (filter.status) where.push(`status = ${param(filter.status)}`);
    if (filter.subjectType) where.push(`subject_type = ${param(filter.subjectType)}`);
    if (filter.roomId) where.push(`room_id = ${param(filter.roomId)}`);
    if (filter.streamId) where.push(`stream_id = ${param(filter.streamId)}`);
    if (filter.accountId) {
      const account = param(filter.accountId);
      where.push(`((subject_type = 'account' AND subject_id = ${account}) OR accounts @> ARRAY[${account}::text])`);
    }
    if (filter.cursor) {
      where.push(`(created_at, id) < (${param(filter.cursor.createdAt)}::timestamptz, ${param(filter.cursor.id)}::uuid)`);
    }
    const result = await this.pool.query<ReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM reports
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC
       LIMIT ${param(filter.limit + 1)}`,
      params,
    );
    const page = result.rows.slice(0, filter.limit);
    const last = page.at(-1);
    const nextCursor =
      result.rows.length > filter.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null;
    return { items: page.map(toReportView), nextCursor };
  }

  async get(id: string): Promise<ReportView> {
    const result = await this.pool.query<ReportRow>(`SELECT ${REPORT_COLUMNS} FROM reports WHERE id = $1`, [id]);
    const row = result.rows[0];
    if (!row) throw new NotFoundException(`report ${id} not found`);
    return toReportView(row);
  }

  /**
   * A reviewer's decision on the version they looked at (optimistic
   * concurrency: a report that changed since answers 409). A confirmation
   * enforces the new version even for allow-listed subjects: the allow-list
   * only holds back automatic enforcement, not a human's explicit call.
   */
  async decide(
    id: string,
    decision: { decision: ReviewDecision; note?: string; version: number },
    reviewerKeyId: string,
  ): Promise<ReportView> {
    const client = await this.pool.connect();
    let row: ReportRow | undefined;
    let deliveryId: string | undefined;
    try {
      await client.query('BEGIN');
      const updated = await client.query<ReportRow>(
        `UPDATE reports SET status = $2, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $3 RETURNING ${REPORT_COLUMNS}`,
        [id, decision.decision, decision.version],
      );
      row = updated.rows[0];
      if (!row) {
        const current = await client.query<{ version: number }>('SELECT version FROM reports WHERE id = $1', [id]);
        await client.query('ROLLBACK');
        const found = current.rows[0];
        if (!found) throw new NotFoundException(`report ${id} not found`);
        throw new ConflictException(
          `version: the report is at version ${found.version}, not ${decision.version}; reload it and decide again`,
        );
      }
      await client.query(
        `INSERT INTO report_decisions (report_id, decision, note, decided_version, reviewer_key_id)
         VALUES ($1, $2, $3, $4, $5)`,
        [id, decision.decision, decision.note ?? null, decision.version, reviewerKeyId],
      );
      if (decision.decision === 'confirmed') {
        const queued = await client.query<{ id: string }>(
          `INSERT INTO deliveries (id, report_id, report_version, reason, report)
           SELECT r.id::text || '-v' || r.version, r.id, r.version, 'confirmed', ${REPORT_JSON}
           FROM reports r WHERE r.id = $1
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [id],
        );
        deliveryId = queued.rows[0]?.id;
      }
      await client.query('COMMIT');
    } catch (error) {
      if (!(error instanceof NotFoundException || error instanceof ConflictException)) {
        await client.query('ROLLBACK').catch(() => undefined);
      }
      throw error;
    } finally {
      client.release();
    }
    const view = toReportView(row);
    await Promise.all([
      this.reportEvents.publish([{ event: 'report.updated', report: view }]),
      this.deliveries.enqueue(deliveryId ? [{ id: deliveryId, manualRetries: 0 }] : []),
    ]);
    return view;
  }

  async decisions(id: string): Promise<ReportDecisionView[]> {
    const result = await this.pool.query<{
      report_id: string;
      decision: ReviewDecision;
      note: string | null;
      decided_version: number;
      reviewer_key_id: string;
      decided_at: Date;
    }>(
      `SELECT d.report_id, d.decision, d.note, d.decided_version, d.reviewer_key_id, d.decided_at
       FROM reports r LEFT JOIN report_decisions d ON d.report_id = r.id
       WHERE r.id = $1 ORDER BY d.decided_at, d.id`,
      [id],
    );
    if (result.rows.length === 0) throw new NotFoundException(`report ${id} not found`);
    return result.rows
      .filter((row) => row.decision !== null)
      .map((row) => ({
        reportId: row.report_id,
        decision: row.decision,
        note: row.note,
        version: row.decided_version,
        reviewerKeyId: row.reviewer_key_id,
        decidedAt: row.decided_at.toISOString(),
      }));
  }
}
