import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import { REPORT_JSON } from '../enforcement/enforcement-sql.js';
import { prioritySql } from './queue-priority.js';
import { REPORT_COLUMNS, type ReportRow } from './report.repository.js';
import type { PriorityCursor, ReportClaim, ReportCursor, ReportStatus, ReviewDecision } from './report-view.js';

/** What the reviewer list may filter on; account sets come resolved (device, IP, phone searches). */
export interface DeskFilter {
  kind?: string;
  status?: ReportStatus;
  severity?: string;
  subjectType?: string;
  roomId?: string;
  streamId?: string;
  merchantId?: string;
  accountId?: string;
  /** Reports whose subject or named accounts are among these (a device's accounts). */
  anyAccount?: string[];
  /** `none`: unclaimed or lapsed; `mine` / `others`: live claims of `reviewerKeyId` or of anyone else. */
  claimed?: 'none' | 'mine' | 'others';
  reviewerKeyId?: string;
  limit: number;
}

export type DeskRow = ReportRow & {
  created_at: Date;
  claim_key_id: string | null;
  claim_reviewer: string | null;
  claimed_at: Date | null;
  claim_expires_at: Date | null;
};

export interface Reviewer {
  keyId: string;
  label: string;
}

/**
 * A selection a bulk decision can name instead of listing reports: the open
 * account reports of one cohort or comment cluster of a stream (the `group`
 * of injected_viewers evidence, the `cohort` of scripted_comments), or the
 * open account reports of the accounts a report names (a room report's in
 * its stream and kind; a streamless one's, such as a ring's, anywhere).
 */
export type ReportGroup = { cohort: { streamId: string; kind: string; group: string } } | { namedBy: string };

/** A queue row: its priority as of the first page's moment `as_of`, for the cursor. */
export type QueueRow = DeskRow & { priority: number; as_of: string };

/** Why a decision was refused, for the service to word. */
export type DecisionRefusal =
  | { refused: 'not_found' }
  | { refused: 'claimed'; claim: ReportClaim }
  | { refused: 'version'; version: number };

export interface DecisionRecord {
  reportId: string;
  decision: ReviewDecision;
  note: string | null;
  version: number;
  reviewerKeyId: string;
  reviewer: string | null;
  bulkId: string | null;
  decidedAt: Date;
}

/** A live claim's columns (alias `c`), joined to reports rows as `claim_*`. */
const CLAIM_COLUMNS = `c.reviewer_key_id AS claim_key_id, c.reviewer AS claim_reviewer, c.claimed_at, c.expires_at AS claim_expires_at`;
const LIVE_CLAIM_JOIN = `LEFT JOIN report_claims c ON c.report_id = r.id AND c.expires_at > now()`;
const R_COLUMNS = REPORT_COLUMNS.split(',').map((column) => `r.${column.trim()}`).join(', ');

export function claimOf(row: { claim_key_id: string | null; claim_reviewer: string | null; claimed_at: Date | null; claim_expires_at: Date | null }): ReportClaim | null {
  if (row.claim_key_id === null || row.claimed_at === null || row.claim_expires_at === null) return null;
  return { reviewerKeyId: row.claim_key_id, reviewer: row.claim_reviewer ?? row.claim_key_id, claimedAt: row.claimed_at.toISOString(), expiresAt: row.claim_expires_at.toISOString() };
}

interface ClaimRow {
  reviewer_key_id: string;
  reviewer: string;
  claimed_at: Date;
  expires_at: Date;
}
const toClaim = (row: ClaimRow): ReportClaim => ({
  reviewerKeyId: row.reviewer_key_id,
  reviewer: row.reviewer,
  claimedAt: row.claimed_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/**
 * The reviewer's side of the reports tables: the filtered, prioritised
 * queue, claims, decisions and their trail. The report store's write path
 * (findings → reports, outbox) stays in ReportsService.
 */
@Injectable()
export class ReviewDeskRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** One page, newest first (`cursor` a ReportCursor) or by priority (a PriorityCursor), with live claims. */
  async list(filter: DeskFilter, order: { sort: 'newest'; cursor?: ReportCursor } | { sort: 'priority'; cursor?: PriorityCursor }): Promise<QueueRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const asOf = param(order.sort === 'priority' && order.cursor ? order.cursor.asOf : null);
    if (filter.kind) where.push(`r.kind = ${param(filter.kind)}`);
    if (filter.status) where.push(`r.status = ${param(filter.status)}`);
    if (filter.severity) where.push(`r.severity = ${param(filter.severity)}`);
    if (filter.subjectType) where.push(`r.subject_type = ${param(filter.subjectType)}`);
    if (filter.roomId) where.push(`r.room_id = ${param(filter.roomId)}`);
    if (filter.streamId) where.push(`r.stream_id = ${param(filter.streamId)}`);
    if (filter.merchantId) {
      // The stream directory owns `streams`; this read joins it in SQL so a
      // merchant with thousands of streams is one indexed semi-join, not a list sent back and forth.
      where.push(`r.stream_id IN (SELECT s.stream_id FROM streams s WHERE s.merchant_id = ${param(filter.merchantId)})`);
    }
    if (filter.accountId) {
      const account = param(filter.accountId);
      where.push(`((r.subject_type = 'account' AND r.subject_id = ${account}) OR r.accounts @> ARRAY[${account}::text])`);
    }
    if (filter.anyAccount) {
      const accounts = param(filter.anyAccount);
      where.push(`((r.subject_type = 'account' AND r.subject_id = ANY (${accounts}::text[])) OR r.accounts && ${accounts}::text[])`);
    }
    if (filter.claimed === 'none') where.push('c.report_id IS NULL');
    if (filter.claimed === 'mine') where.push(`c.reviewer_key_id = ${param(filter.reviewerKeyId)}::uuid`);
    if (filter.claimed === 'others') where.push(`c.reviewer_key_id <> ${param(filter.reviewerKeyId)}::uuid`);

    let keyset = '';
    let orderBy: string;
    if (order.sort === 'newest') {
      if (order.cursor) where.push(`(r.created_at, r.id) < (${param(order.cursor.createdAt)}::timestamptz, ${param(order.cursor.id)}::uuid)`);
      orderBy = 'q.created_at DESC, q.id DESC';
    } else {
      if (order.cursor) {
        keyset = `WHERE (q.priority, q.created_at, q.id) < (${param(order.cursor.priority)}::float8, ${param(order.cursor.createdAt)}::timestamptz, ${param(order.cursor.id)}::uuid)`;
      }
      orderBy = 'q.priority DESC, q.created_at DESC, q.id DESC';
    }
    const { rows } = await this.pool.query<QueueRow>(
      `WITH clock AS (SELECT coalesce(${asOf}::timestamptz, now()) AS as_of)
       SELECT q.* FROM (
         SELECT ${R_COLUMNS}, r.created_at, ${CLAIM_COLUMNS},
                ${prioritySql('r', 'clock.as_of')} AS priority,
                clock.as_of::text AS as_of
           FROM reports r CROSS JOIN clock ${LIVE_CLAIM_JOIN}
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ) q
       ${keyset}
       ORDER BY ${orderBy}
       LIMIT ${param(filter.limit + 1)}`,
      params,
    );
    return rows;
  }

  async get(id: string): Promise<DeskRow | undefined> {
    const { rows } = await this.pool.query<DeskRow>(
      `SELECT ${R_COLUMNS}, r.created_at, ${CLAIM_COLUMNS} FROM reports r ${LIVE_CLAIM_JOIN} WHERE r.id = $1`,
      [id],
    );
    return rows[0];
  }

  /**
   * Claims a report for `ttlMs`: a new claim, a renewal by its holder, or a
   * lapsed claim taken over. Answers the claim, `held` with another's live
   * claim, or `not_found`.
   */
  async claim(reportId: string, reviewer: Reviewer, ttlMs: number): Promise<{ claim: ReportClaim } | { held: ReportClaim } | { notFound: true }> {
    const { rows } = await this.pool.query<ClaimRow>(
      `INSERT INTO report_claims AS t (report_id, reviewer_key_id, reviewer, claimed_at, expires_at)
       SELECT r.id, $2, $3, now(), now() + $4 * interval '1 millisecond' FROM reports r WHERE r.id = $1
       ON CONFLICT (report_id) DO UPDATE SET
         reviewer_key_id = EXCLUDED.reviewer_key_id, reviewer = EXCLUDED.reviewer, expires_at = EXCLUDED.expires_at,
         -- A renewal keeps when the holder first took it; a takeover starts anew.
         claimed_at = CASE WHEN t.reviewer_key_id = EXCLUDED.reviewer_key_id AND t.expires_at > now() THEN t.claimed_at ELSE EXCLUDED.claimed_at END
       WHERE t.expires_at <= now() OR t.reviewer_key_id = EXCLUDED.reviewer_key_id
       RETURNING reviewer_key_id, reviewer, claimed_at, expires_at`,
      [reportId, reviewer.keyId, reviewer.label, ttlMs],
    );
    if (rows[0]) return { claim: toClaim(rows[0]) };
    const holder = await this.liveClaim(reportId);
    if (holder) return { held: holder };
    // No report (the INSERT selected nothing), or the holder let go in between: say which.
    const exists = await this.pool.query('SELECT 1 FROM reports WHERE id = $1', [reportId]);
    return exists.rowCount === 0 ? { notFound: true } : this.claim(reportId, reviewer, ttlMs);
  }

  /** Ends `keyId`'s claim. Answers `held` when someone else holds a live one, `not_found` without the report. */
  async release(reportId: string, keyId: string): Promise<{ released: boolean } | { held: ReportClaim } | { notFound: true }> {
    const deleted = await this.pool.query(
      `DELETE FROM report_claims WHERE report_id = $1 AND (reviewer_key_id = $2 OR expires_at <= now())`,
      [reportId, keyId],
    );
    if ((deleted.rowCount ?? 0) > 0) return { released: true };
    const holder = await this.liveClaim(reportId);
    if (holder) return { held: holder };
    const exists = await this.pool.query('SELECT 1 FROM reports WHERE id = $1', [reportId]);
    return exists.rowCount === 0 ? { notFound: true } : { released: false };
  }

  async liveClaim(reportId: string): Promise<ReportClaim | null> {
    const { rows } = await this.pool.query<ClaimRow>(
      `SELECT reviewer_key_id, reviewer, claimed_at, expires_at FROM report_claims WHERE report_id = $1 AND expires_at > now()`,
      [reportId],
    );
    return rows[0] ? toClaim(rows[0]) : null;
  }

  /**
   * A reviewer's decision on the version they looked at, in one transaction:
   * the report row is locked first, so a claim taken or a version written
   * meanwhile is seen. Refused when another reviewer holds a live claim or
   * the version moved on. The decision ends any claim on the report (the
   * work is done) and a confirmation writes the outbox row of the new
   * version, even for allow-listed subjects: the allow-list only holds back
   * automatic enforcement, not a human's explicit call.
   */
  async decide(
    id: string,
    decision: { decision: ReviewDecision; note?: string; version: number },
    reviewer: Reviewer,
    bulkId: string | null,
  ): Promise<{ row: DeskRow; deliveryId: string | undefined } | DecisionRefusal> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const current = await client.query<{ version: number }>('SELECT version FROM reports WHERE id = $1 FOR UPDATE', [id]);
      const found = current.rows[0];
      if (!found) {
        await client.query('ROLLBACK');
        return { refused: 'not_found' };
      }
      const claim = await client.query<ClaimRow>(
        `SELECT reviewer_key_id, reviewer, claimed_at, expires_at FROM report_claims
          WHERE report_id = $1 AND expires_at > now() AND reviewer_key_id <> $2`,
        [id, reviewer.keyId],
      );
      if (claim.rows[0]) {
        await client.query('ROLLBACK');
        return { refused: 'claimed', claim: toClaim(claim.rows[0]) };
      }
      if (found.version !== decision.version) {
        await client.query('ROLLBACK');
        return { refused: 'version', version: found.version };
      }
      await client.query(`UPDATE reports SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`, [id, decision.decision]);
      await client.query(
        `INSERT INTO report_decisions (report_id, decision, note, decided_version, reviewer_key_id, reviewer, bulk_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, decision.decision, decision.note ?? null, decision.version, reviewer.keyId, reviewer.label, bulkId],
      );
      await client.query('DELETE FROM report_claims WHERE report_id = $1', [id]);
      let deliveryId: string | undefined;
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
      const updated = await client.query<DeskRow>(
        `SELECT ${R_COLUMNS}, r.created_at, NULL::uuid AS claim_key_id, NULL::text AS claim_reviewer, NULL::timestamptz AS claimed_at,
                NULL::timestamptz AS claim_expires_at
           FROM reports r WHERE r.id = $1`,
        [id],
      );
      await client.query('COMMIT');
      return { row: updated.rows[0]!, deliveryId };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The open account reports of a group with their current versions, oldest first; undefined when `namedBy` names no report. */
  async groupItems(group: ReportGroup, limit: number): Promise<Array<{ id: string; version: number }> | undefined> {
    if ('cohort' in group) {
      const member = (key: string) => JSON.stringify([{ [key]: group.cohort.group }]);
      const { rows } = await this.pool.query<{ id: string; version: number }>(
        `SELECT id, version FROM reports
          WHERE stream_id = $1 AND kind = $2 AND subject_type = 'account' AND status = 'open'
            AND (evidence->'cohorts' @> $3::jsonb OR evidence->'cohorts' @> $4::jsonb)
          ORDER BY created_at, id LIMIT $5`,
        [group.cohort.streamId, group.cohort.kind, member('group'), member('cohort'), limit],
      );
      return rows;
    }
    const named = await this.pool.query<{ stream_id: string | null; kind: string; accounts: string[] }>(
      'SELECT stream_id, kind, accounts FROM reports WHERE id = $1',
      [group.namedBy],
    );
    const source = named.rows[0];
    if (!source) return undefined;
    const { rows } = await this.pool.query<{ id: string; version: number }>(
      `SELECT id, version FROM reports
        WHERE subject_type = 'account' AND status = 'open' AND subject_id = ANY ($1::text[]) AND id <> $2
          AND ($3::text IS NULL OR (stream_id = $3 AND kind = $4))
        ORDER BY created_at, id LIMIT $5`,
      [source.accounts, group.namedBy, source.stream_id, source.kind, limit],
    );
    return rows;
  }

  /** The decision trail, oldest first; undefined when there is no such report. */
  async decisions(id: string): Promise<DecisionRecord[] | undefined> {
    const { rows } = await this.pool.query<{
      report_id: string;
      decision: ReviewDecision | null;
      note: string | null;
      decided_version: number;
      reviewer_key_id: string;
      reviewer: string | null;
      bulk_id: string | null;
      decided_at: Date;
    }>(
      `SELECT r.id AS report_id, d.decision, d.note, d.decided_version, d.reviewer_key_id, d.reviewer, d.bulk_id, d.decided_at
         FROM reports r LEFT JOIN report_decisions d ON d.report_id = r.id
        WHERE r.id = $1 ORDER BY d.decided_at, d.id`,
      [id],
    );
    if (rows.length === 0) return undefined;
    return rows
      .filter((row): row is typeof row & { decision: ReviewDecision } => row.decision !== null)
      .map((row) => ({
        reportId: row.report_id,
        decision: row.decision,
        note: row.note,
        version: row.decided_version,
        reviewerKeyId: row.reviewer_key_id,
        reviewer: row.reviewer,
        bulkId: row.bulk_id,
        decidedAt: row.decided_at,
      }));
  }
}
