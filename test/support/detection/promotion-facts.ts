import type { ClaimFact, PromotionOrderFact } from '../../../src/detection/promotions/promotion-facts.js';

/** A coupon claim of campaign `cp-1` in room-1's stream, on the account's own phone; `extra` says what differs. */
export function claimFact(accountId: string, couponId: string, claimedAt: number, extra: Partial<ClaimFact> = {}): ClaimFact {
  return {
    accountId,
    couponId,
    campaignId: 'cp-1',
    value: 2_000,
    minSpend: 10_000,
    roomId: 'room-1',
    streamId: 'st-1',
    claimedAt,
    deviceId: `dev-${accountId}`,
    tamperedDevice: false,
    ...extra,
  };
}

let orderSeq = 0;

/** An order of two pieces of 60.00 in room-1's stream, paid 30 s after it was placed, from the account's own phone, card and address. */
export function orderFact(accountId: string, placedAt: number, extra: Partial<PromotionOrderFact> = {}): PromotionOrderFact {
  orderSeq++;
  return {
    merchantId: 'm-1',
    orderId: `o-${orderSeq}`,
    streamId: 'st-1',
    roomId: 'room-1',
    accountId,
    deviceId: `dev-${accountId}`,
    phoneHash: `ph-${accountId}`,
    addressHash: `ad-${accountId}`,
    paymentAccountHash: `pa-${accountId}`,
    recipientHash: null,
    couponId: null,
    discount: 0,
    unitPrice: 6_000,
    quantity: 2,
    placedAt,
    paidAt: placedAt + 30_000,
    paidAmount: 12_000,
    virtual: false,
    category: 'apparel',
    refunds: [],
    ...extra,
  };
}
