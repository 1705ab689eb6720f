import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DECISIONS_PG_POOL } from '../platform/database/database.module.js';
import type { StandingReport, StandingRing } from './account-standings.js';
import type { DecisionFeatures } from './decision-features.js';
import type { DecisionOutcome, MatchedRule } from './risk-scoring.js';

/** A decision as §7 answers it. */
export interface DecisionAnswer {
  eventId: string;
  decision: DecisionOutcome;
  score: number;
  riskCodes: string[];
  reasons: string[];
  rules: MatchedRule[];
  decidedAt: string;
}

/** A stored decision as the reviewer listing shows it: the answer and what it was made of. */
export interface DecisionRecord extends DecisionAnswer {
  eventType: string;
  accountId: string | null;
  features: DecisionFeatures;
}

export interface NewDecision {
  answer: DecisionAnswer;
  eventType: string;
  accountId: string | null;
  features: DecisionFeatures;
}

export interface DecisionFilter {
  accountId?: string;
  decision?: DecisionOutcome;
  riskCode?: string;
  limit: number;
  /** The seq of the last item of the previous page. */
  beforeSeq?: number;
}

export interface RuleStats {
  matched: { live: number; shadow: number };
  outcomes: Record<DecisionOutcome, number>;
  matchedAccounts: number;
  /** Of the matched accounts, those named in a report confirmed after the matching decision. */
  laterConfirmedAccounts: number;
}

interface DecisionRow {
  seq: string;
  event_id: string;
  event_type: string;
  account_id: string | null;
  decision: DecisionOutcome;
  score: number;
  risk_codes: string[];
  reasons: string[];
  rules: MatchedRule[];
  features: DecisionFeatures;
  decided_at: Date;
}

const COLUMNS = 'seq, event_id, event_type, account_id, decision, score, risk_codes, reasons, rules, features, decided_at';

function toRecord(row: DecisionRow): DecisionRecord & { seq: number } {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    decision: row.decision,
    score: row.score,
    riskCodes: row.risk_codes,
    reasons: row.reasons,
    rules: row.rules,
    decidedAt: row.decided_at.toISOString(),
    eventType: row.event_type,
    accountId: row.account_id,
    features: row.features,
  };
}

export function answerOf(record: DecisionAnswer): DecisionAnswer {
  const { eventId, decision, score, riskCodes, reasons, rules, decidedAt } = record;
  return { eventId, decision, score, riskCodes, reasons, rules, decidedAt };
}

/**
 * `decisions`: one row per decided event id, the first stored wins (a resend
 * answers it). On the decisions' own pool (DECISIONS_PG_POOL), with the
 * reads of `reports` and `rings` that account standings are kept from (the
 * report store and the rings stage own those tables; they are read here so
 * that it runs on the decisions' pool).
 */
@Injectable()
export class DecisionsRepository {
  constructor(@Inject(DECISIONS_PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * What account standings read (account-standings.ts): with `since` null,
   * every standing report (open or confirmed, ring reports aside: they are
   * the ring's) and every reported ring whose report stands, with its
   * members; with `since`, every report and ring row changed from then on,
   * whatever its state now, so a dismissal or a stand-down is heard. `at`
   * is the database's clock before the reads: the next read's `since`
   * comes from it (less an overlap, for transactions that committed late).
   */
  async standingChanges(since: Date | null): Promise<{ at: Date; reports: StandingReport[]; rings: StandingRing[] }> {
    const { rows: clock } = await this.pool.query<{ at: Date }>('SELECT now() AS at');
    const [reports, rings] = await Promise.all([
      this.pool.query<{ id: string; status: string; accounts: string[] }>(
        `SELECT id, status, CASE WHEN subject_type = 'account' THEN array_append(accounts, subject_id) ELSE accounts END AS accounts
           FROM reports
          WHERE kind <> 'account_ring'
            AND (($1::timestamptz IS NULL AND status IN ('open', 'confirmed')) OR updated_at >= $1::timestamptz)`,
        [since],
      ),
      this.pool.query<{ ring_id: string; members: string[] | null }>(
        `SELECT g.ring_id, CASE WHEN s.standing THEN ARRAY(SELECT m.account_id FROM ring_members m WHERE m.ring_id = g.ring_id) END AS members
           FROM rings g
          CROSS JOIN LATERAL (SELECT g.reported AND g.last_finding -> 'evidence' -> 'stoodDown' IS NULL AS standing) s
          WHERE ($1::timestamptz IS NULL AND s.standing) OR g.updated_at >= $1::timestamptz`,
        [since],
      ),
    ]);
    return {
      at: clock[0]!.at,
      reports: reports.rows,
      rings: rings.rows.map((row) => ({ ringId: row.ring_id, members: row.members })),
    };
  }

  /**
   * Stores decisions in one statement; an event id already decided keeps its
   * first decision. Answers the ids this call stored.
   */
  async insertMany(decisions: readonly NewDecision[]): Promise<Set<string>> {
    const rows = decisions.map(({ answer, eventType, accountId, features }) => ({
      event_id: answer.eventId,
      event_type: eventType,
      account_id: accountId,
      decision: answer.decision,
      score: answer.score,
      risk_codes: answer.riskCodes,
      reasons: answer.reasons,
      rules: answer.rules,
      rule_ids: answer.rules.map((rule) => rule.id),
      features,
      decided_at: answer.decidedAt,
    }));
    const { rows: inserted } = await this.pool.query<{ event_id: string }>(
      `INSERT INTO decisions (event_id, event_type, account_id, decision, score, risk_codes, reasons, rules, rule_ids, features, decided_at)
       SELECT event_id, event_type, account_id, decision, score, risk_codes, reasons, rules, rule_ids, features, decided_at
         FROM jsonb_to_recordset($1::jsonb) AS row(event_id text, event_type text, account_id text, decision text, score float8,
           risk_codes text[], reasons jsonb, rules jsonb, rule_ids text[], features jsonb, decided_at timestamptz)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [JSON.stringify(rows)],
    );
    return new Set(inserted.map((row) => row.event_id));
  }

  async find(eventIds: readonly string[]): Promise<Map<string, DecisionRecord>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.pool.query<DecisionRow>(`SELECT ${COLUMNS} FROM decisions WHERE event_id = ANY($1::text[])`, [eventIds]);
    return new Map(rows.map((row) => [row.event_id, toRecord(row)]));
  }

  /** Newest first. */
  async list(filter: DecisionFilter): Promise<Array<DecisionRecord & { seq: number }>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.accountId !== undefined) where.push(`account_id = $${params.push(filter.accountId)}`);
    if (filter.decision !== undefined) where.push(`decision = $${params.push(filter.decision)}`);
    if (filter.riskCode !== undefined) where.push(`risk_codes @> ARRAY[$${params.push(filter.riskCode)}]::text[]`);
    if (filter.beforeSeq !== undefined) where.push(`seq < $${params.push(filter.beforeSeq)}`);
    const { rows } = await this.pool.query<DecisionRow>(
      `SELECT ${COLUMNS} FROM decisions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(toRecord);
  }

  async ruleStats(ruleId: string): Promise<RuleStats> {
    const { rows } = await this.pool.query<{ live: string; shadow: string; pass: string; review: string; reject: string; accounts: string; confirmed: string }>(
      `WITH matched AS (
         SELECT d.account_id, d.decision, d.decided_at, m.mode
           FROM decisions d CROSS JOIN LATERAL jsonb_to_recordset(d.rules) AS m(id text, mode text)
          WHERE d.rule_ids @> ARRAY[$1]::text[] AND m.id = $1)
       SELECT count(*) FILTER (WHERE mode = 'live') AS live, count(*) FILTER (WHERE mode = 'shadow') AS shadow,
              count(*) FILTER (WHERE decision = 'pass') AS pass, count(*) FILTER (WHERE decision = 'review') AS review,
              count(*) FILTER (WHERE decision = 'reject') AS reject,
              count(DISTINCT account_id) AS accounts,
              (SELECT count(DISTINCT m2.account_id) FROM matched m2
                WHERE EXISTS (SELECT 1 FROM reports r WHERE r.status = 'confirmed' AND r.updated_at > m2.decided_at
                  AND ((r.subject_type = 'account' AND r.subject_id = m2.account_id) OR r.accounts @> ARRAY[m2.account_id]::text[]))) AS confirmed
         FROM matched`,
      [ruleId],
    );
    const row = rows[0]!;
    return {
      matched: { live: Number(row.live), shadow: Number(row.shadow) },
      outcomes: { pass: Number(row.pass), review: Number(row.review), reject: Number(row.reject) },
      matchedAccounts: Number(row.accounts),
      laterConfirmedAccounts: Number(row.confirmed),
    };
  }
}
