import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import type { DecisionEventType } from './decision-features.js';
import type { ListEntry, ListEntryType, ListName, ListScope } from './decision-lists.js';
import type { DecisionRule, RuleMode } from './decision-rules.js';

export interface ListEntryInput {
  list: ListName;
  type: ListEntryType;
  value: string;
  scope: ListScope | null;
  expiresAt: string | null;
  reason: string | null;
}

export interface RuleInput {
  description: string;
  appliesTo: DecisionEventType[];
  when: unknown;
  score: number;
  riskCode: string;
  mode: RuleMode;
  enabled: boolean;
}

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: object | null;
  after: object | null;
  changedAt: string;
}

interface ListRow {
  id: string;
  list: ListName;
  type: ListEntryType;
  value: string;
  campaign_id: string | null;
  merchant_id: string | null;
  room_id: string | null;
  sku_id: string | null;
  reason: string | null;
  expires_at: Date | null;
  created_by: string;
  created_at: Date;
}

interface RuleRow {
  id: string;
  description: string;
  applies_to: DecisionEventType[];
  condition: unknown;
  score: number;
  risk_code: string;
  mode: RuleMode;
  enabled: boolean;
  updated_at: Date;
}

const LIST_COLUMNS = 'id, list, type, value, campaign_id, merchant_id, room_id, sku_id, reason, expires_at, created_by, created_at';
const RULE_COLUMNS = 'id, description, applies_to, condition, score, risk_code, mode, enabled, updated_at';

function toEntry(row: ListRow): ListEntry {
  const scope: ListScope = {};
  if (row.campaign_id !== null) scope.campaignId = row.campaign_id;
  if (row.merchant_id !== null) scope.merchantId = row.merchant_id;
  if (row.room_id !== null) scope.roomId = row.room_id;
  if (row.sku_id !== null) scope.skuId = row.sku_id;
  return {
    id: row.id,
    list: row.list,
    type: row.type,
    value: row.value,
    scope: Object.keys(scope).length > 0 ? scope : null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

function toRule(row: RuleRow): DecisionRule {
  return {
    id: row.id,
    description: row.description,
    appliesTo: row.applies_to,
    when: row.condition,
    score: row.score,
    riskCode: row.risk_code,
    mode: row.mode,
    enabled: row.enabled,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The statements of one audited change, in its transaction. */
export interface ListAndRuleChanges {
  upsertEntry(input: ListEntryInput, actor: string): Promise<{ before: ListEntry | null; after: ListEntry }>;
  deleteEntry(id: string): Promise<ListEntry | null>;
  putRule(id: string, input: RuleInput): Promise<{ before: DecisionRule | null; after: DecisionRule }>;
  deleteRule(id: string): Promise<DecisionRule | null>;
  audit(entry: Omit<AuditEntry, 'id' | 'changedAt'>): Promise<void>;
}

/**
 * `list_entries` (the block, gray and allow lists; the enforcement
 * allow-list is a view of them), `decision_rules` and `list_audit`. Every
 * change runs in change(), so none lands without its audit row.
 */
@Injectable()
export class ListsAndRulesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Every entry, expired ones included (the listing shows them; decisions skip them). */
  async entries(filter: { list?: ListName; type?: ListEntryType; value?: string } = {}): Promise<ListEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.list) where.push(`list = $${params.push(filter.list)}`);
    if (filter.type) where.push(`type = $${params.push(filter.type)}`);
    if (filter.value) where.push(`value = $${params.push(filter.value)}`);
    const { rows } = await this.pool.query<ListRow>(
      `SELECT ${LIST_COLUMNS} FROM list_entries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id`,
      params,
    );
    return rows.map(toEntry);
  }

  /** The entries a decision may hit: not expired. */
  async liveEntries(): Promise<ListEntry[]> {
    const { rows } = await this.pool.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM list_entries WHERE expires_at IS NULL OR expires_at > now()`);
    return rows.map(toEntry);
  }

  async rules(): Promise<DecisionRule[]> {
    const { rows } = await this.pool.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM decision_rules ORDER BY id`);
    return rows.map(toRule);
  }

  async rule(id: string): Promise<DecisionRule | null> {
    const { rows } = await this.pool.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM decision_rules WHERE id = $1`, [id]);
    return rows[0] ? toRule(rows[0]) : null;
  }

  /** Newest first. */
  async auditLog(limit: number, target?: string): Promise<AuditEntry[]> {
    const params: unknown[] = [limit];
    const where = target ? `WHERE target LIKE $${params.push(`${target.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}` : '';
    const { rows } = await this.pool.query<{
      id: string;
      actor: string;
      action: string;
      target: string;
      before: object | null;
      after: object | null;
      changed_at: Date;
    }>(`SELECT id, actor, action, target, before, after, changed_at FROM list_audit ${where} ORDER BY id DESC LIMIT $1`, params);
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

  async change<T>(work: (changes: ListAndRuleChanges) => Promise<T>): Promise<T> {
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

function transactionChanges(client: pg.PoolClient): ListAndRuleChanges {
  return {
    async upsertEntry(input, actor) {
      const scope = input.scope ?? {};
      const params = [input.list, input.type, input.value, scope.campaignId ?? null, scope.merchantId ?? null, scope.roomId ?? null, scope.skuId ?? null];
      const { rows: old } = await client.query<ListRow>(
        `SELECT ${LIST_COLUMNS} FROM list_entries WHERE list = $1 AND type = $2 AND value = $3 AND campaign_id IS NOT DISTINCT FROM $4
           AND merchant_id IS NOT DISTINCT FROM $5 AND room_id IS NOT DISTINCT FROM $6 AND sku_id IS NOT DISTINCT FROM $7 FOR UPDATE`,
        params,
      );
      const { rows } = await client.query<ListRow>(
        `INSERT INTO list_entries (list, type, value, campaign_id, merchant_id, room_id, sku_id, reason, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (list, type, value, scope_key) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at
         RETURNING ${LIST_COLUMNS}`,
        [...params, input.reason, input.expiresAt, actor],
      );
      return { before: old[0] ? toEntry(old[0]) : null, after: toEntry(rows[0]!) };
    },
    async deleteEntry(id) {
      const { rows } = await client.query<ListRow>(`DELETE FROM list_entries WHERE id = $1 RETURNING ${LIST_COLUMNS}`, [id]);
      return rows[0] ? toEntry(rows[0]) : null;
    },
    async putRule(id, input) {
      const { rows: old } = await client.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM decision_rules WHERE id = $1 FOR UPDATE`, [id]);
      const { rows } = await client.query<RuleRow>(
        `INSERT INTO decision_rules (id, description, applies_to, condition, score, risk_code, mode, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET description = EXCLUDED.description, applies_to = EXCLUDED.applies_to,
           condition = EXCLUDED.condition, score = EXCLUDED.score, risk_code = EXCLUDED.risk_code, mode = EXCLUDED.mode,
           enabled = EXCLUDED.enabled, updated_at = now()
         RETURNING ${RULE_COLUMNS}`,
        [id, input.description, input.appliesTo, JSON.stringify(input.when), input.score, input.riskCode, input.mode, input.enabled],
      );
      return { before: old[0] ? toRule(old[0]) : null, after: toRule(rows[0]!) };
    },
    async deleteRule(id) {
      const { rows } = await client.query<RuleRow>(`DELETE FROM decision_rules WHERE id = $1 RETURNING ${RULE_COLUMNS}`, [id]);
      return rows[0] ? toRule(rows[0]) : null;
    },
    async audit(entry) {
      await client.query(`INSERT INTO list_audit (actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5)`, [
        entry.actor,
        entry.action,
        entry.target,
        entry.before && JSON.stringify(entry.before),
        entry.after && JSON.stringify(entry.after),
      ]);
    },
  };
}
