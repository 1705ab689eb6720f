import type { RoomEvent } from '../events/event.schema.js';
import { computeFeatures, type DecisionEvent } from './decision-features.js';
import { DecisionProfiles } from './decision-profiles.js';

const T0 = 1_764_100_000_000;
const inputs = (profiles: DecisionProfiles) => ({ profiles, standing: { open: 0, confirmed: 0, ringId: null }, lists: { block: false, gray: false, allow: false } });
const joined = (i: number, over: Record<string, unknown> = {}) =>
  ({ id: `j${i}`, type: 'viewer.joined', roomId: 'r', streamId: 's', ts: T0 + i, accountId: `a${i}`, deviceId: 'dev', ip: '10.0.0.1', ...over }) as RoomEvent;
const order = (over: Record<string, unknown> = {}) =>
  ({ id: 'o', type: 'order.placed', roomId: 'r', streamId: 's', ts: T0 + 60_000, accountId: 'a9', orderId: 'ord', skuId: 'sku', quantity: 1, unitPrice: 1, listPrice: 2, currency: 'CNY', ...over }) as DecisionEvent;

describe('decision features', () => {
  it("reads an order's coupon against its claim: under the threshold, spent twice, claimed by another, a pool's spender", () => {
    const profiles = new DecisionProfiles();
    const claimed = (i: number, accountId: string, campaignId = 'camp') =>
      ({ id: `c${i}`, type: 'coupon.claimed', roomId: 'r', streamId: 's', ts: T0 + i, accountId, couponId: `cp${i}`, campaignId, value: 2_000, minSpend: 10_000 }) as RoomEvent;
    for (const i of [1, 2, 3, 4, 5]) profiles.apply(claimed(i, `stock${i}`));
    profiles.apply(claimed(6, 'a9'));
    profiles.apply(claimed(7, 'elsewhere', 'other-campaign'));
    expect(computeFeatures(order(), inputs(profiles)).coupon).toEqual({ claimedByOther: null, belowMinSpend: null, otherUses: null, pooledFrom: null });
    // Its own coupon, over the threshold: nothing to say.
    expect(computeFeatures(order({ couponId: 'cp6', unitPrice: 6_000, quantity: 2 }), inputs(profiles)).coupon).toEqual({ claimedByOther: false, belowMinSpend: false, otherUses: 0, pooledFrom: 0 });
    // Under the threshold.
    expect(computeFeatures(order({ couponId: 'cp6', unitPrice: 6_000, quantity: 1 }), inputs(profiles)).coupon.belowMinSpend).toBe(true);
    // Spending the stock's coupons one after another: the fourth other claimer makes a pool; another campaign's does not count.
    for (const i of [1, 2, 3]) profiles.apply(order({ id: `u${i}`, orderId: `u${i}`, couponId: `cp${i}`, unitPrice: 10_000 }));
    profiles.apply(order({ id: 'u7', orderId: 'u7', couponId: 'cp7', unitPrice: 10_000 }));
    const fourth = order({ id: 'u4', orderId: 'u4', couponId: 'cp4', unitPrice: 10_000 });
    expect(computeFeatures(fourth, inputs(profiles)).coupon).toEqual({ claimedByOther: true, belowMinSpend: false, otherUses: 0, pooledFrom: 4 });
    // The same answer once the order is folded in (a resend), and a second order on the same coupon sees it used.
    profiles.apply(fourth);
    expect(computeFeatures(fourth, inputs(profiles)).coupon).toEqual({ claimedByOther: true, belowMinSpend: false, otherUses: 0, pooledFrom: 4 });
    expect(computeFeatures(order({ id: 'again', orderId: 'again', accountId: 'b1', couponId: 'cp4', unitPrice: 10_000 }), inputs(profiles)).coupon.otherUses).toBe(1);
  });

  it('counts accounts and IPs seen with a device, IP and subnet, the request included once', () => {
    const profiles = new DecisionProfiles();
    for (const i of [1, 2, 3]) profiles.apply(joined(i, { ip: `10.0.0.${i}` }));
    const event = order({ deviceId: 'dev', ip: '10.0.0.1' });
    const features = computeFeatures(event, inputs(profiles));
    expect(features.device).toMatchObject({ known: true, accountCount: 4, ipCount: 3 });
    expect(features.ip.accountCount).toBe(2);
    expect(features.subnet.accountCount).toBe(4);
    // The same answer once the request's own event is folded in: counts are unions, not increments.
    profiles.apply(event);
    profiles.apply(event);
    expect(computeFeatures(event, inputs(profiles))).toEqual(features);
  });

  it('measures the time since the nearest opening of that SKU in that stream, negative before it, null without a sale', () => {
    const profiles = new DecisionProfiles();
    expect(computeFeatures(order(), inputs(profiles)).sale.msSinceOpen).toBeNull();
    profiles.apply({ id: 'sale1', type: 'sale.opened', roomId: 'r', streamId: 's', ts: T0 + 60_500, skuId: 'sku', salePrice: 1, listPrice: 2, currency: 'CNY', stock: 5, perAccountLimit: 1 } as RoomEvent);
    profiles.apply({ id: 'sale2', type: 'sale.opened', roomId: 'r', streamId: 's', ts: T0 + 3_600_000, skuId: 'sku', salePrice: 1, listPrice: 2, currency: 'CNY', stock: 5 } as RoomEvent);
    expect(computeFeatures(order(), inputs(profiles)).sale).toEqual({ msSinceOpen: -500, perAccountLimit: 1, stock: 5 });
    expect(computeFeatures(order({ ts: T0 + 3_600_200 }), inputs(profiles)).sale.msSinceOpen).toBe(200);
    expect(computeFeatures(order({ streamId: 'other' }), inputs(profiles)).sale.msSinceOpen).toBeNull();
  });

  it('adds the linked accounts\' orders of the SKU (same device or payment account), each order once', () => {
    const profiles = new DecisionProfiles();
    profiles.apply(order({ id: 'p1', accountId: 'b1', orderId: 'x1', quantity: 2, paymentAccountHash: 'card' }));
    profiles.apply(order({ id: 'p2', accountId: 'b2', orderId: 'x2', quantity: 1, deviceId: 'phone' }));
    profiles.apply(order({ id: 'p3', accountId: 'stranger', orderId: 'x3', quantity: 5, ip: '10.0.0.1' }));
    profiles.apply(order({ id: 'p4', accountId: 'me', orderId: 'x4', quantity: 1, deviceId: 'phone' }));
    const features = computeFeatures(order({ accountId: 'me', orderId: 'x5', deviceId: 'phone', paymentAccountHash: 'card', ip: '10.0.0.1' }), inputs(profiles));
    expect(features.order).toEqual({ accountUnits: 2, linkedUnits: 5 });
    expect(features.account.linkedAccounts).toBe(2);
  });

  it('takes the account age from the earliest creation known, the device flags from the request or the device\'s past', () => {
    const profiles = new DecisionProfiles();
    profiles.apply(joined(1, { accountId: 'me', accountCreatedAt: T0 - 3_600_000, device: { rooted: true } }));
    const features = computeFeatures(order({ accountId: 'me', deviceId: 'dev', device: { hooked: true } }), inputs(profiles));
    expect(features.account.ageMs).toBe(60_000 + 3_600_000);
    expect(features.device).toMatchObject({ rooted: true, hooked: true, emulator: false });
    expect(features.account.ringId).toBeNull();
  });
});
