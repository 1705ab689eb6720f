import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../engine/finding.js';
import { judgeCashOut } from './cash-out.detector.js';
import { judgeCouponCampaign } from './coupon-abuse.detector.js';
import { claimFact, orderFact } from '../../../test/support/detection/promotion-facts.js';
import type { CampaignFacts, ClaimFact, PromotionOrderFact, RegistrationFact } from './promotion-facts.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const claim = claimFact;
const order = orderFact;

/** A gamed or exchanged coupon order: two pieces of 60 past a 100 threshold, 20 off, one piece refunded at full price. */
function gamedOrder(accountId: string, couponId: string, placedAt: number, refundAt: number, extra: Partial<PromotionOrderFact> = {}): PromotionOrderFact {
  return order(accountId, placedAt, { couponId, discount: 2_000, paidAmount: 10_000, refunds: [{ amount: 6_000, at: refundAt, returned: true }], ...extra });
}

/** Honest claimers: present viewers claiming seconds after the release (median 2.5 s), some very fast. */
function honestRush(releaseAt: number, count: number, seed: number): ClaimFact[] {
  const random = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const delay = Math.max(300, Math.exp(Math.log(2_500) + 0.8 * (random() + random() + random() - 1.5) * 2));
    return claim(`fan-${i}`, `cp-1-h${i}`, releaseAt + Math.round(delay));
  });
}

function facts(claims: ClaimFact[], orders: PromotionOrderFact[], registrations: RegistrationFact[] = []): CampaignFacts {
  return { campaignId: 'cp-1', claims, orders, registrations: new Map(registrations.map((r) => [r.accountId, r])) };
}

const accountFindings = (findings: readonly Finding[]): string[] =>
  findings
    .filter((f) => f.subjectType === 'account')
    .map((f) => f.subjectId)
    .sort();

describe('coupon abuse', () => {
  const releaseAt = T0 + 20 * MINUTE;

  it('leaves an honest rush clean, with its fastest claimers and a size exchange', () => {
    const rush = honestRush(releaseAt, 250, 3);
    // Two people exchange a size: two pieces with the coupon, one returned at its full price days later.
    const exchanges = [gamedOrder('fan-1', 'cp-1-h1', releaseAt + 5 * MINUTE, releaseAt + 3 * DAY), gamedOrder('fan-2', 'cp-1-h2', releaseAt + 6 * MINUTE, releaseAt + 4 * DAY)];
    // A family tablet: three accounts of one household claim from it.
    rush[10] = { ...rush[10]!, deviceId: 'family-tablet' };
    rush[11] = { ...rush[11]!, deviceId: 'family-tablet' };
    rush[12] = { ...rush[12]!, deviceId: 'family-tablet', tamperedDevice: true };
    const verdict = judgeCouponCampaign(facts(rush, exchanges));
    expect(verdict.releaseAt).toBe(Math.min(...rush.map((c) => c.claimedAt)));
    expect(verdict.findings).toEqual([]);
  });

  it('reports a wool party: dormant batch sign-ups on cloned apps grabbing at the release second, its coupons used by others', () => {
    const rush = honestRush(releaseAt + 200, 120, 5);
    const party: ClaimFact[] = [];
    const registrations: RegistrationFact[] = [];
    for (let i = 0; i < 40; i++) {
      party.push(claim(`wool-${i}`, `cp-1-w${i}`, releaseAt + 20 + i * 15, { deviceId: `clone-phone-${i >> 3}`, tamperedDevice: true }));
      registrations.push({ accountId: `wool-${i}`, registeredAt: T0 - 90 * DAY + i * 20 * SECOND, channel: 'sms_invite', deviceId: null, subnet: null });
    }
    const resold = [0, 1, 2].map((i) => order(`buyer-${i}`, releaseAt + 10 * MINUTE, { couponId: `cp-1-w${i}`, discount: 2_000, paidAmount: 10_000 }));
    const verdict = judgeCouponCampaign(facts([...rush, ...party], resold, registrations));
    expect(accountFindings(verdict.findings)).toEqual(party.map((c) => c.accountId).sort());
    const room = verdict.findings.find((f) => f.subjectType === 'room');
    expect(room?.accounts).toHaveLength(40);
    const first = verdict.findings.find((f) => f.subjectId === 'wool-0')!;
    expect(first.evidence.signals).toEqual(expect.arrayContaining(['batchRegistered', 'claimedAtRelease', 'couponUsedByOther', 'sharedDevice', 'tamperedDevice']));
    // Dated by its claim: a batch sign-up claiming at the release second from a cloned app is enough then.
    expect(first.detectedAt).toBe(party[0]!.claimedAt);
  });

  it('reports the partial-refund exploit of a ring shipping to one address, and dates it by the refund', () => {
    const rush = honestRush(releaseAt, 100, 7);
    const ring = Array.from({ length: 6 }, (_, i) => claim(`ring-${i}`, `cp-1-r${i}`, releaseAt + 4 * SECOND + i * 3 * SECOND));
    const orders = ring.map((c, i) => gamedOrder(c.accountId, c.couponId, c.claimedAt + 5 * MINUTE, c.claimedAt + 2 * HOUR + i * MINUTE, { addressHash: 'ad-ring-drop' }));
    const verdict = judgeCouponCampaign(facts([...rush, ...ring], orders));
    expect(accountFindings(verdict.findings)).toEqual(ring.map((c) => c.accountId).sort());
    const one = verdict.findings.find((f) => f.subjectId === 'ring-4')!;
    expect(one.evidence.gamed).toEqual([{ orderId: orders[4]!.orderId, gross: 12_000, minSpend: 10_000, discount: 2_000, refunded: 6_000, discountKept: 2_000 }]);
    expect(one.detectedAt).toBe(orders[4]!.refunds[0]!.at);
  });

  it('does not count a refund that claws the discount back, nor a partial refund that stays over the threshold', () => {
    const ring = Array.from({ length: 6 }, (_, i) => claim(`ring-${i}`, `cp-1-r${i}`, releaseAt + 4 * SECOND + i * 3 * SECOND));
    const clawed = ring.slice(0, 3).map((c) => gamedOrder(c.accountId, c.couponId, c.claimedAt + MINUTE, c.claimedAt + HOUR, { addressHash: 'ad-x', refunds: [{ amount: 4_000, at: c.claimedAt + HOUR, returned: true }] }));
    const over = ring.slice(3).map((c) =>
      gamedOrder(c.accountId, c.couponId, c.claimedAt + MINUTE, c.claimedAt + HOUR, { addressHash: 'ad-x', quantity: 3, paidAmount: 16_000, refunds: [{ amount: 6_000, at: c.claimedAt + HOUR, returned: true }] }),
    );
    const verdict = judgeCouponCampaign(facts(ring, [...clawed, ...over]));
    expect(verdict.accounts.flatMap((a) => a.signals)).not.toContain('discountKept');
  });

  it('counts a phone shared by accounts seen on it anywhere, when only two of them claim this campaign', () => {
    const rush = honestRush(releaseAt + 100, 80, 23);
    const party = Array.from({ length: 10 }, (_, i) => claim(`wool-${i}`, `cp-1-w${i}`, releaseAt + 30 * SECOND + i * 7 * SECOND, { deviceId: `clone-${i >> 1}`, tamperedDevice: true }));
    const deviceUsers = new Map(Array.from({ length: 5 }, (_, i) => [`clone-${i}`, 12] as const));
    expect(judgeCouponCampaign({ ...facts([...rush, ...party], []) }).findings).toEqual([]);
    const verdict = judgeCouponCampaign({ ...facts([...rush, ...party], []), deviceUsers });
    expect(accountFindings(verdict.findings)).toEqual(party.map((c) => c.accountId).sort());
  });

  it("reports a pool's spenders and the claimers whose coupons they pooled, and leaves a parent using the household's clean", () => {
    const rush = honestRush(releaseAt, 200, 41);
    // The party's stock claims the coupons like anyone (no other sign on the claims); two of its accounts spend ten of
    // them, five each, shipping to the party's own address.
    const stock = Array.from({ length: 10 }, (_, i) => claim(`stock-${i}`, `cp-1-s${i}`, releaseAt + 3 * SECOND + i * 700));
    const pooled = stock.map((c, i) => order(`spender-${i % 2}`, releaseAt + (10 + i) * MINUTE, { couponId: c.couponId, discount: 2_000, paidAmount: 10_000, addressHash: 'party-drop' }));
    // Two more of the stock use their own coupons, shipped to the same drop: its third and fourth buyer.
    const own = [10, 11].map((i) => claim(`stock-${i}`, `cp-1-s${i}`, releaseAt + 3 * SECOND + i * 700));
    pooled.push(...own.map((c, i) => order(c.accountId, releaseAt + (25 + i) * MINUTE, { couponId: c.couponId, discount: 2_000, paidAmount: 10_000, addressHash: 'party-drop' })));
    stock.push(...own);
    // A parent spends the coupons of the household's three other accounts, all shipped home.
    // The children are quick: at the release second, as a third of any rush is.
    const home = ['kid-1', 'kid-2', 'kid-3'].map((id, i) => claim(id, `cp-1-k${i}`, releaseAt + 400 + i * 300));
    const parent = home.map((c, i) => order('parent', releaseAt + (30 + i) * MINUTE, { couponId: c.couponId, discount: 2_000, paidAmount: 10_000, addressHash: 'home' }));
    const verdict = judgeCouponCampaign(facts([...rush, ...stock, ...home], [...pooled, ...parent]));
    const named = accountFindings(verdict.findings);
    expect(named).toEqual(expect.arrayContaining(['spender-0', 'spender-1']));
    expect(named.filter((id) => id === 'parent' || id.startsWith('kid-') || id.startsWith('fan-'))).toEqual([]);
    const spender = verdict.findings.find((f) => f.subjectId === 'spender-0')!;
    expect(spender.streamId).toBe('st-1');
    expect(spender.evidence).toMatchObject({ claims: 0, firstClaimAt: null, pooledFrom: 5 });
    expect(spender.evidence.signals).toEqual(expect.arrayContaining(['spentPooledCoupons', 'sharedAddress']));
    // The stock's own claims showed nothing; their coupons going into the pool names them.
    expect(named.filter((id) => id.startsWith('stock-')).length).toBeGreaterThanOrEqual(10);
    expect(verdict.findings.find((f) => f.subjectId === 'stock-0')!.evidence.signals).toEqual(expect.arrayContaining(['couponPooled', 'couponUsedByOther']));
  });

  it('gives the same verdicts whatever order the facts come in', () => {
    const party = Array.from({ length: 12 }, (_, i) => claim(`wool-${i}`, `cp-1-w${i}`, releaseAt + i * 40, { deviceId: `clone-${i >> 2}` }));
    const all = [...honestRush(releaseAt + 100, 60, 11), ...party];
    const shuffled = [...all].sort((a, b) => (a.couponId < b.couponId ? 1 : -1));
    expect(judgeCouponCampaign(facts(shuffled, [])).findings).toEqual(judgeCouponCampaign(facts(all, [])).findings);
  });
});

describe('cash-out', () => {
  function honestBuyers(prefix: string, count: number, virtual: boolean, seed: number, refundShare: number, returned: boolean | null): PromotionOrderFact[] {
    const random = rng(seed);
    return Array.from({ length: count }, (_, i) => {
      const placedAt = T0 + Math.round(random() * HOUR);
      const paid = 10_000 + Math.round(random() * 5) * 10_000;
      const refunded = random() < refundShare;
      return order(`${prefix}-${i}`, placedAt, {
        virtual,
        category: virtual ? 'gift_card' : 'food',
        unitPrice: paid,
        quantity: 1,
        paidAmount: paid,
        refunds: refunded ? [{ amount: paid, at: placedAt + 30 * HOUR, returned }] : [],
      });
    });
  }

  it('reports a shop whose linked accounts buy its gift cards and take the money back without return', () => {
    const honest = honestBuyers('fan', 40, true, 13, 0.04, false);
    const fakes: PromotionOrderFact[] = [];
    for (let i = 0; i < 12; i++) {
      for (let n = 0; n < 3; n++) {
        const placedAt = T0 + (i * 3 + n) * MINUTE;
        fakes.push(
          order(`fake-${i}`, placedAt, {
            deviceId: `op-phone-${i % 3}`,
            paymentAccountHash: `op-card-${i % 2}`,
            virtual: true,
            category: 'game_coins',
            unitPrice: 100_000,
            quantity: 1,
            paidAmount: 100_000,
            refunds: n < 2 ? [{ amount: 100_000, at: placedAt + 3 * HOUR, returned: false }] : [],
          }),
        );
      }
    }
    const verdict = judgeCashOut({ merchantId: 'm-1', orders: [...honest, ...fakes] });
    expect(verdict.flagged).toBe(true);
    expect(verdict.accounts).toEqual(Array.from({ length: 12 }, (_, i) => `fake-${i}`).sort());
    const merchant = verdict.findings.find((f) => f.subjectType === 'merchant')!;
    expect(merchant.streamId).toBeNull();
    expect(merchant.evidence.linkedRefundedShare).toBeCloseTo(2 / 3, 2);
    // Dated by event time, within the facts (the third refunds in: no wall clock).
    expect(merchant.detectedAt).toBeGreaterThan(T0);
    expect(merchant.detectedAt).toBeLessThan(T0 + 2 * DAY);
    expect(verdict.findings.filter((f) => f.subjectType === 'account')).toHaveLength(12);
  });

  it('reports a ring of linked accounts hidden in a busy gift-card shop, whose honest sales dilute every share', () => {
    const busy = honestBuyers('gamer', 400, true, 29, 0.03, false);
    const ring = Array.from({ length: 8 }, (_, i) =>
      order(`ring-${i}`, T0 + i * MINUTE, { deviceId: `op-${i % 2}`, paymentAccountHash: 'op-card', virtual: true, unitPrice: 100_000, quantity: 1, paidAmount: 100_000, refunds: [{ amount: 100_000, at: T0 + 2 * HOUR, returned: false }] }),
    );
    const verdict = judgeCashOut({ merchantId: 'm-busy', orders: [...busy, ...ring] });
    expect(verdict.evidence.linkedShare).toBeLessThan(0.3);
    expect(verdict.flagged).toBe(true);
    expect(verdict.accounts).toEqual(ring.map((o) => o.accountId).sort());
  });

  it("reports a shop that keeps the cash: an operator's accounts on a few phones and cards buy its dear codes again and again, nothing back", () => {
    const honest = honestBuyers('fan', 60, true, 31, 0.04, false);
    const fakes: PromotionOrderFact[] = [];
    for (let i = 0; i < 10; i++) {
      for (let n = 0; n < 3; n++) {
        fakes.push(
          order(`kept-${i}`, T0 + (i * 3 + n) * MINUTE, { deviceId: `op-phone-${i % 3}`, paymentAccountHash: `credit-${i % 2}`, virtual: true, category: 'gift_card', unitPrice: 80_000, quantity: 1, paidAmount: 80_000 }),
        );
      }
    }
    const verdict = judgeCashOut({ merchantId: 'm-kept', orders: [...honest, ...fakes] });
    expect(verdict.flagged).toBe(true);
    expect(verdict.evidence.signals).toEqual(expect.arrayContaining(['operatorGroup', 'linkedBuyers', 'repeatLinkedBuyers']));
    expect(verdict.evidence.signals).not.toContain('linkedRefundsWithoutReturn');
    expect(verdict.accounts).toEqual(Array.from({ length: 10 }, (_, i) => `kept-${i}`).sort());
    expect(verdict.findings.find((f) => f.subjectType === 'merchant')!.summary).toContain('took nothing back');
  });

  it('leaves a gift-card shop clean whose office colleagues share the company card, each buying one code', () => {
    const shop = honestBuyers('gamer', 40, true, 37, 0.04, false);
    // Eight colleagues on the company card: an operator-sized group, a third of the money, but one code each.
    const office = Array.from({ length: 8 }, (_, i) =>
      order(`colleague-${i}`, T0 + i * 5 * MINUTE, { paymentAccountHash: 'company-card', virtual: true, category: 'gift_card', unitPrice: 100_000, quantity: 1, paidAmount: 100_000 }),
    );
    const verdict = judgeCashOut({ merchantId: 'm-office', orders: [...shop, ...office] });
    expect(verdict.evidence.signals).toEqual(expect.arrayContaining(['operatorGroup', 'linkedBuyers']));
    expect(verdict.findings).toEqual([]);
  });

  it('leaves an honest gift-card shop and a fresh-food shop with many refunds without return clean', () => {
    const giftCards = honestBuyers('gamer', 80, true, 17, 0.05, false);
    // Households: three people on one tablet buy a card each.
    for (const i of [1, 2, 3]) giftCards[i] = { ...giftCards[i]!, deviceId: 'home-tablet' };
    expect(judgeCashOut({ merchantId: 'm-gift', orders: giftCards }).findings).toEqual([]);
    const food = honestBuyers('cook', 120, false, 19, 0.3, false);
    expect(judgeCashOut({ merchantId: 'm-food', orders: food }).findings).toEqual([]);
  });
});

describe('promotion evidence fields', () => {
  it('gives every field a label in English and Chinese', async () => {
    const file = pathToFileURL(path.resolve(process.cwd(), 'src/console/public/js/evidence-fields.js')).href;
    const { fieldOf, labelOf } = (await import(file)) as { fieldOf(parent: string | null, key: string): unknown; labelOf(parent: string | null, key: string, lang: string): string | null };
    const releaseAt = T0;
    const party = Array.from({ length: 10 }, (_, i) => claim(`wool-${i}`, `cp-1-w${i}`, releaseAt + i * 30, { deviceId: 'clone', tamperedDevice: true }));
    const gamed = [gamedOrder('wool-0', 'cp-1-w0', releaseAt + MINUTE, releaseAt + HOUR)];
    const coupon = judgeCouponCampaign(facts(party, gamed)).findings;
    const fakes = Array.from({ length: 12 }, (_, i) =>
      order(`fake-${i}`, T0 + i * MINUTE, { deviceId: 'op', virtual: true, paidAmount: 100_000, unitPrice: 100_000, quantity: 1, refunds: [{ amount: 100_000, at: T0 + HOUR, returned: false }] }),
    );
    const cash = judgeCashOut({ merchantId: 'm-1', orders: fakes }).findings;
    const kinds = new Set([...coupon, ...cash].map((f) => `${f.kind}:${f.subjectType}`));
    expect([...kinds].sort()).toEqual(['cash_out:account', 'cash_out:merchant', 'coupon_abuse:account', 'coupon_abuse:room']);
    const paths = new Set<string>();
    const walk = (value: unknown, parent: string | null): void => {
      if (Array.isArray(value)) return value.forEach((item) => walk(item, parent));
      if (typeof value !== 'object' || value === null) return;
      for (const [key, item] of Object.entries(value)) {
        paths.add(`${parent ?? ''}\u0000${key}`);
        walk(item, key);
      }
    };
    for (const finding of [...coupon, ...cash]) walk(finding.evidence, null);
    const missing = [...paths].map((p) => p.split('\u0000') as [string, string]).filter(([parent, key]) => fieldOf(parent || null, key) === null || labelOf(parent || null, key, 'zh') === null);
    expect(missing).toEqual([]);
  });
});
