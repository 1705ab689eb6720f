import { waitForBacklogZero } from './support/status.js';
import { eventually } from './support/eventually.js';
import { sendBatch, startTestApp, type TestApp } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const SECOND = 1_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Report {
  id: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  streamId: string | null;
  version: number;
  accounts: string[];
  detectedAt: number;
  evidence: Record<string, unknown>;
}

type Audit = { merchantId: string; verified: Record<string, number | null> };

/** One stream of a shop: its start and end. */
function stream(streamId: string, roomId: string, merchantId: string, start: number, end: number): unknown[] {
  return [
    { id: `${streamId}-start`, type: 'stream.started', roomId, streamId, ts: start, merchantId },
    { id: `${streamId}-end`, type: 'stream.ended', roomId, streamId, ts: end },
  ];
}

interface OrderSpec {
  streamId: string;
  roomId: string;
  orderId: string;
  accountId: string;
  at: number;
  unitPrice: number;
  quantity: number;
  discount?: number;
  couponId?: string;
  addressHash?: string;
  deviceId?: string;
  paymentAccountHash?: string;
  virtual?: boolean;
  category?: string;
}

function order(spec: OrderSpec): unknown[] {
  const { streamId, roomId, orderId, accountId, at } = spec;
  const paid = spec.unitPrice * spec.quantity - (spec.discount ?? 0);
  return [
    {
      id: `${orderId}-placed`,
      type: 'order.placed',
      roomId,
      streamId,
      ts: at,
      accountId,
      deviceId: spec.deviceId ?? `dev-${accountId}`,
      orderId,
      skuId: spec.virtual ? 'sku-card' : 'sku-shirt',
      quantity: spec.quantity,
      unitPrice: spec.unitPrice,
      listPrice: spec.unitPrice,
      currency: 'CNY',
      phoneHash: `ph-${accountId}`,
      addressHash: spec.addressHash ?? `ad-${accountId}`,
      paymentAccountHash: spec.paymentAccountHash ?? `pa-${accountId}`,
      virtual: spec.virtual ?? false,
      category: spec.category ?? 'apparel',
      ...(spec.couponId ? { couponId: spec.couponId, discount: spec.discount ?? 0 } : {}),
    },
    { id: `${orderId}-paid`, type: 'order.paid', roomId, streamId, ts: at + 20 * SECOND, accountId, orderId, amount: paid },
  ];
}

function refund(spec: Pick<OrderSpec, 'streamId' | 'roomId' | 'orderId' | 'accountId'>, at: number, amount: number, returned: boolean, reason: string, suffix = 'a'): unknown {
  return { id: `${spec.orderId}-refund-${suffix}`, type: 'order.refunded', roomId: spec.roomId, streamId: spec.streamId, ts: at, accountId: spec.accountId, orderId: spec.orderId, amount, returned, reason };
}

function claim(streamId: string, roomId: string, accountId: string, couponId: string, at: number, campaignId: string): unknown {
  return { id: `claim-${couponId}`, type: 'coupon.claimed', roomId, streamId, ts: at, accountId, deviceId: `dev-${accountId}`, couponId, campaignId, value: 2_000, minSpend: 10_000 };
}

describe('promotion abuse and cash-out', () => {
  let harness: TestApp;
  let ingestKey: string;
  let reviewerKey: string;

  beforeAll(async () => {
    harness = await startTestApp('promotions');
    ingestKey = (await harness.createKey('ingest')).key;
    reviewerKey = (await harness.createKey('reviewer')).key;
  });

  afterAll(async () => {
    await harness.close();
  });

  const send = async (events: unknown[]): Promise<void> => {
    const ack = await sendBatch(harness, ingestKey, events);
    expect(ack.rejected).toEqual([]);
  };

  async function reports(query: Record<string, string>): Promise<Report[]> {
    const response = await fetch(`${harness.baseUrl}/v1/reports?${new URLSearchParams({ limit: '200', ...query }).toString()}`, { headers: { authorization: `Bearer ${reviewerKey}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Report[] }).items;
  }

  async function audit(streamId: string, key = reviewerKey): Promise<{ status: number; body: Audit }> {
    const response = await fetch(`${harness.baseUrl}/v1/streams/${encodeURIComponent(streamId)}/sales-audit`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Audit };
  }

  it('reports the partial-refund exploit: a ring games "100 off 20" and ships to one address; an honest size exchange in the same rush stays clean', async () => {
    const s = { streamId: 'st-coupon', roomId: 'room-coupon' };
    const release = T0 + 10 * MIN;
    const events: unknown[] = [...stream(s.streamId, s.roomId, 'm-coupon', T0, T0 + HOUR)];
    // An honest rush: forty viewers claim seconds after the release.
    for (let i = 0; i < 40; i++) events.push(claim(s.streamId, s.roomId, `fan-${i}`, `cp-h-${i}`, release + 800 + i * 350, 'cp-big'));
    // One of them exchanges a size: two shirts of 60 with the coupon (100 off 20), one returned days later at its full price.
    const exchange = { ...s, orderId: 'o-exchange', accountId: 'fan-3' };
    events.push(...order({ ...exchange, at: release + 5 * MIN, unitPrice: 6_000, quantity: 2, couponId: 'cp-h-3', discount: 2_000 }));
    events.push(refund(exchange, release + 3 * DAY, 6_000, true, 'size exchange'));
    // The ring: six accounts, the same scheme each, the rest shipped to one drop address.
    const ring = Array.from({ length: 6 }, (_, i) => ({ ...s, orderId: `o-ring-${i}`, accountId: `ring-${i}` }));
    ring.forEach((member, i) => {
      events.push(claim(s.streamId, s.roomId, member.accountId, `cp-r-${i}`, release + 6 * SECOND + i * 4 * SECOND, 'cp-big'));
      events.push(...order({ ...member, at: release + (2 + i) * MIN, unitPrice: 6_000, quantity: 2, couponId: `cp-r-${i}`, discount: 2_000, addressHash: 'ad-drop' }));
      events.push(refund(member, release + (3 + i) * HOUR, 6_000, i % 2 === 0, 'changed my mind'));
    });
    await send(events);
    await waitForBacklogZero(harness.baseUrl);

    const found = await reports({ kind: 'coupon_abuse', streamId: s.streamId });
    const accounts = found.filter((r) => r.subjectType === 'account');
    expect(accounts.map((r) => r.subjectId).sort()).toEqual(ring.map((m) => m.accountId).sort());
    const one = accounts.find((r) => r.subjectId === 'ring-2')!;
    expect(one.evidence.signals).toEqual(expect.arrayContaining(['discountKept', 'sharedAddress', 'gamedAtSharedAddress']));
    expect(one.evidence.gamed).toEqual([{ orderId: 'o-ring-2', gross: 12_000, minSpend: 10_000, discount: 2_000, refunded: 6_000, discountKept: 2_000 }]);
    // Dated by event time: the refund that completed the picture, not the wall clock.
    expect(one.detectedAt).toBe(release + 5 * HOUR);
    const room = found.find((r) => r.subjectType === 'room');
    expect(room?.accounts.sort()).toEqual(ring.map((m) => m.accountId).sort());
    // The honest exchange is not named anywhere.
    expect(found.flatMap((r) => [r.subjectId, ...r.accounts])).not.toContain('fan-3');
    const { body } = await audit(s.streamId);
    // Seven coupon orders, 20 off each; the money of the six named accounts (100 each).
    expect(body.verified).toMatchObject({ couponDiscounts: 7 * 2_000, suspectedCouponAbuse: 6 * 10_000, virtualPaid: 0, virtualShare: 0 });
  }, 60_000);

  it('reports a cash-out shop, and a refund without return days later updates its audit and its report; a merchant sees only its own figures', async () => {
    const shop = { streamId: 'st-cash', roomId: 'room-cash' };
    const giftShop = { streamId: 'st-gift', roomId: 'room-gift' };
    const events: unknown[] = [...stream(shop.streamId, shop.roomId, 'm-cash', T0, T0 + 2 * HOUR), ...stream(giftShop.streamId, giftShop.roomId, 'm-gift', T0, T0 + 2 * HOUR)];
    // Twelve accounts on three phones, two cards, each buying three 1,000-yuan game-coin packs; two of three taken back at once.
    const fakes: OrderSpec[] = [];
    for (let i = 0; i < 12; i++) {
      for (let n = 0; n < 3; n++) {
        const spec: OrderSpec = { ...shop, orderId: `o-cash-${i}-${n}`, accountId: `fake-${i}`, at: T0 + (i * 3 + n + 1) * MIN, unitPrice: 100_000, quantity: 1, virtual: true, category: 'game_coins', deviceId: `op-phone-${i % 3}`, paymentAccountHash: `op-card-${i % 2}` };
        fakes.push(spec);
        events.push(...order(spec));
        if (n < 2 && !(i === 11 && n === 1)) events.push(refund(spec, spec.at + 10 * MIN, 100_000, false, 'code not received'));
      }
    }
    // Real viewers buy a few cards there, and plenty at the honest gift-card shop next door (one refund without return).
    for (let i = 0; i < 6; i++) events.push(...order({ ...shop, orderId: `o-cash-fan-${i}`, accountId: `cash-fan-${i}`, at: T0 + (40 + i) * MIN, unitPrice: 10_000, quantity: 1, virtual: true, category: 'gift_card' }));
    for (let i = 0; i < 30; i++) events.push(...order({ ...giftShop, orderId: `o-gift-${i}`, accountId: `gamer-${i}`, at: T0 + (1 + i) * MIN, unitPrice: 20_000, quantity: 1, virtual: true, category: 'gift_card' }));
    events.push(refund({ ...giftShop, orderId: 'o-gift-4', accountId: 'gamer-4' }, T0 + 3 * HOUR, 20_000, false, 'code not delivered'));
    await send(events);
    await waitForBacklogZero(harness.baseUrl);

    const merchantReport = async (): Promise<Report | undefined> => (await reports({ kind: 'cash_out', subjectType: 'merchant' })).find((r) => r.subjectId === 'm-cash');
    const before = (await merchantReport())!;
    expect(before.streamId).toBeNull();
    expect(before.accounts).toEqual(Array.from({ length: 12 }, (_, i) => `fake-${i}`).sort());
    const accountReports = (await reports({ kind: 'cash_out', subjectType: 'account' })).map((r) => r.subjectId);
    expect(accountReports.sort()).toEqual(before.accounts);
    // The honest gift-card shop is not reported.
    expect((await reports({ kind: 'cash_out' })).some((r) => r.subjectId === 'm-gift' || r.streamId === giftShop.streamId)).toBe(false);
    const auditBefore = (await audit(shop.streamId)).body.verified;
    expect(auditBefore).toMatchObject({ refundedWithoutReturn: 23 * 100_000, virtualPaid: 36 * 100_000 + 6 * 10_000, virtualShare: 1, suspectedCashOut: 36 * 100_000 });

    // Days later the platform refunds fake-11's second pack without return.
    const late = fakes.find((spec) => spec.orderId === 'o-cash-11-1')!;
    await send([refund(late, T0 + 4 * DAY, 100_000, false, 'code not received')]);
    await eventually('the late refund in the cash-out audit', async () => expect((await audit(shop.streamId)).body.verified.refundedWithoutReturn).toBe(24 * 100_000));
    await waitForBacklogZero(harness.baseUrl);
    const after = (await merchantReport())!;
    expect(after.id).toBe(before.id);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.evidence.refundedWithoutReturn).toBe(24 * 100_000);
    expect(after.detectedAt).toBe(before.detectedAt);

    // Each merchant reads its own figures only.
    const cashKey = (await harness.createKey('merchant', 'm-cash')).key;
    const giftKey = (await harness.createKey('merchant', 'm-gift')).key;
    const own = await audit(giftShop.streamId, giftKey);
    expect(own.status).toBe(200);
    expect(own.body.verified).toMatchObject({ refundedWithoutReturn: 20_000, virtualPaid: 30 * 20_000, suspectedCashOut: 0 });
    expect((await audit(shop.streamId, giftKey)).status).toBe(404);
    expect((await audit(giftShop.streamId, cashKey)).status).toBe(404);
    expect((await audit(shop.streamId, cashKey)).body.merchantId).toBe('m-cash');
  }, 60_000);
});
