import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { Finding } from '../detection/engine/finding.js';
import type { WeighedIdentifier } from '../detection/rings/ring-graph.js';
import type { IdentifierSighting, RingIdentifierKind } from '../detection/rings/ring-identifiers.js';
import { PG_POOL } from '../platform/database/database.module.js';

/** An account tied to an identifier for the first time, at this event time. */
export interface NewTie {
  kind: RingIdentifierKind;
  value: string;
  accountId: string;
  firstTs: number;
}

/** A stored candidate ring. */
export interface StoredRing {
  ringId: string;
  createdTs: number;
  members: number;
  mergedInto: string | null;
  absorbed: string[];
  reported: boolean;
  lastFinding: Finding | null;
}

/** An account's ring, as decisions and the console ask for it. */
export interface RingMembership {
  ringId: string;
  /** Members of the ring now. */
  members: number;
  /** The ring has an account_ring report (it was judged an operator's ring at least once). */
  reported: boolean;
}

/** What one ring update writes: the rings as they now stand, their members, the accounts that left every ring, merges. */
export interface RingUpdate {
  rings: Array<{ ringId: string; createdTs: number; members: string[]; absorbed: string[]; joinedTs: number }>;
  /** Accounts walked that are in no linked set any more. */
  released: string[];
  merges: Array<{ absorbed: string; survivor: string; ts: number }>;
}

interface RingRow {
  ring_id: string;
  created_ts: string;
  members: number;
  merged_into: string | null;
  absorbed: string[];
  reported: boolean;
  last_finding: Finding | null;
}

/**
 * The association graph (migrations 1764012000000-AccountRings and
 * 1764020000000-RingSightingSeq): accounts × identifiers with the seq that
 * first tied them, users per identifier (what the rarity weights come
 * from), candidate rings and their members.
 */
@Injectable()
export class RingGraphRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Adds the batch's sightings to the graph in one statement, a new
   * (identifier, account) row raising its identifier's users in the same
   * statement, so a batch applied twice counts nothing twice. Returns what
   * the batch changed: the rows it tied first (their first seq is one of
   * `seqs`), found again when the batch runs a second time.
   */
  async recordSightings(sightings: ReadonlyArray<IdentifierSighting & { seq: number }>, seqs: readonly number[]): Promise<NewTie[]> {
    if (sightings.length === 0) return [];
    const folded = new Map<string, { kind: string; value: string; account_id: string; first_ts: number; last_ts: number; first_seq: number }>();
    for (const sighting of sightings) {
      const key = `${sighting.kind}\u0000${sighting.value}\u0000${sighting.accountId}`;
      const row = folded.get(key);
      if (!row) folded.set(key, { kind: sighting.kind, value: sighting.value, account_id: sighting.accountId, first_ts: sighting.ts, last_ts: sighting.ts, first_seq: sighting.seq });
      else {
        row.first_ts = Math.min(row.first_ts, sighting.ts);
        row.last_ts = Math.max(row.last_ts, sighting.ts);
        row.first_seq = Math.min(row.first_seq, sighting.seq);
      }
    }
    const { rows } = await this.pool.query<{ kind: RingIdentifierKind; value: string; account_id: string; first_ts: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(kind text, value text, account_id text, first_ts bigint, last_ts bigint, first_seq bigint)
       ),
       written AS (
         INSERT INTO ring_identifiers AS t (kind, value, account_id, first_ts, last_ts, first_seq)
         SELECT kind, value, account_id, first_ts, last_ts, first_seq FROM input ORDER BY kind, value, account_id
         ON CONFLICT (kind, value, account_id) DO UPDATE SET
           first_ts = LEAST(t.first_ts, EXCLUDED.first_ts), last_ts = GREATEST(t.last_ts, EXCLUDED.last_ts),
           -- The log's first sighting whichever worker wrote the row first: what dates a link (ring-graph.ts).
           first_seq = LEAST(t.first_seq, EXCLUDED.first_seq)
         -- last_ts to the hour: rewriting the row at every sighting of a returning viewer was most of a batch's cost.
         WHERE EXCLUDED.first_ts < t.first_ts OR EXCLUDED.last_ts > t.last_ts + 3600000 OR EXCLUDED.first_seq < t.first_seq
         RETURNING t.kind, t.value, t.account_id, t.first_ts, (xmax = 0) AS inserted
       ),
       fresh AS (SELECT kind, value, count(*)::int AS users FROM written WHERE inserted GROUP BY kind, value),
       users AS (
         INSERT INTO ring_identifier_users AS u (kind, value, users)
         SELECT kind, value, users FROM fresh ORDER BY kind, value
         ON CONFLICT (kind, value) DO UPDATE SET users = u.users + EXCLUDED.users
       )
       -- Tied now, or by an earlier run of this batch (this statement's snapshot holds those rows).
       SELECT kind, value, account_id, first_ts::text FROM written WHERE inserted
       UNION
       SELECT r.kind, r.value, r.account_id, r.first_ts::text
         FROM input i JOIN ring_identifiers r ON r.kind = i.kind AND r.value = i.value AND r.account_id = i.account_id
        WHERE r.first_seq = ANY($2::bigint[])`,
      [JSON.stringify([...folded.values()]), seqs],
    );
    return rows.map((row) => ({ kind: row.kind, value: row.value, accountId: row.account_id, firstTs: Number(row.first_ts) }));
  }

  /**
   * One hop of the walk: the identifiers these accounts use that two to
   * `maxUsers` accounts share, each with all its users, but for the network
   * kinds (`networkKinds`: addresses and /24s, shared by whole campuses):
   * those are listed for the accounts reached through the others (and these
   * accounts) only, with their users counted in full. strongLinks never draws
   * pairs from a network identifier, it only adds its weight to a pair
   * another family tied, so the 500 users of a NAT address need not travel.
   */
  async neighbourhood(accountIds: readonly string[], maxUsers: number, networkKinds: readonly string[]): Promise<Array<WeighedIdentifier & { accounts: string[]; firstSeqs: number[] }>> {
    if (accountIds.length === 0) return [];
    const { rows } = await this.pool.query<{ kind: RingIdentifierKind; value: string; users: number; accounts: string[]; first_seqs: string[] }>(
      `WITH mine AS (SELECT DISTINCT kind, value FROM ring_identifiers WHERE account_id = ANY($1::text[]) AND kind <> ALL($3::text[])),
       near AS (
         SELECT m.kind, m.value, u.users, array_agg(o.account_id ORDER BY o.account_id) AS accounts,
                array_agg(coalesce(o.first_seq, 0) ORDER BY o.account_id) AS first_seqs
           FROM mine m
           JOIN ring_identifier_users u ON u.kind = m.kind AND u.value = m.value
           JOIN ring_identifiers o ON o.kind = m.kind AND o.value = m.value
          WHERE u.users BETWEEN 2 AND $2
          GROUP BY m.kind, m.value, u.users
       ),
       reached AS (SELECT unnest(accounts) AS account_id FROM near UNION SELECT unnest($1::text[])),
       network AS (
         SELECT o.kind, o.value, u.users, array_agg(o.account_id ORDER BY o.account_id) AS accounts,
                array_agg(coalesce(o.first_seq, 0) ORDER BY o.account_id) AS first_seqs
           FROM reached r
           JOIN ring_identifiers o ON o.account_id = r.account_id AND o.kind = ANY($3::text[])
           JOIN ring_identifier_users u ON u.kind = o.kind AND u.value = o.value
          WHERE u.users BETWEEN 2 AND $2
          GROUP BY o.kind, o.value, u.users
       )
       SELECT kind, value, users, accounts, first_seqs::text[] FROM near
       UNION ALL
       SELECT kind, value, users, accounts, first_seqs::text[] FROM network`,
      [accountIds, maxUsers, networkKinds],
    );
    return rows.map((row) => ({ kind: row.kind, value: row.value, users: row.users, accounts: row.accounts, firstSeqs: row.first_seqs.map(Number) }));
  }

  /** The users of these identifiers, of those two to `maxUsers` accounts share: whose links an identifier gaining a user moves. */
  async usersOf(identifiers: ReadonlyArray<{ kind: string; value: string }>, maxUsers: number): Promise<Array<{ accountId: string; kind: RingIdentifierKind; value: string }>> {
    if (identifiers.length === 0) return [];
    const { rows } = await this.pool.query<{ account_id: string; kind: RingIdentifierKind; value: string }>(
      `SELECT o.account_id, o.kind, o.value
         FROM jsonb_to_recordset($1::jsonb) AS i(kind text, value text)
         JOIN ring_identifier_users u ON u.kind = i.kind AND u.value = i.value
         JOIN ring_identifiers o ON o.kind = i.kind AND o.value = i.value
        WHERE u.users BETWEEN 2 AND $2`,
      [JSON.stringify(identifiers.map(({ kind, value }) => ({ kind, value }))), maxUsers],
    );
    return rows.map((row) => ({ accountId: row.account_id, kind: row.kind, value: row.value }));
  }

  /** The ring of each of these accounts that has one. */
  async ringsOfAccounts(accountIds: readonly string[]): Promise<Map<string, string>> {
    if (accountIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ account_id: string; ring_id: string }>(
      'SELECT account_id, ring_id FROM ring_members WHERE account_id = ANY($1::text[])',
      [accountIds],
    );
    return new Map(rows.map((row) => [row.account_id, row.ring_id]));
  }

  /** Every member of these rings. */
  async membersOf(ringIds: readonly string[]): Promise<Map<string, string[]>> {
    const members = new Map<string, string[]>();
    if (ringIds.length === 0) return members;
    const { rows } = await this.pool.query<{ account_id: string; ring_id: string }>(
      'SELECT account_id, ring_id FROM ring_members WHERE ring_id = ANY($1::text[]) ORDER BY ring_id, account_id',
      [ringIds],
    );
    for (const row of rows) {
      const list = members.get(row.ring_id) ?? [];
      list.push(row.account_id);
      members.set(row.ring_id, list);
    }
    return members;
  }

  async rings(ringIds: readonly string[]): Promise<Map<string, StoredRing>> {
    if (ringIds.length === 0) return new Map();
    const { rows } = await this.pool.query<RingRow>(
      'SELECT ring_id, created_ts::text, members, merged_into, absorbed, reported, last_finding FROM rings WHERE ring_id = ANY($1::text[])',
      [ringIds],
    );
    return new Map(
      rows.map((row) => [
        row.ring_id,
        {
          ringId: row.ring_id,
          createdTs: Number(row.created_ts),
          members: row.members,
          mergedInto: row.merged_into,
          absorbed: row.absorbed,
          reported: row.reported,
          lastFinding: row.last_finding,
        },
      ]),
    );
  }

  /**
   * Writes one update in a transaction: ring rows, member rows (an account
   * moves to its new ring), released accounts, merges. Written as sets, so
   * the same update applied twice leaves the same rows.
   */
  async applyUpdate(update: RingUpdate): Promise<void> {
    if (update.rings.length === 0 && update.released.length === 0 && update.merges.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (update.rings.length > 0) {
        await client.query(
          `INSERT INTO rings AS r (ring_id, created_ts, members, absorbed)
           SELECT ring_id, created_ts, members, absorbed FROM jsonb_to_recordset($1::jsonb) AS i(ring_id text, created_ts bigint, members int, absorbed text[])
           ORDER BY ring_id
           ON CONFLICT (ring_id) DO UPDATE SET members = EXCLUDED.members, absorbed = EXCLUDED.absorbed, merged_into = NULL, merged_ts = NULL, updated_at = now()`,
          [JSON.stringify(update.rings.map((ring) => ({ ring_id: ring.ringId, created_ts: ring.createdTs, members: ring.members.length, absorbed: ring.absorbed })))],
        );
        const memberRows = update.rings.flatMap((ring) => ring.members.map((account) => ({ account_id: account, ring_id: ring.ringId, joined_ts: ring.joinedTs })));
        await client.query(
          `INSERT INTO ring_members AS m (account_id, ring_id, joined_ts)
           SELECT account_id, ring_id, joined_ts FROM jsonb_to_recordset($1::jsonb) AS i(account_id text, ring_id text, joined_ts bigint)
           ORDER BY account_id
           ON CONFLICT (account_id) DO UPDATE SET ring_id = EXCLUDED.ring_id, joined_ts = EXCLUDED.joined_ts
           WHERE m.ring_id <> EXCLUDED.ring_id`,
          [JSON.stringify(memberRows)],
        );
      }
      if (update.released.length > 0) await client.query('DELETE FROM ring_members WHERE account_id = ANY($1::text[])', [update.released]);
      for (const merge of update.merges) {
        await client.query('UPDATE rings SET merged_into = $2, merged_ts = $3, members = 0, updated_at = now() WHERE ring_id = $1', [merge.absorbed, merge.survivor, merge.ts]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Keeps the finding a ring was last reported with (an absorbed ring's report is re-sent from it, pointing to its survivor). */
  async markReported(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    await this.pool.query(
      `UPDATE rings r SET reported = true, last_finding = i.finding, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS i(ring_id text, finding jsonb) WHERE r.ring_id = i.ring_id`,
      [JSON.stringify(findings.map((finding) => ({ ring_id: finding.subjectId, finding })))],
    );
  }

  /**
   * The ring an account belongs to now (for decisions' `account.ringId` and
   * the console), or null: candidate rings of household size are rings
   * here too, so read `reported` to know whether it was judged an operator's.
   */
  async ringOf(accountId: string): Promise<RingMembership | null> {
    const { rows } = await this.pool.query<{ ring_id: string; members: number; reported: boolean }>(
      `SELECT r.ring_id, r.members, r.reported FROM ring_members m JOIN rings r ON r.ring_id = m.ring_id WHERE m.account_id = $1`,
      [accountId],
    );
    const row = rows[0];
    return row ? { ringId: row.ring_id, members: row.members, reported: row.reported } : null;
  }
}
