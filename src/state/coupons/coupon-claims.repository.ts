import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import { subnetOf } from '../../detection/shared/network.js';
import type { CouponClaimed } from '../../events/event.schema.js';
import { DEVICE_COLUMN_NAMES, deviceColumnArrays, deviceParams } from '../device-columns.js';

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
 * event, in a room or not, written here. Indexed by campaign and time (a
 * release and its rush), by account (a hoard), by coupon (who claimed the
 * coupon an order used) and by device (accounts claiming from one handset).
 * Read by the promotions detectors' facts (`PromotionFactsRepository`), in
 * the shapes they judge.
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
}
