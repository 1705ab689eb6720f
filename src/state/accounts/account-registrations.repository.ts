import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import { subnetOf } from '../../detection/shared/network.js';
import type { AccountRegistered, DeviceInfo } from '../../events/event.schema.js';
import { DEVICE_COLUMN_NAMES, type DeviceRow, deviceColumnArrays, deviceFromRow, deviceParams } from '../device-columns.js';

/** An account's registration as stored: phone, channel and device at sign-up. */
export interface AccountRegistration {
  accountId: string;
  registeredAt: number;
  eventId: string;
  phoneHash: string | null;
  channel: string | null;
  deviceId: string | null;
  ip: string | null;
  /** /24 (IPv4) or /64 (IPv6) of ip. */
  subnet: string | null;
  device: DeviceInfo | undefined;
  seq: number;
}

interface RegistrationRow extends DeviceRow {
  account_id: string;
  registered_at: string;
  event_id: string;
  phone_hash: string | null;
  channel: string | null;
  device_id: string | null;
  ip: string | null;
  subnet: string | null;
  seq: string;
}

const COLUMNS = ['account_id', 'registered_at', 'event_id', 'phone_hash', 'channel', 'device_id', 'ip', 'subnet', 'seq', ...DEVICE_COLUMN_NAMES];

/**
 * `account_registrations` (migration 1764004500000-V2Events): one row per
 * account. An account signs up once; should a platform send two
 * registrations, the earliest (ts, then event id) wins, whatever order they
 * arrive in, so a replayed batch or two connections give the same row.
 */
@Injectable()
export class AccountRegistrationsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async record(registrations: ReadonlyArray<{ seq: number; event: AccountRegistered }>): Promise<void> {
    // One row per account per statement: ON CONFLICT may not touch a row twice.
    const earliest = new Map<string, { seq: number; event: AccountRegistered }>();
    for (const registration of registrations) {
      const current = earliest.get(registration.event.accountId);
      if (!current || before(registration.event, current.event)) earliest.set(registration.event.accountId, registration);
    }
    if (earliest.size === 0) return;
    const rows = [...earliest.values()];
    const events = rows.map(({ event }) => event);
    await this.pool.query(
      `INSERT INTO account_registrations AS r (${COLUMNS.join(', ')})
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::bigint[], ${deviceParams(10)})
       ON CONFLICT (account_id) DO UPDATE SET
         ${COLUMNS.filter((column) => column !== 'account_id').map((column) => `${column} = EXCLUDED.${column}`).join(', ')},
         updated_at = now()
       WHERE (EXCLUDED.registered_at, EXCLUDED.event_id COLLATE "C") < (r.registered_at, r.event_id COLLATE "C")`,
      [
        events.map((e) => e.accountId),
        events.map((e) => e.ts),
        events.map((e) => e.id),
        events.map((e) => e.phoneHash ?? null),
        events.map((e) => e.channel ?? null),
        events.map((e) => e.deviceId ?? null),
        events.map((e) => e.ip ?? null),
        events.map((e) => subnetOf(e.ip) ?? null),
        rows.map(({ seq }) => seq),
        ...deviceColumnArrays(events.map((e) => e.device)),
      ],
    );
  }

  /** The registrations of these accounts (accounts never registered here are absent). */
  async forAccounts(accountIds: readonly string[]): Promise<Map<string, AccountRegistration>> {
    if (accountIds.length === 0) return new Map();
    const result = await this.pool.query<RegistrationRow>(
      `SELECT ${COLUMNS.join(', ')} FROM account_registrations WHERE account_id = ANY($1::text[])`,
      [accountIds],
    );
    return new Map(result.rows.map((row) => [row.account_id, toRegistration(row)]));
  }

  /** Registrations in [from, to) of event time, in sign-up order, at most `limit` (bursts of sign-ups). */
  async registeredBetween(from: number, to: number, limit: number): Promise<AccountRegistration[]> {
    const result = await this.pool.query<RegistrationRow>(
      `SELECT ${COLUMNS.join(', ')} FROM account_registrations WHERE registered_at >= $1 AND registered_at < $2
        ORDER BY registered_at, event_id COLLATE "C" LIMIT $3`,
      [from, to, limit],
    );
    return result.rows.map(toRegistration);
  }
}

function toRegistration(row: RegistrationRow): AccountRegistration {
  return {
    accountId: row.account_id,
    registeredAt: Number(row.registered_at),
    eventId: row.event_id,
    phoneHash: row.phone_hash,
    channel: row.channel,
    deviceId: row.device_id,
    ip: row.ip,
    subnet: row.subnet,
    device: deviceFromRow(row),
    seq: Number(row.seq),
  };
}

/** Deterministic event order: event time, then id (compared COLLATE "C" in SQL to agree). */
function before(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}
