import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import { type Finding, type ReportKind, type Severity, type SubjectType, findingKey } from '../detection/engine/finding.js';
import { ALLOW_LISTED, LIVE_POLICY, REPORT_JSON } from '../enforcement/enforcement-sql.js';
import type { ReportStatus, ReportView } from './report-view.js';

/** The columns every report query selects, `cursor_at` being created_at as exact text for keyset paging. */
export const REPORT_COLUMNS = `id, kind, subject_type, subject_id, room_id, stream_id, score, severity, status,
  summary, accounts, evidence, detected_at, version, updated_at, created_at::text AS cursor_at`;

export interface ReportRow {
  id: string;
  kind: ReportKind;
  subject_type: SubjectType;
  subject_id: string;
  /** null for ring and merchant reports and account reports tied to no stream. */
  room_id: string | null;
  stream_id: string | null;
  score: number;
  severity: Severity;
  status: ReportStatus;
  summary: string;
  accounts: string[];
  evidence: Record<string, unknown>;
  /** bigint: text from pg. */
  detected_at: string;
  version: number;
  updated_at: Date;
  cursor_at: string;
}

export function toReportView(row: ReportRow): ReportView {
  return {
    id: row.id,
    kind: row.kind,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    roomId: row.room_id,
    streamId: row.stream_id,
    score: Number(row.score),
    severity: row.severity,
    status: row.status,
    summary: row.summary,
    accounts: row.accounts,
    evidence: row.evidence,
    detectedAt: Number(row.detected_at),
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A report the upsert created or changed, and the outbox row it queued, if its new version is enforceable. */
export interface StoredReport {
  report: ReportView;
  deliveryId: string | null;
}

/** What a reviewer's decision came to. */
/** What the enforcement worker needs to know of a report before it sends one of its versions. */
export interface ReportEnforcementState {
  status: ReportStatus;
  /** The subject, or an implicated account or the room, is allow-listed now. */
  allowListed: boolean;
}

/**
 * The `reports` and `report_decisions` tables: every statement that reads or
 * writes them. The report upsert and the confirmation also write the
 * enforcement outbox (`deliveries`) in the same statement or transaction, so a
 * report version and its enforcement intent commit together.
 */
/** Reads of `reports` for other modules: the store's own writes stay in ReportsService. */

@Injectable()
export class ReportRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Idempotent upsert on (kind, subjectType, subjectId, streamId), one
   * statement for the whole call. A new report starts at version 1, `open`;
   * an existing one gets version + 1 only when its content changed, and never
   * a new detectedAt or status. Severity bands come from the kind's live
   * policy when it has some. Answers the reports that changed.
   */
  async upsertFindings(findings: readonly Finding[], defaultAutoEnforceScore: number): Promise<StoredReport[]> {
    if (findings.length === 0) return [];
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

    const result = await this.pool.query<ReportRow & { delivery_id: string | null }>(
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
      [JSON.stringify(input), defaultAutoEnforceScore],
    );
    return result.rows.map((row) => ({ report: toReportView(row), deliveryId: row.delivery_id }));
  }

  /** Newest first, keyset-paged on (created_at, id). */
  /** The stream and accounts a report names (the console's evidence table); null when there is no such report. */
  /** Accounts of confirmed reports (subjects and implicated), for DECISIONS_BLOCK_CONFIRMED. */
  async confirmedAccounts(): Promise<Array<{ accountId: string; reportId: string }>> {
    const { rows } = await this.pool.query<{ account_id: string; report_id: string }>(
      `SELECT DISTINCT ON (account_id) account_id, report_id FROM (
         SELECT subject_id AS account_id, id::text AS report_id FROM reports WHERE status = 'confirmed' AND subject_type = 'account'
         UNION ALL
         SELECT unnest(accounts), id::text FROM reports WHERE status = 'confirmed') named
       ORDER BY account_id, report_id`,
    );
    return rows.map((row) => ({ accountId: row.account_id, reportId: row.report_id }));
  }

  async accountsOf(id: string): Promise<{ streamId: string; accounts: string[] } | null> {
    const { rows } = await this.pool.query<{ stream_id: string; accounts: string[] }>(
      'SELECT stream_id, accounts FROM reports WHERE id = $1',
      [id],
    );
    return rows[0] ? { streamId: rows[0].stream_id, accounts: rows[0].accounts } : null;
  }

  /**
   * Accounts named by the stream's refund_brushing reports that a reviewer
   * has not dismissed: account reports' subjects and the room report's
   * accounts (the sales audit's suspectedBrushing).
   */
  async brushingAccounts(streamId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ account_id: string }>(
      `SELECT subject_id AS account_id FROM reports
        WHERE kind = 'refund_brushing' AND stream_id = $1 AND subject_type = 'account' AND status <> 'dismissed'
       UNION
       SELECT unnest(accounts) FROM reports
        WHERE kind = 'refund_brushing' AND stream_id = $1 AND subject_type = 'room' AND status <> 'dismissed'`,
      [streamId],
    );
    return rows.map((row) => row.account_id);
  }

  /**
   * Accounts named in not-dismissed reports of `kind` on this stream (the
   * subject of its account reports, the accounts of its room report) and,
   * given the stream's merchant, in that merchant's report of the kind.
   */
  async accountsNamedIn(kind: ReportKind, streamId: string, merchantId: string | null): Promise<string[]> {
    const { rows } = await this.pool.query<{ account_id: string }>(
      `SELECT subject_id AS account_id FROM reports
        WHERE kind = $1 AND stream_id = $2 AND subject_type = 'account' AND status <> 'dismissed'
       UNION
       SELECT unnest(accounts) FROM reports
        WHERE kind = $1 AND ((stream_id = $2 AND subject_type = 'room') OR (subject_type = 'merchant' AND subject_id = $3))
          AND status <> 'dismissed'`,
      [kind, streamId, merchantId],
    );
    return rows.map((row) => row.account_id).sort();
  }

  /**
   * The reports of these kinds naming any of these accounts (as subject or
   * among the implicated), not dismissed: one row per (account, report).
   */
  async catchesOf(accountIds: readonly string[], kinds: readonly ReportKind[]): Promise<Array<{ accountId: string; kind: ReportKind; roomId: string | null; streamId: string | null }>> {
    if (accountIds.length === 0) return [];
    const result = await this.pool.query<{ account_id: string; kind: ReportKind; room_id: string | null; stream_id: string | null }>(
      `SELECT DISTINCT a.account_id, r.kind, r.room_id, r.stream_id
         FROM reports r CROSS JOIN LATERAL unnest(CASE WHEN r.subject_type = 'account' THEN ARRAY[r.subject_id] ELSE r.accounts END) AS a(account_id)
        WHERE r.kind = ANY($2::text[]) AND r.status <> 'dismissed'
          AND (r.subject_id = ANY($1::text[]) OR r.accounts && $1::text[])
          AND a.account_id = ANY($1::text[])`,
      [accountIds, kinds],
    );
    return result.rows.map((row) => ({ accountId: row.account_id, kind: row.kind, roomId: row.room_id, streamId: row.stream_id }));
  }

  /** The report's status and whether its subject is allow-listed now; null when there is no such report. */
  async enforcementState(id: string): Promise<ReportEnforcementState | null> {
    const { rows } = await this.pool.query<{ status: ReportStatus; allow_listed: boolean }>(
      `SELECT r.status, ${ALLOW_LISTED} AS allow_listed FROM reports r WHERE r.id = $1`,
      [id],
    );
    return rows[0] ? { status: rows[0].status, allowListed: rows[0].allow_listed } : null;
  }

  /**
   * The standing (not stood-down) reports of these kinds on these streams,
   * as the findings they were stored from: what a detector whose verdict
   * cleared stands down.
   */
  async standingFindingsOf(streamIds: readonly string[], kinds: readonly ReportKind[]): Promise<Finding[]> {
    if (streamIds.length === 0 || kinds.length === 0) return [];
    const result = await this.pool.query<ReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM reports
       WHERE stream_id = ANY($1::text[]) AND kind = ANY($2::text[]) AND evidence -> 'stoodDown' IS NULL
       ORDER BY kind, subject_type, subject_id, stream_id`,
      [streamIds, kinds],
    );
    return result.rows.map((row) => {
      const { kind, subjectType, subjectId, roomId, streamId, score, severity, summary, accounts, evidence, detectedAt } = toReportView(row);
      return { kind, subjectType, subjectId, roomId, streamId, score, severity, summary, accounts, evidence, detectedAt };
    });
  }

  async keysOf(streamIds: readonly string[], kinds: readonly ReportKind[]): Promise<Set<string>> {
    if (streamIds.length === 0 || kinds.length === 0) return new Set();
    const result = await this.pool.query<{ kind: ReportKind; subject_type: SubjectType; subject_id: string; stream_id: string }>(
      'SELECT kind, subject_type, subject_id, stream_id FROM reports WHERE stream_id = ANY($1::text[]) AND kind = ANY($2::text[])',
      [streamIds, kinds],
    );
    return new Set(
      result.rows.map((row) => findingKey({ kind: row.kind, subjectType: row.subject_type, subjectId: row.subject_id, streamId: row.stream_id })),
    );
  }
}
