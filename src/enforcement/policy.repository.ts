import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import type { ReportKind } from '../detection/engine/finding.js';
import type { AllowListEntryView, AllowListInput, AllowListSubjectType, PolicyAuditView, ThresholdPolicyInput } from './policy.js';

/** A kind's `enforcement_policies` row; `active` is false once it expired. */
export interface ThresholdRecord {
  kind: ReportKind;
  autoEnforceScore: number | null;
  severityMedium: number | null;
  severityHigh: number | null;
  expiresAt: Date | null;
  updatedAt: Date;
  active: boolean;
}

export interface PolicyAuditEntry {
  actor: string;
  action: string;
  target: string;
  before: object | null;
  after: object | null;
}

/** The statements of one policy change, all in its transaction: read the old value (locked), write the new, audit. */
export interface PolicyChanges {
  lockedThreshold(kind: ReportKind): Promise<ThresholdRecord | undefined>;
  upsertThreshold(kind: ReportKind, input: ThresholdPolicyInput): Promise<ThresholdRecord>;
  lockedAllowEntry(subjectType: AllowListSubjectType, subjectId: string): Promise<AllowListEntryView | undefined>;
  /** Adds an entry, or replaces the reason and expiry of the subject's existing one. */
  upsertAllowEntry(input: AllowListInput): Promise<AllowListEntryView>;
  deleteAllowEntry(id: string): Promise<AllowListEntryView | undefined>;
  recordAudit(entry: PolicyAuditEntry): Promise<void>;
}

interface PolicyRow {
  kind: ReportKind;
  auto_enforce_score: number | null;
  severity_medium: number | null;
  severity_high: number | null;
  expires_at: Date | null;
  updated_at: Date;
  active: boolean;
}

interface AllowListRow {
  id: string;
  subject_type: AllowListSubjectType;
  subject_id: string;
  reason: string | null;
  expires_at: Date | null;
  created_at: Date;
  active: boolean;
}

const POLICY_COLUMNS = `kind, auto_enforce_score, severity_medium, severity_high, expires_at, updated_at,
  (expires_at IS NULL OR expires_at > now()) AS active`;
const ALLOW_LIST_COLUMNS = `id, subject_type, subject_id, reason, expires_at, created_at,
  (expires_at IS NULL OR expires_at > now()) AS active`;

function toThresholdRecord(row: PolicyRow): ThresholdRecord {
  return {
    kind: row.kind,
    autoEnforceScore: row.auto_enforce_score,
    severityMedium: row.severity_medium,
    severityHigh: row.severity_high,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    active: row.active,
  };
}

function toAllowListView(row: AllowListRow): AllowListEntryView {
  return {
    id: row.id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    reason: row.reason,
    expiresAt: row.expires_at?.toISOString() ?? null,
    active: row.active,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * `enforcement_policies`, `enforcement_allow_list` (a view of the decision lists' unscoped allow
 * entries of accounts and rooms, migration Decisions) and `policy_audit`. The
 * report store reads the first two inside its own statements (the fragments
 * of enforcement-sql.ts: no cache to go stale across processes); changes go
 * through change(), one transaction each, so none lands without its audit row.
 */
@Injectable()
export class PolicyRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async threshold(kind: ReportKind): Promise<ThresholdRecord | undefined> {
    const { rows } = await this.pool.query<PolicyRow>(`SELECT ${POLICY_COLUMNS} FROM enforcement_policies WHERE kind = $1`, [kind]);
    return rows[0] && toThresholdRecord(rows[0]);
  }

  /** Newest first. */
  async allowList(filter: { subjectType?: AllowListSubjectType; subjectId?: string }): Promise<AllowListEntryView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.subjectType) where.push(`subject_type = $${params.push(filter.subjectType)}`);
    if (filter.subjectId) where.push(`subject_id = $${params.push(filter.subjectId)}`);
    const { rows } = await this.pool.query<AllowListRow>(
      `SELECT ${ALLOW_LIST_COLUMNS} FROM enforcement_allow_list
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id`,
      params,
    );
    return rows.map(toAllowListView);
  }

  /** The newest `limit` changes, newest first. */
  async auditLog(limit: number): Promise<PolicyAuditView[]> {
    const { rows } = await this.pool.query<{
      id: string;
      actor: string;
      action: string;
      target: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
      changed_at: Date;
    }>(`SELECT id, actor, action, target, before, after, changed_at FROM policy_audit ORDER BY changed_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map((row) => ({
      id: Number(row.id),
      actor: row.actor,
      action: row.action,
      target: row.target,
      before: row.before,
      after: row.after,
      changedAt: row.changed_at.toISOString(),
    }));
  }

  /** Runs one policy change in a transaction: committed when `work` resolves, rolled back when it throws. */
  async change<T>(work: (changes: PolicyChanges) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(transactionChanges(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

function transactionChanges(client: pg.PoolClient): PolicyChanges {
  return {
    async lockedThreshold(kind) {
      const { rows } = await client.query<PolicyRow>(`SELECT ${POLICY_COLUMNS} FROM enforcement_policies WHERE kind = $1 FOR UPDATE`, [kind]);
      return rows[0] && toThresholdRecord(rows[0]);
    },
    async upsertThreshold(kind, input) {
      const { rows } = await client.query<PolicyRow>(
        `INSERT INTO enforcement_policies (kind, auto_enforce_score, severity_medium, severity_high, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind) DO UPDATE SET auto_enforce_score = EXCLUDED.auto_enforce_score,
           severity_medium = EXCLUDED.severity_medium, severity_high = EXCLUDED.severity_high,
           expires_at = EXCLUDED.expires_at, updated_at = now()
         RETURNING ${POLICY_COLUMNS}`,
        [kind, input.autoEnforceScore, input.severityBands?.medium ?? null, input.severityBands?.high ?? null, input.expiresAt],
      );
      return toThresholdRecord(rows[0]!);
    },
    async lockedAllowEntry(subjectType, subjectId) {
      const { rows } = await client.query<AllowListRow>(
        `SELECT ${ALLOW_LIST_COLUMNS} FROM enforcement_allow_list WHERE subject_type = $1 AND subject_id = $2 FOR UPDATE`,
        [subjectType, subjectId],
      );
      return rows[0] && toAllowListView(rows[0]);
    },
    async upsertAllowEntry(input) {
      const { rows } = await client.query<AllowListRow>(
        // The allow-list is a view of the unscoped allow entries of `list_entries` (src/decisions): written there.
        `INSERT INTO list_entries (list, type, value, reason, expires_at) VALUES ('allow', $1, $2, $3, $4)
         ON CONFLICT (list, type, value, scope_key) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at
         RETURNING id, type AS subject_type, value AS subject_id, reason, expires_at, created_at,
           (expires_at IS NULL OR expires_at > now()) AS active`,
        [input.subjectType, input.subjectId, input.reason, input.expiresAt],
      );
      return toAllowListView(rows[0]!);
    },
    async deleteAllowEntry(id) {
      const { rows } = await client.query<AllowListRow>(`DELETE FROM enforcement_allow_list WHERE id = $1 RETURNING ${ALLOW_LIST_COLUMNS}`, [id]);
      return rows[0] && toAllowListView(rows[0]);
    },
    async recordAudit(entry) {
      await client.query(`INSERT INTO policy_audit (actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5)`, [
        entry.actor,
        entry.action,
        entry.target,
        entry.before && JSON.stringify(entry.before),
        entry.after && JSON.stringify(entry.after),
      ]);
    },
  };
}
