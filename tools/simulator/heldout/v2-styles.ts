/**
 * (v2) Attacker styles of the held-out model's flash sales, coupon
 * campaigns, cash-out shops and operator rings, by the kind they commit.
 * Written from the problem statement, CONTRACT.md v2 and issues 13–15 only.
 */
export const V2_STYLES_BY_KIND = {
  scalper_bot: ['ho_cloud_farm_proxy_orders', 'ho_early_plugin', 'ho_slow_aged_ring'],
  coupon_abuse: ['ho_dormant_batch_claim', 'ho_pooled_coupons', 'ho_full_reduction_refund'],
  cash_out: ['ho_topup_refund_cashout', 'ho_giftcard_cash_kept'],
  account_ring: ['ho_ring_camouflage', 'ho_ring_chain_links'],
} as const;

export type V2Style = (typeof V2_STYLES_BY_KIND)[keyof typeof V2_STYLES_BY_KIND][number];

/** Honest situations of the v2 traffic that look like one of those threats at first sight. */
export const V2_HONEST_TRAPS = [
  'ho_flash_rush_nat',
  'ho_household_flash',
  'ho_fast_fingers',
  'ho_coupon_rush',
  'ho_honest_partial_return',
  'ho_office_coupon_claims',
  'ho_campus_signup_drive',
  'ho_honest_giftcard_shop',
  'ho_fresh_food_refunds',
] as const;

export type V2Trap = (typeof V2_HONEST_TRAPS)[number];
