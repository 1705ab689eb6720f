/**
 * (v2) What an evening's labels cannot say room by room: the operators behind
 * many rooms and the honest people who share infrastructure. Filled by the
 * main generator and by the held-out model (each entry says which), read by
 * the eval's ring, merchant and decision scoring.
 */
export interface EveningTruth {
  /** Each true operator ring: every account it runs (camouflaged members included). */
  rings: TrueRing[];
  /** Accounts that share a device, network, address or payment account honestly (households, office wifi, carrier NAT, campus): never a ring member. */
  honestSharers: string[];
  /** Accounts registered in bulk by an operator. */
  bulkRegistered: string[];
  /** Merchants (shops) that run cash-out through their own shop, and their honest twins (gift-card shops, fresh food). */
  cashOutMerchants: string[];
  honestTwinMerchants: string[];
  /** Order ids (`merchantId/orderId`) placed by scalpers, for the decision metrics; every other flash-sale order is honest. */
  scalperOrders: string[];
  /** (held-out model) Accounts that hoarded coupons outside every room (claims on a campaign page, spent by other accounts): coupon_abuse in no room's labels. */
  couponHoarders?: string[];
}

export interface TrueRing {
  style: string;
  members: string[];
  heldOut?: boolean;
}

export function emptyTruth(): EveningTruth {
  return { rings: [], honestSharers: [], bulkRegistered: [], cashOutMerchants: [], honestTwinMerchants: [], scalperOrders: [] };
}
