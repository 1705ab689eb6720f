import { claimFact, orderFact } from '../../../test/support/detection/promotion-facts.js';
import type { Finding } from '../../detection/engine/finding.js';
import { judgeCashOut } from '../../detection/promotions/cash-out.detector.js';
import { judgeCouponCampaign } from '../../detection/promotions/coupon-abuse.detector.js';
import type { ClaimFact, PromotionOrderFact, RegistrationFact } from '../../detection/promotions/promotion-facts.js';
import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { LedgerChange } from '../../state/ledger/order-ledger.js';
import { BatchContext } from '../stage.js';
import { LEDGER_CHANGE } from './ledger.stage.js';
import { mergeByKey, type PromotionFacts, PromotionsStage } from './promotions.stage.js';

const T0 = Date.UTC(2026, 10, 11, 20);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The promotion facts in memory, with the repository's selection rules, recording which campaigns and shops were read whole. */
class InMemoryPromotionFacts implements PromotionFacts {
  readonly campaignsRead: string[] = [];
  readonly shopsRead: string[] = [];

  constructor(
    readonly claims: ClaimFact[],
    readonly orders: PromotionOrderFact[],
    readonly registrations: RegistrationFact[] = [],
  ) {}

  campaignsOfStreams(streamIds: readonly string[]): Promise<string[]> {
    const streams = new Set(streamIds);
    const coupons = new Set(this.orders.filter((order) => streams.has(order.streamId) && order.couponId !== null).map((order) => order.couponId));
    return this.campaigns(this.claims.filter((claim) => (claim.streamId !== null && streams.has(claim.streamId)) || coupons.has(claim.couponId)));
  }

  campaignsOfAccounts(accountIds: readonly string[]): Promise<string[]> {
    return this.campaigns(this.claims.filter((claim) => accountIds.includes(claim.accountId)));
  }

  campaignsOfDevices(deviceIds: readonly string[]): Promise<string[]> {
    return this.campaigns(this.claims.filter((claim) => claim.deviceId !== null && deviceIds.includes(claim.deviceId)));
  }

  streamsOfCampaigns(campaignIds: readonly string[]): Promise<string[]> {
    return Promise.resolve([...new Set(this.claims.filter((claim) => campaignIds.includes(claim.campaignId) && claim.streamId !== null).map((claim) => claim.streamId as string))].sort());
  }

  claimsOf(campaignId: string, limit: number): Promise<ClaimFact[]> {
    this.campaignsRead.push(campaignId);
    return Promise.resolve(this.claims.filter((claim) => claim.campaignId === campaignId).slice(0, limit));
  }

  ordersUsing(couponIds: readonly string[], limit: number): Promise<PromotionOrderFact[]> {
    return Promise.resolve(this.orders.filter((order) => order.couponId !== null && couponIds.includes(order.couponId)).slice(0, limit));
  }

  registrationsOf(accountIds: readonly string[]): Promise<Map<string, RegistrationFact>> {
    return Promise.resolve(new Map(this.registrations.filter((registration) => accountIds.includes(registration.accountId)).map((registration) => [registration.accountId, registration])));
  }

  deviceUsers(deviceIds: readonly string[]): Promise<Map<string, number>> {
    const users = new Map<string, Set<string>>();
    for (const { deviceId, accountId } of [...this.claims, ...this.registrations]) {
      if (deviceId !== null && deviceIds.includes(deviceId)) users.set(deviceId, (users.get(deviceId) ?? new Set()).add(accountId));
    }
    return Promise.resolve(new Map([...users].map(([deviceId, accounts]) => [deviceId, accounts.size])));
  }

  virtualShopsOf(streamIds: readonly string[], minVirtual: number): Promise<string[]> {
    const merchants = new Set(this.orders.filter((order) => streamIds.includes(order.streamId) && order.merchantId !== null).map((order) => order.merchantId as string));
    return Promise.resolve([...merchants].filter((merchantId) => this.orders.filter((order) => order.merchantId === merchantId && order.virtual).length >= minVirtual).sort());
  }

  ordersOfMerchant(merchantId: string, limit: number): Promise<PromotionOrderFact[]> {
    this.shopsRead.push(merchantId);
    return Promise.resolve(this.orders.filter((order) => order.merchantId === merchantId).slice(0, limit));
  }

  private campaigns(claims: readonly ClaimFact[]): Promise<string[]> {
    return Promise.resolve([...new Set(claims.map((claim) => claim.campaignId))].sort());
  }
}

function claim(accountId: string, campaignId: string, claimedAt: number, extra: Partial<ClaimFact> = {}): ClaimFact {
  return claimFact(accountId, `${campaignId}-${accountId}`, claimedAt, { campaignId, deviceId: `phone-${accountId}`, ...extra });
}

/** A wool party at campaign `drop-1`'s release in st-1: batch sign-ups on cloned apps, eight accounts a phone. */
function woolParty(): { claims: ClaimFact[]; registrations: RegistrationFact[] } {
  const claims: ClaimFact[] = [];
  const registrations: RegistrationFact[] = [];
  for (let i = 0; i < 24; i++) {
    claims.push(claim(`wool-${i}`, 'drop-1', T0 + 20 + i * 15, { deviceId: `clone-phone-${i >> 3}`, tamperedDevice: true }));
    registrations.push({ accountId: `wool-${i}`, registeredAt: T0 - 90 * DAY + i * 20_000, channel: 'sms_invite', deviceId: null, subnet: null });
  }
  return { claims, registrations };
}

/** A shop whose twelve linked accounts buy its game coins and take most of the money back without return. */
function cashOutShop(merchantId: string, streamId: string): PromotionOrderFact[] {
  return Array.from({ length: 36 }, (_, n) => {
    const placedAt = T0 + n * MIN;
    return orderFact(`fake-${n % 12}`, placedAt, {
      merchantId,
      streamId,
      orderId: `${merchantId}-o${n}`,
      deviceId: `op-phone-${n % 3}`,
      paymentAccountHash: `op-card-${n % 2}`,
      virtual: true,
      category: 'game_coins',
      unitPrice: 100_000,
      quantity: 1,
      paidAmount: 100_000,
      refunds: n % 3 < 2 ? [{ amount: 100_000, at: placedAt + 3 * HOUR, returned: false }] : [],
    });
  });
}

function batch(...events: Array<Partial<RoomEvent> & { type: RoomEvent['type'] }>): BatchContext {
  return new BatchContext(events.map((event, i): CommittedEvent => ({ seq: i + 1, event: { id: `e-${i}`, ts: T0, ...event } as RoomEvent })));
}

async function run(facts: InMemoryPromotionFacts, context: BatchContext, change: Partial<LedgerChange> = {}): Promise<Finding[]> {
  context.set(LEDGER_CHANGE, { touchedStreams: new Set(), trailingStreams: new Set(), ...change });
  await new PromotionsStage(facts).run(context);
  return context.findings;
}

describe('the promotions stage', () => {
  it('judges a campaign claimed in the batch on all its stored facts, as the detector would', async () => {
    const { claims, registrations } = woolParty();
    const facts = new InMemoryPromotionFacts([...claims, claim('old-fan', 'quiet-campaign', T0 - DAY, { streamId: 'st-9', roomId: 'room-9' })], [], registrations);
    const findings = await run(facts, batch({ type: 'coupon.claimed', campaignId: 'drop-1', accountId: 'wool-23', deviceId: 'clone-phone-2', streamId: 'st-1', roomId: 'room-1' }));

    const expected = judgeCouponCampaign({ campaignId: 'drop-1', claims, orders: [], registrations: new Map(registrations.map((r) => [r.accountId, r])), deviceUsers: new Map([['clone-phone-0', 8], ['clone-phone-1', 8], ['clone-phone-2', 8]]) }).findings;
    expect(expected.length).toBeGreaterThan(0);
    expect(findings).toEqual(mergeByKey(expected));
    // A campaign of another stream that nothing in the batch touched is not read.
    expect(facts.campaignsRead).toEqual(['drop-1']);
  });

  it('judges the campaigns of a claimer who signs up later, and of a device that gains an account', async () => {
    const { claims, registrations } = woolParty();
    const facts = new InMemoryPromotionFacts(claims, [], registrations);
    await run(facts, batch({ type: 'account.registered', accountId: 'wool-3' } as never));
    expect(facts.campaignsRead).toEqual(['drop-1']);

    const byDevice = new InMemoryPromotionFacts(claims, [], registrations);
    await run(byDevice, batch({ type: 'account.registered', accountId: 'newcomer', deviceId: 'clone-phone-1' } as never));
    expect(byDevice.campaignsRead).toEqual(['drop-1']);
  });

  it('judges the campaigns of a stream whose orders or refunds moved, and leaves the others alone', async () => {
    const { claims, registrations } = woolParty();
    const elsewhere = claims.map((c) => ({ ...c, campaignId: 'drop-2', couponId: `${c.couponId}-2`, streamId: 'st-2', roomId: 'room-2' }));
    const facts = new InMemoryPromotionFacts([...claims, ...elsewhere], [], registrations);
    await run(facts, batch(), { touchedStreams: new Set(['st-2']) });
    expect(facts.campaignsRead).toEqual(['drop-2']);
  });

  it('judges the shops selling virtual goods in the streams the batch touched', async () => {
    const shop = cashOutShop('coin-shop', 'st-3');
    const quiet = cashOutShop('other-shop', 'st-4');
    const facts = new InMemoryPromotionFacts([], [...shop, ...quiet]);
    const findings = await run(facts, batch(), { touchedStreams: new Set(['st-3']) });

    expect(facts.shopsRead).toEqual(['coin-shop']);
    const expected = judgeCashOut({ merchantId: 'coin-shop', orders: shop }).findings;
    expect(expected.some((finding) => finding.subjectType === 'merchant')).toBe(true);
    expect(findings).toEqual(mergeByKey(expected));
  });

  it('merges two findings with one report key: the strongest verdict, both campaigns\' accounts, the earlier time', () => {
    const base: Finding = {
      kind: 'coupon_abuse',
      subjectType: 'room',
      subjectId: 'room-1',
      roomId: 'room-1',
      streamId: 'st-1',
      score: 0.7,
      severity: 'medium',
      summary: 'party at drop-1',
      accounts: ['a', 'b'],
      evidence: { campaignId: 'drop-1' },
      detectedAt: T0 + 5 * MIN,
    };
    const stronger: Finding = { ...base, score: 0.9, severity: 'high', summary: 'party at drop-2', accounts: ['b', 'c'], evidence: { campaignId: 'drop-2' }, detectedAt: T0 + 9 * MIN };
    expect(mergeByKey([base, stronger])).toEqual([{ ...stronger, accounts: ['a', 'b', 'c'], detectedAt: T0 + 5 * MIN }]);
    expect(mergeByKey([stronger, base])).toEqual(mergeByKey([base, stronger]));
  });
});
