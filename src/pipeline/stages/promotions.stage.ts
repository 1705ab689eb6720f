import { Inject, Injectable } from '@nestjs/common';
import { type Finding, findingKey } from '../../detection/engine/finding.js';
import { type CashOutConfig, DEFAULT_CASH_OUT_CONFIG, judgeCashOut } from '../../detection/promotions/cash-out.detector.js';
import { type CouponAbuseConfig, DEFAULT_COUPON_ABUSE_CONFIG, judgeCouponCampaign } from '../../detection/promotions/coupon-abuse.detector.js';
import { PromotionFactsRepository } from '../../state/promotions/promotion-facts.repository.js';
import type { BatchContext, LedgerDetectionStage } from '../stage.js';
import { LEDGER_CHANGE } from './ledger.stage.js';

/** Campaigns judged per batch at most: a batch touching more leaves the rest to the next batches that touch them. */
const MAX_CAMPAIGNS = 64;
/** Claims read per campaign at most; a platform-wide campaign larger than this is judged on its first claims. */
const MAX_CLAIMS = 20_000;
/** Orders read per campaign or per shop at most. */
const MAX_ORDERS = 50_000;
/** Shops judged per batch at most. */
const MAX_SHOPS = 16;

/** What the stage reads of the promotion facts (a fake in memory holds the same for its spec). */
export type PromotionFacts = Pick<
  PromotionFactsRepository,
  | 'campaignsOfStreams'
  | 'campaignsOfAccounts'
  | 'campaignsOfDevices'
  | 'streamsOfCampaigns'
  | 'claimsOf'
  | 'ordersUsing'
  | 'registrationsOf'
  | 'deviceUsers'
  | 'virtualShopsOf'
  | 'ordersOfMerchant'
>;

/**
 * Coupon abuse and cash-out (issue 15) over what the batch touched: every
 * campaign claimed in the batch, of a stream whose orders or refunds moved,
 * or of an account that signed up, together with the other campaigns of
 * their streams (an account's report in a stream weighs all its claims
 * there); and every shop with virtual goods whose orders moved. Facts are
 * read from PostgreSQL, so a refund days later, a restart or events in any
 * order give the same verdicts; findings are dated by event time.
 */
@Injectable()
export class PromotionsStage implements LedgerDetectionStage {
  readonly kind = 'ledger-detection';
  readonly name = 'promotions';
  private readonly coupon: CouponAbuseConfig = DEFAULT_COUPON_ABUSE_CONFIG;
  private readonly cashOut: CashOutConfig = DEFAULT_CASH_OUT_CONFIG;

  constructor(@Inject(PromotionFactsRepository) private readonly facts: PromotionFacts) {}

  async run(context: BatchContext): Promise<void> {
    const change = context.get(LEDGER_CHANGE);
    const campaigns = new Set<string>();
    const registered = new Set<string>();
    // Devices that may have gained an account (claims and sign-ups are what deviceUsers counts): every
    // campaign claimed on them is judged again, so its "accounts on the device anywhere" holds whichever
    // worker or batch saw the last of them (issue 16: the same reports from one process or many).
    const devices = new Set<string>();
    for (const { event } of context.events) {
      if (event.type === 'coupon.claimed') campaigns.add(event.campaignId);
      else if (event.type === 'account.registered') registered.add(event.accountId);
      if ((event.type === 'coupon.claimed' || event.type === 'account.registered') && event.deviceId !== undefined) devices.add(event.deviceId);
    }
    for (const campaign of await this.facts.campaignsOfDevices([...devices].sort())) campaigns.add(campaign);
    const touched = [...change.touchedStreams].sort();
    for (const campaign of await this.facts.campaignsOfStreams(touched)) campaigns.add(campaign);
    for (const campaign of await this.facts.campaignsOfAccounts([...registered].sort())) campaigns.add(campaign);
    const streams = await this.facts.streamsOfCampaigns([...campaigns].sort());
    for (const campaign of await this.facts.campaignsOfStreams(streams)) campaigns.add(campaign);

    const findings: Finding[] = [];
    for (const campaignId of [...campaigns].sort().slice(0, MAX_CAMPAIGNS)) findings.push(...(await this.judgeCampaign(campaignId)));
    for (const merchantId of (await this.facts.virtualShopsOf(touched, this.cashOut.minVirtualOrders)).slice(0, MAX_SHOPS)) {
      findings.push(...judgeCashOut({ merchantId, orders: await this.facts.ordersOfMerchant(merchantId, MAX_ORDERS) }, this.cashOut).findings);
    }
    context.findings.push(...mergeByKey(findings));
  }

  private async judgeCampaign(campaignId: string): Promise<Finding[]> {
    const claims = await this.facts.claimsOf(campaignId, MAX_CLAIMS);
    if (claims.length === 0) return [];
    const devices = [...new Set(claims.flatMap((claim) => (claim.deviceId === null ? [] : [claim.deviceId])))];
    const [orders, registrations, deviceUsers] = await Promise.all([
      this.facts.ordersUsing([...new Set(claims.map((claim) => claim.couponId))], MAX_ORDERS),
      this.facts.registrationsOf([...new Set(claims.map((claim) => claim.accountId))]),
      this.facts.deviceUsers(devices),
    ]);
    return judgeCouponCampaign({ campaignId, claims, orders, registrations, deviceUsers }, this.coupon).findings;
  }
}

/**
 * One finding per report key: an account caught in two campaigns of one
 * stream keeps its strongest verdict; a room caught through two campaigns
 * names the accounts of both.
 */
export function mergeByKey(findings: readonly Finding[]): Finding[] {
  const merged = new Map<string, Finding>();
  for (const finding of findings) {
    const key = findingKey(finding);
    const current = merged.get(key);
    if (!current) {
      merged.set(key, finding);
      continue;
    }
    const [best, other] = finding.score > current.score || (finding.score === current.score && finding.summary < current.summary) ? [finding, current] : [current, finding];
    merged.set(key, {
      ...best,
      accounts: [...new Set([...best.accounts, ...other.accounts])].sort(),
      detectedAt: Math.min(best.detectedAt, other.detectedAt),
    });
  }
  return [...merged.values()];
}
