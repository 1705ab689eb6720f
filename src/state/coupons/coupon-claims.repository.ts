import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import { subnetOf } from '../../detection/shared/network.js';
import type { CouponClaimed, DeviceInfo } from '../../events/event.schema.js';
import { DEVICE_COLUMN_NAMES, type DeviceRow, deviceColumnArrays, deviceFromRow, deviceParams } from '../device-columns.js';

/** One `coupon.claimed` as stored. */
export interface CouponClaim {
  eventId: string;
  accountId: string;
  couponId: string;
  campaignId: string;
  value: number;
  minSpend: number | null;
  /** null together: a claim outside a room. */
  roomId: string | null;
  streamId: string | null;
  claimedAt: number;
  deviceId: string | null;
  ip: string | null;
  /** /24 (IPv4) or /64 (IPv6) of ip. */
  subnet: string | null;
  device: DeviceInfo | undefined;
  seq: number;
}

interface CouponClaimRow extends DeviceRow {
  event_id: string;
  account_id: string;
  coupon_id: string;
  campaign_id: string;
  value: string;
  min_spend: string | null;
  room_id: string | null;
  stream_id: string | null;
  claimed_at: string;
  device_id: string | null;
  ip: string | null;
  subnet: string | null;
  seq: string;
}

const COLUMNS = [
  'event_id',
  'account_id',
  'coupon_id',
  'campaign_id',
  'value',
  'min_spend',
  'room_id',
  'stream_id',
  'claimed_at',
  'device_id',
  'ip',
  'subnet',
  'seq',
  ...DEVICE_COLUMN_NAMES,
].join(', ');

/**
 * `coupon_claims` (migration 1764004500000-V2Events): one row per claim
 * event, in a room or not. Indexed by campaign and time (a release and its
 * rush), by account (a hoard), by coupon (who claimed the coupon an order
 * used) and by device (accounts claiming from one handset).
 */
@Injectable()
export class CouponClaimsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async record(claims: ReadonlyArray<{ seq: number; event: CouponClaimed }>): Promise<void> {
    if (claims.length === 0) return;
    const events = claims.map(({ event }) => event);
    await this.pool.query(
      `INSERT INTO coupon_claims (${COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
                            $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::bigint[], ${deviceParams(14)})
       ON CONFLICT (event_id) DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.accountId),
        events.map((e) => e.couponId),
        events.map((e) => e.campaignId),
        events.map((e) => String(e.value)),
        events.map((e) => (e.minSpend === undefined ? null : String(e.minSpend))),
        events.map((e) => e.roomId ?? null),
        events.map((e) => e.streamId ?? null),
        events.map((e) => e.ts),
        events.map((e) => e.deviceId ?? null),
        events.map((e) => e.ip ?? null),
        events.map((e) => subnetOf(e.ip) ?? null),
        claims.map(({ seq }) => seq),
        ...deviceColumnArrays(events.map((e) => e.device)),
      ],
    );
  }

  /** A campaign's claims in [from, to) of event time, in claim order, at most `limit`. */
  async forCampaign(campaignId: string, from: number, to: number, limit: number): Promise<CouponClaim[]> {
    const result = await this.pool.query<CouponClaimRow>(
      `SELECT ${COLUMNS} FROM coupon_claims WHERE campaign_id = $1 AND claimed_at >= $2 AND claimed_at < $3
        ORDER BY claimed_at, event_id COLLATE "C" LIMIT $4`,
      [campaignId, from, to, limit],
    );
    return result.rows.map(toClaim);
  }

  /** These accounts' claims, each account's in claim order. */
  async forAccounts(accountIds: readonly string[]): Promise<CouponClaim[]> {
    if (accountIds.length === 0) return [];
    const result = await this.pool.query<CouponClaimRow>(
      `SELECT ${COLUMNS} FROM coupon_claims WHERE account_id = ANY($1::text[]) ORDER BY account_id, claimed_at, event_id COLLATE "C"`,
      [accountIds],
    );
    return result.rows.map(toClaim);
  }

  /** The claims of these coupons (who claimed the coupon an order used). */
  async forCoupons(couponIds: readonly string[]): Promise<CouponClaim[]> {
    if (couponIds.length === 0) return [];
    const result = await this.pool.query<CouponClaimRow>(
      `SELECT ${COLUMNS} FROM coupon_claims WHERE coupon_id = ANY($1::text[]) ORDER BY coupon_id, claimed_at, event_id COLLATE "C"`,
      [couponIds],
    );
    return result.rows.map(toClaim);
  }
}

function toClaim(row: CouponClaimRow): CouponClaim {
  return {
    eventId: row.event_id,
    accountId: row.account_id,
    couponId: row.coupon_id,
    campaignId: row.campaign_id,
    // Bounded at ingest (EVENT_BOUNDS.couponValue, .orderValue): exact as JSON numbers.
    value: Number(row.value),
    minSpend: row.min_spend === null ? null : Number(row.min_spend),
    roomId: row.room_id,
    streamId: row.stream_id,
    claimedAt: Number(row.claimed_at),
    deviceId: row.device_id,
    ip: row.ip,
    subnet: row.subnet,
    device: deviceFromRow(row),
    seq: Number(row.seq),
  };
}
