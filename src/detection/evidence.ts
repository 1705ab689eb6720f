/**
 * The evidence each report kind carries, one exported shape per kind and
 * subject. Times are epoch ms, durations ms, shares 0..1, money minor units:
 * detectors never format; the console labels and formats by field.
 */
import type { ReportKind, SubjectType } from './engine/finding.js';
import type { InjectedViewersAccountEvidence, InjectedViewersRoomEvidence } from './live/injected-viewers/injected-viewers.evidence.js';
import type { ScriptedCommentsAccountEvidence, ScriptedCommentsRoomEvidence } from './live/scripted-comments/scripted-comments.evidence.js';
import type { RefundBrushingAccountEvidence, RefundBrushingRoomEvidence } from './ledger/refund-brushing/refund-brushing.evidence.js';
import type { InflatedGmvEvidence } from './ledger/inflated-gmv/inflated-gmv.evidence.js';
import type { ScalperBotAccountEvidence, ScalperBotRoomEvidence } from './live/scalper-bot/scalper-bot.evidence.js';
import type {
  CashOutAccountEvidence,
  CashOutMerchantEvidence,
  CouponAbuseAccountEvidence,
  CouponAbuseRoomEvidence,
} from './promotions/promotions.evidence.js';
import type { AccountRingEvidence } from './rings/account-ring.evidence.js';

export type { CohortIdentityEvidence } from './shared/cohort-identity.js';
export type {
  InjectedViewersAccountEvidence,
  InjectedViewersRoomEvidence,
  ViewerCohortEvidence,
} from './live/injected-viewers/injected-viewers.evidence.js';
export type {
  CommentCohortEvidence,
  LoneSignal,
  ScriptedCommentsAccountEvidence,
  ScriptedCommentsRoomEvidence,
} from './live/scripted-comments/scripted-comments.evidence.js';
export type {
  RefundBrushingAccountEvidence,
  RefundBrushingRoomEvidence,
  RefundBrushingSignals,
  RefundedOrderSample,
} from './ledger/refund-brushing/refund-brushing.evidence.js';
export type { InflatedGmvEvidence } from './ledger/inflated-gmv/inflated-gmv.evidence.js';
export type {
  OpeningSecondEvidence,
  ScalperAddressEvidence,
  ScalperBotAccountEvidence,
  ScalperBotRoomEvidence,
  ScalperDeviceEvidence,
  ScalperGroupEvidence,
  ScalperOrderLatency,
  ScalperOtherRoom,
  ScalperPaymentEvidence,
  ScalperSaleEvidence,
  ScalperSignal,
} from './live/scalper-bot/scalper-bot.evidence.js';
export type {
  CashOutAccountEvidence,
  CashOutBuyer,
  CashOutMerchantEvidence,
  CouponAbuseAccountEvidence,
  CouponAbuseRoomEvidence,
  CouponAbuseSignal,
  CouponCampaignEvidence,
  GamedOrderSample,
} from './promotions/promotions.evidence.js';
export type { AccountRingEvidence, RegistrationBurst, RingCaught, RingLinkSample, RingSharedIdentifier, RingSyncStream } from './rings/account-ring.evidence.js';

/**
 * Evidence by (kind, subject type). inflated_gmv reports are room reports
 * only; coupon_abuse has account and room reports, cash_out merchant and
 * account reports. account_ring and the ring subject get their shapes with
 * their detector; until then no report of them carries any (`never`).
 */
export interface EvidenceByKind {
  injected_viewers: { room: InjectedViewersRoomEvidence; account: InjectedViewersAccountEvidence };
  scripted_comments: { room: ScriptedCommentsRoomEvidence; account: ScriptedCommentsAccountEvidence };
  refund_brushing: { room: RefundBrushingRoomEvidence; account: RefundBrushingAccountEvidence };
  inflated_gmv: { room: InflatedGmvEvidence; account: never };
  scalper_bot: { room: ScalperBotRoomEvidence; account: ScalperBotAccountEvidence };
  coupon_abuse: { room: CouponAbuseRoomEvidence; account: CouponAbuseAccountEvidence };
  cash_out: { merchant: CashOutMerchantEvidence; account: CashOutAccountEvidence };
  account_ring: { ring: AccountRingEvidence };
}

export type EvidenceOf<K extends ReportKind, S extends SubjectType> = K extends keyof EvidenceByKind
  ? S extends keyof EvidenceByKind[K]
    ? EvidenceByKind[K][S]
    : never
  : never;
