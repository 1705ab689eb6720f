/**
 * The facts the promotion detectors judge (coupon abuse, cash-out), as the
 * platform-facts tables and the order ledger hold them. Plain data: the
 * pipeline stage reads them from PostgreSQL, the specs write them by hand.
 * Money is integer minor units; times are event time (ms).
 */

/** One `coupon.claimed`. */
export interface ClaimFact {
  accountId: string;
  couponId: string;
  campaignId: string;
  value: number;
  minSpend: number | null;
  /** null together: claimed outside a room. */
  roomId: string | null;
  streamId: string | null;
  claimedAt: number;
  deviceId: string | null;
  /** The claim's device said an app cloner, a hook, an emulator or a cloud phone ran it. */
  tamperedDevice: boolean;
}

export interface RefundRecord {
  amount: number;
  at: number;
  /** The goods came back; false: refund without return; null: not said. */
  returned: boolean | null;
}

/** One order as the promotion detectors read it (a coupon order, or any order of a shop). */
export interface PromotionOrderFact {
  merchantId: string | null;
  orderId: string;
  streamId: string;
  roomId: string;
  accountId: string;
  deviceId: string | null;
  phoneHash: string | null;
  addressHash: string | null;
  paymentAccountHash: string | null;
  /** Who receives the goods (for virtual goods: the game or phone account topped up). */
  recipientHash: string | null;
  couponId: string | null;
  discount: number;
  unitPrice: number | null;
  quantity: number | null;
  placedAt: number | null;
  paidAt: number | null;
  paidAmount: number;
  virtual: boolean;
  category: string | null;
  refunds: RefundRecord[];
}

/** An account's sign-up. */
export interface RegistrationFact {
  accountId: string;
  registeredAt: number;
  channel: string | null;
  deviceId: string | null;
  subnet: string | null;
}

/** Everything coupon abuse is judged on for one campaign. */
export interface CampaignFacts {
  campaignId: string;
  claims: ClaimFact[];
  /** Orders that used a coupon of the campaign. */
  orders: PromotionOrderFact[];
  /** Sign-ups of the campaign's claimers (those the platform reported). */
  registrations: ReadonlyMap<string, RegistrationFact>;
  /** Distinct accounts that claimed any coupon or signed up on each claim device, anywhere (omitted: the campaign's own claims only). */
  deviceUsers?: ReadonlyMap<string, number>;
}

/** Everything cash-out is judged on for one shop: its orders in every stream. */
export interface MerchantFacts {
  merchantId: string;
  orders: PromotionOrderFact[];
}

export function refundTotal(order: Pick<PromotionOrderFact, 'refunds'>): number {
  let total = 0;
  for (const refund of order.refunds) total += refund.amount;
  return total;
}

export function unreturnedTotal(order: Pick<PromotionOrderFact, 'refunds'>): number {
  let total = 0;
  for (const refund of order.refunds) if (refund.returned === false) total += refund.amount;
  return total;
}
