import { computeFeatures, type DecisionEvent, type DecisionFeatures } from './decision-features.js';
import { DecisionProfiles } from './decision-profiles.js';
import { checkCondition, compileRule, RuleConditionError } from './decision-rules.js';
import { builtInSignals, combine, decide, type DecisionPolicy } from './risk-scoring.js';

const T0 = 1_764_100_000_000;
const policy: DecisionPolicy = { review: 0.4, reject: 0.8, combine: { 'order.placed': 'sum', 'coupon.claimed': 'max', 'viewer.joined': 'sum', 'account.registered': 'sum' } };
const base = (over: Partial<DecisionFeatures> = {}): DecisionFeatures => {
  const event = { id: 'o', type: 'order.placed', roomId: 'r', streamId: 's', ts: T0, accountId: 'a', orderId: 'x', skuId: 'k', quantity: 1, unitPrice: 1, listPrice: 1, currency: 'CNY' } as DecisionEvent;
  return { ...computeFeatures(event, { profiles: new DecisionProfiles(), standing: { open: 0, confirmed: 0, ringId: null }, lists: { block: false, gray: false, allow: false } }), ...over };
};
const device = (over: Partial<DecisionFeatures['device']>) => ({ ...base().device, ...over });

describe('risk scoring', () => {
  it('never rejects on IP counts, speed, or any one signal alone', () => {
    const crowdedNat = base({ ip: { accountCount: 900 }, subnet: { accountCount: 5_000 } });
    expect(decide(crowdedNat, [], [], policy).decision).toBe('pass');
    const fastFinger = base({ sale: { msSinceOpen: 120, perAccountLimit: 1, stock: 10 } });
    expect(decide(fastFinger, [], [], policy)).toMatchObject({ decision: 'pass', riskCodes: ['machine_speed_after_open'] });
    const household = base({ device: device({ known: true, accountCount: 4 }) });
    expect(decide(household, [], [], policy).riskCodes).toEqual([]);
    for (const single of [device({ hooked: true }), device({ cloudPhone: true }), device({ emulator: true })]) {
      expect(decide(base({ device: single }), [], [], policy).decision).not.toBe('reject');
    }
  });

  it('rejects independent signals together: who (cloud phone), what it shares (a device of many), how it orders (before the opening)', () => {
    const farm = base({ device: device({ cloudPhone: true, accountCount: 12 }), sale: { msSinceOpen: -40, perAccountLimit: 1, stock: 10 } });
    const verdict = decide(farm, [], [], policy);
    expect(verdict.decision).toBe('reject');
    expect(verdict.riskCodes).toEqual(['cloud_phone', 'device_many_accounts', 'before_sale_open']);
    expect(verdict.reasons).toHaveLength(3);
  });

  it("sends a coupon order that breaks the coupon's rule to review, and a household's parent through", () => {
    const coupon = (over: Partial<DecisionFeatures['coupon']>) => base({ coupon: { claimedByOther: false, belowMinSpend: false, otherUses: 0, pooledFrom: 0, ...over } });
    expect(decide(coupon({ belowMinSpend: true }), [], [], policy)).toMatchObject({ decision: 'review', riskCodes: ['coupon_below_min_spend'] });
    expect(decide(coupon({ otherUses: 1 }), [], [], policy)).toMatchObject({ decision: 'review', riskCodes: ['coupon_reused'] });
    expect(decide(coupon({ claimedByOther: true, pooledFrom: 6 }), [], [], policy)).toMatchObject({ decision: 'review', riskCodes: ['coupon_pooled'] });
    // A parent spending the family's three coupons: no pool.
    expect(decide(coupon({ claimedByOther: true, pooledFrom: 3 }), [], [], policy)).toMatchObject({ decision: 'pass', riskCodes: [] });
  });

  it('lets list hits override the score: block rejects, allow passes, gray asks for review', () => {
    const hit = (list: 'block' | 'gray' | 'allow') => ({ id: list, list, type: 'account' as const, value: 'a', reason: null });
    expect(decide(base(), [hit('block')], [], policy).decision).toBe('reject');
    expect(decide(base(), [hit('gray')], [], policy).decision).toBe('review');
    const risky = base({ device: device({ cloudPhone: true, hooked: true, emulator: true }) });
    expect(decide(risky, [hit('allow')], [], policy)).toMatchObject({ decision: 'pass', riskCodes: ['allowlisted', 'emulator', 'hooked', 'cloud_phone'] });
    expect(decide(base(), [hit('allow'), hit('block')], [], policy).decision).toBe('reject');
  });

  it('adds live rules under the policy, records shadow rules without effect', () => {
    const rule = (id: string, mode: 'live' | 'shadow', score: number) =>
      compileRule({ id, description: id, appliesTo: ['order.placed'], when: { '==': [{ var: 'event.quantity' }, 1] }, score, riskCode: id, mode, enabled: true, updatedAt: '' });
    const verdict = decide(base(), [], [rule('s', 'shadow', 0.9), rule('l', 'live', 0.5)], policy);
    expect(verdict).toMatchObject({ decision: 'review', score: 0.5, riskCodes: ['l'], rules: [{ id: 's', score: 0.9, mode: 'shadow' }, { id: 'l', score: 0.5, mode: 'live' }] });
    expect(combine([0.5, 0.7], 'sum')).toBe(1);
    expect(combine([0.5, 0.7], 'max')).toBe(0.7);
    expect(builtInSignals(base())).toEqual([]);
  });

  it('refuses conditions over unknown features or operators', () => {
    expect(checkCondition({ and: [{ var: 'device.emulator' }, { '>': [{ var: ['ip.accountCount', 0] }, 3] }] })).toEqual(['device.emulator', 'ip.accountCount']);
    expect(() => checkCondition({ var: 'account.shoeSize' })).toThrow(RuleConditionError);
    expect(() => checkCondition({ frobnicate: [1] })).toThrow(/frobnicate/);
    expect(() => checkCondition({ a: 1, b: 2 })).toThrow(RuleConditionError);
  });
});
