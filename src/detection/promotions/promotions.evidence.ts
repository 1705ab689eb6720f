/**
 * The evidence of coupon_abuse and cash_out reports (CONTRACT.md v2 §3).
 * Times are epoch ms, shares 0..1, money minor units.
 */

/** The signals a coupon_abuse verdict combines (coupon-abuse.detector.ts). */
export type CouponAbuseSignal =
  | 'claimedAtRelease'
  | 'sharedDevice'
  | 'tamperedDevice'
  | 'batchRegistered'
  | 'couponUsedByOther'
  | 'couponPooled'
  | 'spentPooledCoupons'
  | 'sharedAddress'
  | 'discountKept'
  | 'gamedAtSharedAddress'
  | 'repeatedGaming';

/** The campaign a coupon_abuse report is about: its release (inferred from the claims) and what its claims show. */
export interface CouponCampaignEvidence {
  campaignId: string;
  releaseAt: number;
  claims: number;
  claimers: number;
  claimsAtRelease: number;
  /** Devices with enough of the campaign's claimers to be shared. */
  sharedDevices: number;
  registrationBatches: number;
  couponsUsedByOthers: number;
  dropAddressCount: number;
  gamedOrders: number;
}

/** One partial refund that kept the discount under the coupon's threshold. */
export interface GamedOrderSample {
  orderId: string;
  /** unitPrice × quantity. */
  gross: number;
  minSpend: number;
  discount: number;
  refunded: number;
  discountKept: number;
}

export interface CouponAbuseAccountEvidence {
  score: number;
  signals: CouponAbuseSignal[];
  campaign: CouponCampaignEvidence;
  claims: number;
  /** Null for a pool's spender that claimed nothing of the campaign itself. */
  firstClaimAt: number | null;
  afterReleaseMs: number | null;
  /** Claimers of the campaign on the account's claim device. */
  deviceAccounts: number;
  /** Accounts that claimed or signed up on that device anywhere. */
  deviceAccountsAnywhere: number;
  registeredAt: number | null;
  couponsUsedByOthers: number;
  /** Other claimers whose coupons of the campaign this account spent. */
  pooledFrom: number;
  gamed: GamedOrderSample[];
}

export interface CouponAbuseRoomEvidence {
  score: number;
  campaign: CouponCampaignEvidence;
  accountsTotal: number;
  accountsListed: number;
  /** How many of the stream's caught accounts show each signal. */
  signalCounts: Partial<Record<CouponAbuseSignal, number>>;
}

/** Money in and out of one buyer of a shop. */
export interface CashOutBuyer {
  accountId: string;
  virtualOrders: number;
  /** Paid for virtual goods. */
  paidIn: number;
  /** Refunded without return. */
  refundedOut: number;
  /** Accounts it shares a device, phone or payment account with among the shop's buyers. */
  linkedBuyers: number;
}

export interface CashOutMerchantEvidence {
  score: number;
  signals: string[];
  /** Paid for virtual goods / paid for everything, over the shop's orders. */
  virtualShare: number;
  virtualPaid: number;
  virtualOrders: number;
  /** Refunds without return on the shop's virtual orders, and their share of what was paid for them. */
  refundedWithoutReturn: number;
  refundedWithoutReturnShare: number;
  /** Virtual money from buyers in a linked group (shared devices, phones, payment accounts). */
  linkedPaid: number;
  linkedShare: number;
  linkedGroups: number;
  /** The groups' refunds without return, as a share of what they paid. */
  linkedRefundedShare: number;
  shopStreams: string[];
  shopRooms: string[];
  cashOutBuyers: CashOutBuyer[];
}

export interface CashOutAccountEvidence {
  score: number;
  merchantId: string;
  buyer: CashOutBuyer;
  /** The shop's figures (as in its merchant report). */
  virtualShare: number;
  linkedShare: number;
}
