import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { ClaimFact, PromotionOrderFact, RegistrationFact } from '../../detection/promotions/promotion-facts.js';
import { PG_POOL } from '../../platform/database/database.module.js';

interface OrderRow {
  merchant_id: string;
  order_id: string;
  stream_id: string;
  room_id: string;
  account_id: string;
  device_id: string | null;
  phone_hash: string | null;
  address_hash: string | null;
  payment_account_hash: string | null;
  recipient_hash: string | null;
  coupon_id: string | null;
  discount: string | null;
  unit_price: string | null;
  quantity: number | null;
  placed_at: string | null;
  paid_at: string | null;
  paid_amount: string | null;
  virtual: boolean | null;
  category: string | null;
  refunds: Array<{ amount: number | string; at: number | string; returned: boolean | null }> | null;
}

const ORDER_COLUMNS = `o.merchant_id, o.order_id, o.stream_id, o.room_id, o.account_id, o.device_id, o.phone_hash, o.address_hash,
  o.payment_account_hash, o.recipient_hash, o.coupon_id, o.discount::text, o.unit_price::text, o.quantity, o.placed_at::text, o.paid_at::text,
  o.paid_amount::text, o.virtual, o.category,
  (SELECT json_agg(json_build_object('amount', r.amount, 'at', r.refunded_at, 'returned', r.returned) ORDER BY r.refunded_at, r.event_id)
     FROM order_refunds r
    WHERE (r.merchant_id, r.ownerless_stream, r.order_id) = (o.merchant_id, o.ownerless_stream, o.order_id)) AS refunds`;

/** A stream's promotion figures for the sales audit (README "Sales audit"), exact: numeric sums as decimal text. */
export interface StreamPromotionSums {
  refundedWithoutReturn: string;
  couponDiscounts: string;
  virtualPaid: string;
  suspectedCouponAbuse: string;
  suspectedCashOut: string;
}

/**
 * What the promotion detectors read (coupon claims, coupon orders, sign-ups,
 * a shop's orders) and the audit's promotion sums, from the platform-facts
 * tables and the order ledger, so a restart, a second process or a refund
 * days later sees the same facts.
 */
@Injectable()
export class PromotionFactsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Campaigns claimed in these streams, and the campaigns of the coupons their orders used. */
  async campaignsOfStreams(streamIds: readonly string[]): Promise<string[]> {
    if (streamIds.length === 0) return [];
    const { rows } = await this.pool.query<{ campaign_id: string }>(
      `SELECT campaign_id FROM coupon_claims WHERE stream_id = ANY($1::text[])
       UNION
       SELECT c.campaign_id FROM orders o JOIN coupon_claims c ON c.coupon_id = o.coupon_id
        WHERE o.stream_id = ANY($1::text[]) AND o.coupon_id IS NOT NULL`,
      [streamIds],
    );
    return rows.map((row) => row.campaign_id).sort();
  }

  /** Campaigns these accounts claimed (a sign-up arriving after the claims changes their verdict). */
  async campaignsOfAccounts(accountIds: readonly string[]): Promise<string[]> {
    if (accountIds.length === 0) return [];
    const { rows } = await this.pool.query<{ campaign_id: string }>('SELECT DISTINCT campaign_id FROM coupon_claims WHERE account_id = ANY($1::text[])', [accountIds]);
    return rows.map((row) => row.campaign_id).sort();
  }

  /** Campaigns claimed on these devices: a new account on a device changes how many the device carries, a signal of each. */
  async campaignsOfDevices(deviceIds: readonly string[]): Promise<string[]> {
    if (deviceIds.length === 0) return [];
    const { rows } = await this.pool.query<{ campaign_id: string }>('SELECT DISTINCT campaign_id FROM coupon_claims WHERE device_id = ANY($1::text[])', [deviceIds]);
    return rows.map((row) => row.campaign_id).sort();
  }

  /** Streams in which these campaigns were claimed. */
  async streamsOfCampaigns(campaignIds: readonly string[]): Promise<string[]> {
    if (campaignIds.length === 0) return [];
    const { rows } = await this.pool.query<{ stream_id: string }>(
      'SELECT DISTINCT stream_id FROM coupon_claims WHERE campaign_id = ANY($1::text[]) AND stream_id IS NOT NULL',
      [campaignIds],
    );
    return rows.map((row) => row.stream_id).sort();
  }

  /** A campaign's claims, at most `limit`, earliest first. */
  async claimsOf(campaignId: string, limit: number): Promise<ClaimFact[]> {
    const { rows } = await this.pool.query<{
      account_id: string;
      coupon_id: string;
      campaign_id: string;
      value: string;
      min_spend: string | null;
      room_id: string | null;
      stream_id: string | null;
      claimed_at: string;
      device_id: string | null;
      tampered: boolean;
    }>(
      `SELECT account_id, coupon_id, campaign_id, value::text, min_spend::text, room_id, stream_id, claimed_at::text, device_id,
              coalesce(device_multi_instance OR device_hooked OR device_emulator OR device_cloud_phone, false) AS tampered
         FROM coupon_claims WHERE campaign_id = $1 ORDER BY claimed_at, event_id COLLATE "C" LIMIT $2`,
      [campaignId, limit],
    );
    return rows.map((row) => ({
      accountId: row.account_id,
      couponId: row.coupon_id,
      campaignId: row.campaign_id,
      // Bounded at ingest (EVENT_BOUNDS): exact as JSON numbers.
      value: Number(row.value),
      minSpend: row.min_spend === null ? null : Number(row.min_spend),
      roomId: row.room_id,
      streamId: row.stream_id,
      claimedAt: Number(row.claimed_at),
      deviceId: row.device_id,
      tamperedDevice: row.tampered,
    }));
  }

  /** Orders that used one of these coupons, with their refunds. */
  async ordersUsing(couponIds: readonly string[], limit: number): Promise<PromotionOrderFact[]> {
    if (couponIds.length === 0) return [];
    const { rows } = await this.pool.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.coupon_id = ANY($1::text[]) ORDER BY o.placed_at NULLS LAST, o.order_id LIMIT $2`,
      [couponIds, limit],
    );
    return rows.map(toOrder);
  }

  /** Sign-ups of these accounts. */
  async registrationsOf(accountIds: readonly string[]): Promise<Map<string, RegistrationFact>> {
    const registrations = new Map<string, RegistrationFact>();
    if (accountIds.length === 0) return registrations;
    const { rows } = await this.pool.query<{ account_id: string; registered_at: string; channel: string | null; device_id: string | null; subnet: string | null }>(
      'SELECT account_id, registered_at::text, channel, device_id, subnet FROM account_registrations WHERE account_id = ANY($1::text[])',
      [accountIds],
    );
    for (const row of rows) {
      registrations.set(row.account_id, { accountId: row.account_id, registeredAt: Number(row.registered_at), channel: row.channel, deviceId: row.device_id, subnet: row.subnet });
    }
    return registrations;
  }

  /** Distinct accounts that claimed a coupon or signed up on each of these devices, anywhere and any time. */
  async deviceUsers(deviceIds: readonly string[]): Promise<Map<string, number>> {
    const users = new Map<string, number>();
    if (deviceIds.length === 0) return users;
    const { rows } = await this.pool.query<{ device_id: string; users: number }>(
      `SELECT device_id, count(DISTINCT account_id)::int AS users FROM (
         SELECT device_id, account_id FROM coupon_claims WHERE device_id = ANY($1::text[])
         UNION SELECT device_id, account_id FROM account_registrations WHERE device_id = ANY($1::text[])) d
        GROUP BY device_id`,
      [deviceIds],
    );
    for (const row of rows) users.set(row.device_id, row.users);
    return users;
  }

  /** The merchants owning these streams' orders that have at least `minVirtual` virtual orders (the only shops cash-out can be judged on). */
  async virtualShopsOf(streamIds: readonly string[], minVirtual: number): Promise<string[]> {
    if (streamIds.length === 0) return [];
    const { rows } = await this.pool.query<{ merchant_id: string }>(
      `SELECT m.merchant_id FROM (SELECT DISTINCT merchant_id FROM orders WHERE stream_id = ANY($1::text[]) AND merchant_id <> '') m
        WHERE (SELECT count(*) FROM (SELECT 1 FROM orders v WHERE v.merchant_id = m.merchant_id AND v.virtual IS TRUE LIMIT $2) c) >= $2
        ORDER BY m.merchant_id`,
      [streamIds, minVirtual],
    );
    return rows.map((row) => row.merchant_id);
  }

  /** A shop's orders in every stream, with their refunds, at most `limit`. */
  async ordersOfMerchant(merchantId: string, limit: number): Promise<PromotionOrderFact[]> {
    const { rows } = await this.pool.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.merchant_id = $1 ORDER BY o.placed_at NULLS LAST, o.order_id LIMIT $2`,
      [merchantId, limit],
    );
    return rows.map(toOrder);
  }

  /**
   * The stream's promotion sums over its placed orders (definitions in the
   * README's sales-audit section): refunds without return, coupon discounts
   * of paid orders, money paid for virtual goods, and the paid money of
   * orders from the given coupon-abuse and cash-out accounts.
   */
  async streamSums(streamId: string, couponAccounts: readonly string[], cashOutAccounts: readonly string[]): Promise<StreamPromotionSums> {
    const { rows } = await this.pool.query<StreamPromotionSums>(
      `SELECT coalesce(sum(refunded_unreturned_amount), 0)::text AS "refundedWithoutReturn",
              coalesce(sum(discount) FILTER (WHERE paid_at IS NOT NULL), 0)::text AS "couponDiscounts",
              coalesce(sum(paid_amount) FILTER (WHERE virtual IS TRUE), 0)::text AS "virtualPaid",
              coalesce(sum(paid_amount) FILTER (WHERE account_id = ANY($2::text[])), 0)::text AS "suspectedCouponAbuse",
              coalesce(sum(paid_amount) FILTER (WHERE account_id = ANY($3::text[])), 0)::text AS "suspectedCashOut"
         FROM orders WHERE stream_id = $1 AND placed_event_id IS NOT NULL`,
      [streamId, couponAccounts, cashOutAccounts],
    );
    return rows[0] as StreamPromotionSums;
  }
}

function toOrder(row: OrderRow): PromotionOrderFact {
  return {
    merchantId: row.merchant_id === '' ? null : row.merchant_id,
    orderId: row.order_id,
    streamId: row.stream_id,
    roomId: row.room_id,
    accountId: row.account_id,
    deviceId: row.device_id,
    phoneHash: row.phone_hash,
    addressHash: row.address_hash,
    paymentAccountHash: row.payment_account_hash,
    recipientHash: row.recipient_hash,
    couponId: row.coupon_id,
    // Bounded at ingest (EVENT_BOUNDS): exact as JSON numbers.
    discount: row.discount === null ? 0 : Number(row.discount),
    unitPrice: row.unit_price === null ? null : Number(row.unit_price),
    quantity: row.quantity,
    placedAt: row.placed_at === null ? null : Number(row.placed_at),
    paidAt: row.paid_at === null ? null : Number(row.paid_at),
    paidAmount: row.paid_amount === null ? 0 : Number(row.paid_amount),
    virtual: row.virtual === true,
    category: row.category,
    refunds: (row.refunds ?? []).map((refund) => ({ amount: Number(refund.amount), at: Number(refund.at), returned: refund.returned })),
  };
}
