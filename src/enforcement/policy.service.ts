import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { PG_POOL } from '../platform/database/database.module.js';
import type { ReportKind } from '../detection/engine/finding.js';
import type { AllowListSubjectType } from './policy.entity.js';

export interface SeverityBands {
  /** Score from which a report is `medium`; below it, `low`. */
  medium: number;
  /** Score from which a report is `high`. */
  high: number;
}

export interface ThresholdPolicyView {
  kind: ReportKind;
  /** The kind's own auto-enforce score, or null to use AUTO_ENFORCE_SCORE. */
  autoEnforceScore: number | null;
  /** What applies now, policy expiry and the config default considered. */
  effectiveAutoEnforceScore: number;
  severityBands: SeverityBands | null;
  expiresAt: string | null;
  /** False once expiresAt has passed: the config default and detector severities apply again. */
  active: boolean;
  updatedAt: string | null;
}

export interface ThresholdPolicyInput {
  autoEnforceScore: number | null;
  severityBands: SeverityBands | null;
  expiresAt: string | null;
}

export interface AllowListEntryView {
  id: string;
  subjectType: AllowListSubjectType;
  subjectId: string;
  reason: string | null;
  expiresAt: string | null;
  active: boolean;
  createdAt: string;
}

export interface PolicyAuditView {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  changedAt: string;
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

/** Only the operator's ADMIN_KEY changes policy; keys carry no name, so the audit says "admin". */
const ADMIN_ACTOR = 'admin';
const ALLOW_LIST_COLUMNS = `id, subject_type, subject_id, reason, expires_at, created_at,
  (expires_at IS NULL OR expires_at > now()) AS active`;

/**
 * Enforcement policy as data: per-kind thresholds and severity bands, and the
 * allow-list. The report store reads these tables inside its own statements
 * (no cache to go stale across processes); every change here is audited in
 * the same transaction.
 */
@Injectable()
export class PolicyService {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async threshold(kind: ReportKind): Promise<ThresholdPolicyView> {
    const result = await this.pool.query<PolicyRow>(
      `SELECT *, (expires_at IS NULL OR expires_at > now()) AS active FROM enforcement_policies WHERE kind = $1`,
      [kind],
    );
    return this.thresholdView(kind, result.rows[0]);
  }

  async putThreshold(kind: ReportKind, input: ThresholdPolicyInput): Promise<ThresholdPolicyView> {
    return this.audited(async (client) => {
      const before = await client.query<PolicyRow>(
        `SELECT *, (expires_at IS NULL OR expires_at > now()) AS active FROM enforcement_policies WHERE kind = $1 FOR UPDATE`,
        [kind],
      );
      const after = await client.query<PolicyRow>(
        `INSERT INTO enforcement_policies (kind, auto_enforce_score, severity_medium, severity_high, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind) DO UPDATE SET auto_enforce_score = EXCLUDED.auto_enforce_score,
           severity_medium = EXCLUDED.severity_medium, severity_high = EXCLUDED.severity_high,
           expires_at = EXCLUDED.expires_at, updated_at = now()
         RETURNING *, (expires_at IS NULL OR expires_at > now()) AS active`,
        [kind, input.autoEnforceScore, input.severityBands?.medium ?? null, input.severityBands?.high ?? null, input.expiresAt],
      );
      const beforeView = before.rows[0] ? this.thresholdView(kind, before.rows[0]) : null;
      const afterView = this.thresholdView(kind, after.rows[0]);
      return { result: afterView, audit: { action: 'threshold.put', target: kind, before: beforeView, after: afterView } };
    });
  }

  async allowList(filter: { subjectType?: AllowListSubjectType; subjectId?: string }): Promise<AllowListEntryView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.subjectType) where.push(`subject_type = $${params.push(filter.subjectType)}`);
    if (filter.subjectId) where.push(`subject_id = $${params.push(filter.subjectId)}`);
    const result = await this.pool.query<AllowListRow>(
      `SELECT ${ALLOW_LIST_COLUMNS} FROM enforcement_allow_list
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id`,
      params,
    );
    return result.rows.map(toAllowListView);
  }

  /** Adds an entry, or replaces the reason and expiry of the subject's existing one. */
  async allow(input: {
    subjectType: AllowListSubjectType;
    subjectId: string;
    reason: string | null;
    expiresAt: string | null;
  }): Promise<AllowListEntryView> {
    return this.audited(async (client) => {
      const before = await client.query<AllowListRow>(
        `SELECT ${ALLOW_LIST_COLUMNS} FROM enforcement_allow_list WHERE subject_type = $1 AND subject_id = $2 FOR UPDATE`,
        [input.subjectType, input.subjectId],
      );
      const after = await client.query<AllowListRow>(
        `INSERT INTO enforcement_allow_list (subject_type, subject_id, reason, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subject_type, subject_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at
         RETURNING ${ALLOW_LIST_COLUMNS}`,
        [input.subjectType, input.subjectId, input.reason, input.expiresAt],
      );
      const afterView = toAllowListView(after.rows[0]!);
      return {
        result: afterView,
        audit: {
          action: 'allow-list.put',
          target: `${input.subjectType}:${input.subjectId}`,
          before: before.rows[0] ? toAllowListView(before.rows[0]) : null,
          after: afterView,
        },
      };
    });
  }

  async disallow(id: string): Promise<void> {
    await this.audited(async (client) => {
      const removed = await client.query<AllowListRow>(
        `DELETE FROM enforcement_allow_list WHERE id = $1 RETURNING ${ALLOW_LIST_COLUMNS}`,
        [id],
      );
      const row = removed.rows[0];
      if (!row) throw new NotFoundException(`allow-list entry ${id} not found`);
      const beforeView = toAllowListView(row);
      return {
        result: undefined,
        audit: { action: 'allow-list.delete', target: `${row.subject_type}:${row.subject_id}`, before: beforeView, after: null },
      };
    });
  }

  async audit(limit: number): Promise<PolicyAuditView[]> {
    const result = await this.pool.query<{
      id: string;
      actor: string;
      action: string;
      target: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
      changed_at: Date;
    }>(`SELECT * FROM policy_audit ORDER BY changed_at DESC, id DESC LIMIT $1`, [limit]);
    return result.rows.map((row) => ({
      id: Number(row.id),
      actor: row.actor,
      action: row.action,
      target: row.target,
      before: row.before,
      after: row.after,
      changedAt: row.changed_at.toISOString(),
    }));
  }

  private thresholdView(kind: ReportKind, row: PolicyRow | undefined): ThresholdPolicyView {
    const active = row?.active ?? false;
    return {
      kind,
      autoEnforceScore: row?.auto_enforce_score ?? null,
      effectiveAutoEnforceScore: (active ? row?.auto_enforce_score : null) ?? this.config.AUTO_ENFORCE_SCORE,
      severityBands:
        row && row.severity_medium !== null && row.severity_high !== null
          ? { medium: row.severity_medium, high: row.severity_high }
          : null,
      expiresAt: row?.expires_at?.toISOString() ?? null,
      active: row !== undefined && active,
      updatedAt: row?.updated_at.toISOString() ?? null,
    };
  }

  /** Runs a policy change and writes its audit row in one transaction. */
  private async audited<T>(
    change: (client: pg.PoolClient) => Promise<{
      result: T;
      audit: { action: string; target: string; before: object | null; after: object | null };
    }>,
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { result, audit } = await change(client);
      await client.query(
        `INSERT INTO policy_audit (actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5)`,
        [ADMIN_ACTOR, audit.action, audit.target, audit.before && JSON.stringify(audit.before), audit.after && JSON.stringify(audit.after)],
      );
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
