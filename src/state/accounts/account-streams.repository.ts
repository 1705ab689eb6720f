import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';

/** One account's presence in one stream, as a batch folds it. */
export interface AccountStreamRow {
  accountId: string;
  streamId: string;
  roomId: string;
  firstTs: number;
  lastTs: number;
  deviceIds: string[];
  ips: string[];
  subnets: string[];
  phoneHashes: string[];
}

/** The identifiers the desk searches accounts by, and the column each lives in. */
export const ACCOUNT_IDENTIFIERS = ['deviceId', 'ip', 'subnet', 'phoneHash'] as const;
export type AccountIdentifier = (typeof ACCOUNT_IDENTIFIERS)[number];
const COLUMN: Record<AccountIdentifier, string> = { deviceId: 'device_ids', ip: 'ips', subnet: 'subnets', phoneHash: 'phone_hashes' };

/**
 * Identifiers kept per (account, stream): an honest account uses one or two
 * devices and a handful of addresses in an evening; a bound keeps a sender
 * rotating proxies per event from growing one row without end.
 */
export const MAX_IDENTIFIERS_PER_ROW = 16;

export interface SharedIdentifier {
  kind: AccountIdentifier;
  value: string;
  /** Other accounts seen with it, in any stream (at most `limit` listed). */
  accounts: string[];
  otherAccounts: number;
}

interface AccountStreamRecord {
  account_id: string;
  stream_id: string;
  room_id: string;
  first_ts: string;
  last_ts: string;
  device_ids: string[];
  ips: string[];
  subnets: string[];
  phone_hashes: string[];
}

/** `account_streams`: which streams an account was in and with which device, address and phone. */
@Injectable()
export class AccountStreamsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Grows each (account, stream) row by the batch's rows: times by min/max,
   * identifiers by set union (capped), so applying a batch twice changes
   * nothing. One statement per batch.
   */
  async record(rows: AccountStreamRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(account_id text, stream_id text, room_id text,
           first_ts bigint, last_ts bigint, device_ids text[], ips text[], subnets text[], phone_hashes text[])
       )
       INSERT INTO account_streams AS t (account_id, stream_id, room_id, first_ts, last_ts, device_ids, ips, subnets, phone_hashes)
       SELECT account_id, stream_id, room_id, first_ts, last_ts, device_ids, ips, subnets, phone_hashes FROM input
       -- A stable order keeps concurrent batches from locking rows in opposite orders.
       ORDER BY account_id, stream_id
       ON CONFLICT (account_id, stream_id) DO UPDATE SET
         first_ts = LEAST(t.first_ts, EXCLUDED.first_ts),
         last_ts = GREATEST(t.last_ts, EXCLUDED.last_ts),
         device_ids = (SELECT coalesce(array_agg(v ORDER BY v), '{}') FROM (SELECT DISTINCT v FROM unnest(t.device_ids || EXCLUDED.device_ids) v LIMIT $2) s),
         ips = (SELECT coalesce(array_agg(v ORDER BY v), '{}') FROM (SELECT DISTINCT v FROM unnest(t.ips || EXCLUDED.ips) v LIMIT $2) s),
         subnets = (SELECT coalesce(array_agg(v ORDER BY v), '{}') FROM (SELECT DISTINCT v FROM unnest(t.subnets || EXCLUDED.subnets) v LIMIT $2) s),
         phone_hashes = (SELECT coalesce(array_agg(v ORDER BY v), '{}') FROM (SELECT DISTINCT v FROM unnest(t.phone_hashes || EXCLUDED.phone_hashes) v LIMIT $2) s),
         updated_at = now()
       WHERE (t.first_ts, t.last_ts) IS DISTINCT FROM (LEAST(t.first_ts, EXCLUDED.first_ts), GREATEST(t.last_ts, EXCLUDED.last_ts))
          OR NOT (t.device_ids @> EXCLUDED.device_ids AND t.ips @> EXCLUDED.ips
                  AND t.subnets @> EXCLUDED.subnets AND t.phone_hashes @> EXCLUDED.phone_hashes)`,
      [
        JSON.stringify(
          rows.map((row) => ({
            account_id: row.accountId,
            stream_id: row.streamId,
            room_id: row.roomId,
            first_ts: row.firstTs,
            last_ts: row.lastTs,
            device_ids: row.deviceIds,
            ips: row.ips,
            subnets: row.subnets,
            phone_hashes: row.phoneHashes,
          })),
        ),
        MAX_IDENTIFIERS_PER_ROW,
      ],
    );
  }

  /** The streams an account was in, newest first. */
  async ofAccount(accountId: string, limit: number): Promise<AccountStreamRow[]> {
    const { rows } = await this.pool.query<AccountStreamRecord>(
      `SELECT account_id, stream_id, room_id, first_ts::text, last_ts::text, device_ids, ips, subnets, phone_hashes
         FROM account_streams WHERE account_id = $1 ORDER BY first_ts DESC, stream_id LIMIT $2`,
      [accountId, limit],
    );
    return rows.map((row) => ({
      accountId: row.account_id,
      streamId: row.stream_id,
      roomId: row.room_id,
      firstTs: Number(row.first_ts),
      lastTs: Number(row.last_ts),
      deviceIds: row.device_ids,
      ips: row.ips,
      subnets: row.subnets,
      phoneHashes: row.phone_hashes,
    }));
  }

  /** When each of these accounts first entered each of its streams (the ring judge's synchronised entries), at most `limit` rows. */
  async entriesOf(accountIds: readonly string[], limit: number): Promise<Array<{ accountId: string; roomId: string; streamId: string; firstTs: number }>> {
    if (accountIds.length === 0) return [];
    const { rows } = await this.pool.query<{ account_id: string; room_id: string; stream_id: string; first_ts: string }>(
      `SELECT account_id, room_id, stream_id, first_ts::text FROM account_streams WHERE account_id = ANY($1::text[])
        ORDER BY account_id, stream_id LIMIT $2`,
      [accountIds, limit],
    );
    return rows.map((row) => ({ accountId: row.account_id, roomId: row.room_id, streamId: row.stream_id, firstTs: Number(row.first_ts) }));
  }

  /** Accounts seen with an identifier, in any stream (GIN lookup), at most `limit`. */
  async accountsWith(kind: AccountIdentifier, value: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ account_id: string }>(
      `SELECT DISTINCT account_id FROM account_streams WHERE ${COLUMN[kind]} @> ARRAY[$1::text] ORDER BY account_id LIMIT $2`,
      [value, limit],
    );
    return rows.map((row) => row.account_id);
  }

  /**
   * For each identifier the account used, the other accounts seen with it:
   * the one-hop neighbourhood a reviewer reads as "who else is this
   * operator". At most `limit` accounts listed per identifier, with the count.
   */
  async sharing(accountId: string, identifiers: Array<{ kind: AccountIdentifier; value: string }>, limit: number): Promise<SharedIdentifier[]> {
    const found = await Promise.all(
      ACCOUNT_IDENTIFIERS.map(async (kind) => {
        const values = identifiers.filter((identifier) => identifier.kind === kind).map((identifier) => identifier.value);
        if (values.length === 0) return [];
        // One query per column, so each overlap test (&&) is a GIN lookup.
        const { rows } = await this.pool.query<{ value: string; accounts: string[]; total: number }>(
          `SELECT v AS value, (array_agg(DISTINCT account_id))[1:$3] AS accounts, count(DISTINCT account_id)::int AS total
             FROM account_streams, unnest(${COLUMN[kind]}) AS v
            WHERE ${COLUMN[kind]} && $1::text[] AND v = ANY ($1::text[]) AND account_id <> $2
            GROUP BY v`,
          [values, accountId, limit],
        );
        const byValue = new Map(rows.map((row) => [row.value, row]));
        return values.map((value): SharedIdentifier => ({
          kind,
          value,
          accounts: byValue.get(value)?.accounts ?? [],
          otherAccounts: byValue.get(value)?.total ?? 0,
        }));
      }),
    );
    return found.flat();
  }

}
