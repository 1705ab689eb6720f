import type { SimulatedRoom } from './generator.js';
import type { Tally } from './scoring.js';
import type { ApiReport } from './service-harness.js';
import type { EveningTruth } from './truth.js';

/**
 * The promotion kinds beyond rooms and streams (issue 15): cash_out on
 * shops (merchant reports against `truth.cashOutMerchants`), coupon_abuse
 * and cash_out account reports tied to no stream, and every report of
 * those kinds that lands on an honest twin (a shop in
 * `truth.honestTwinMerchants` or one of its streams). Room and per-stream
 * account figures are the main scorecard's.
 */
export interface PromotionScore {
  merchants: Tally;
  /**
   * coupon_abuse account reports with no stream, against every account this
   * model labelled coupon_abuse (in any of its rooms, or as a hoarder outside
   * rooms); one the other model labelled is scored there, not here.
   */
  streamlessAccounts: Tally;
  /** Reports of coupon_abuse or cash_out on an honest twin shop or its streams. */
  twinReports: ApiReport[];
  twins: number;
  cashOutShops: number;
}

/** What the other model of a mixed evening labelled coupon_abuse, and this model's hoarders outside rooms. */
export interface CouponLabels {
  /** The other model's rooms: their coupon_abuse accounts are scored with them. */
  otherRooms?: readonly SimulatedRoom[];
  /** Whether `truth.couponHoarders` (the held-out model's) are this model's. */
  hoardersAreOurs: boolean;
}

export function scorePromotions(rooms: readonly SimulatedRoom[], reports: readonly ApiReport[], truth: EveningTruth | undefined, coupons: CouponLabels = { hoardersAreOurs: false }): PromotionScore {
  // The truth may hold both models' shops: only the scored rooms' count here.
  const scored = new Set(rooms.map((room) => room.merchantId));
  const cashOut = new Set((truth?.cashOutMerchants ?? []).filter((merchant) => scored.has(merchant)));
  const twins = new Set((truth?.honestTwinMerchants ?? []).filter((merchant) => scored.has(merchant)));
  const merchantOfStream = new Map(rooms.map((room) => [room.streamId, room.merchantId]));
  const flaggedShops = new Set(reports.filter((report) => report.kind === 'cash_out' && report.subjectType === ('merchant' as ApiReport['subjectType'])).map((report) => report.subjectId));
  const merchants: Tally = { tp: 0, fp: 0, fn: 0 };
  for (const shop of flaggedShops) {
    if (cashOut.has(shop)) merchants.tp++;
    // A shop of the other model's rooms is scored there.
    else if (scored.has(shop)) merchants.fp++;
  }
  for (const shop of cashOut) if (!flaggedShops.has(shop)) merchants.fn++;

  const hoarders = truth?.couponHoarders ?? [];
  const labelled = new Set([...rooms.flatMap((room) => room.labels.accounts.coupon_abuse), ...(coupons.hoardersAreOurs ? hoarders : [])]);
  const elsewhere = new Set([...(coupons.otherRooms ?? []).flatMap((room) => room.labels.accounts.coupon_abuse), ...(coupons.hoardersAreOurs ? [] : hoarders)]);
  const streamless = new Set(
    reports
      .filter((report) => report.kind === 'coupon_abuse' && report.subjectType === 'account' && (report.streamId as string | null) === null)
      .map((report) => report.subjectId),
  );
  const streamlessAccounts: Tally = { tp: 0, fp: 0, fn: 0 };
  for (const account of streamless) {
    if (labelled.has(account)) streamlessAccounts.tp++;
    else if (!elsewhere.has(account)) streamlessAccounts.fp++;
  }
  // Outside rooms only hoarders are missed: a room's coupon accounts are scored with the room.
  if (coupons.hoardersAreOurs) for (const account of hoarders) if (!streamless.has(account)) streamlessAccounts.fn++;

  const twinReports = reports.filter((report) => {
    if (report.kind !== 'coupon_abuse' && report.kind !== 'cash_out') return false;
    if (report.subjectType === ('merchant' as ApiReport['subjectType'])) return twins.has(report.subjectId);
    const merchant = report.streamId === null ? undefined : merchantOfStream.get(report.streamId);
    return merchant !== undefined && twins.has(merchant);
  });
  return { merchants, streamlessAccounts, twinReports, twins: twins.size, cashOutShops: cashOut.size };
}
