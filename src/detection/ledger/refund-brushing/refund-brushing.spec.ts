import type { AccountHistoryOrder, OrderFact, StreamOrderFacts } from '../order-facts.js';
import { effectiveStreamEnd, judgeRefundBrushing, refundPattern, timingCandidates } from './refund-brushing.detector.js';
import { DEFAULT_REFUND_BRUSHING_CONFIG } from './refund-brushing.config.js';

const T0 = 1_764_000_000_000;
const SEC = 1_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const END = T0 + 90 * MIN;

let orderSeq = 0;

interface OrderInput {
  account: string;
  at: number;
  price?: number;
  list?: number;
  quantity?: number;
  sku?: string;
  device?: string;
  ip?: string;
  phone?: string;
  address?: string;
  paid?: boolean;
  /** Refund time; full refund. */
  refundAt?: number;
}

function order(input: OrderInput): OrderFact {
  orderSeq++;
  const quantity = input.quantity ?? 1;
  const price = input.price ?? 19_900;
  const paid = input.paid ?? true;
  const ip = input.ip ?? `198.51.${orderSeq % 250}.${(orderSeq * 7) % 250}`;
  return {
    orderId: `o-${orderSeq}`,
    accountId: input.account,
    deviceId: input.device ?? `dev-${input.account}`,
    ip,
    subnet: `${ip.split('.').slice(0, 3).join('.')}.0/24`,
    phoneHash: input.phone ?? `ph-${input.account}`,
    addressHash: input.address ?? `ad-${input.account}`,
    skuId: input.sku ?? 'sku-hero',
    quantity,
    unitPrice: price,
    listPrice: input.list ?? price,
    placedAt: input.at,
    paidAt: paid ? input.at + 20 * SEC : null,
    paidAmount: paid ? price * quantity : 0,
    refunds: paid && input.refundAt !== undefined ? [{ amount: price * quantity, at: input.refundAt }] : [],
  };
}

function stream(orders: OrderFact[], overrides: Partial<StreamOrderFacts> = {}): StreamOrderFacts {
  return { roomId: 'room-1', streamId: 'st-1', merchantId: 'm-1', startedAt: T0, endedAt: END, orders, ...overrides };
}

/** Unrelated honest buyers: own phone, own address, own network; a share returns after delivery. */
function honestBuyers(count: number, options: { refundShare?: number; prefix?: string; price?: number; list?: number } = {}): OrderFact[] {
  const refundEvery = options.refundShare ? Math.round(1 / options.refundShare) : 0;
  return Array.from({ length: count }, (_, i) =>
    order({
      account: `${options.prefix ?? 'fan'}-${i}`,
      at: T0 + 5 * MIN + i * 61 * SEC,
      price: options.price ?? 15_900,
      list: options.list ?? 19_900,
      // Returns after the parcel arrives: 2.5 to 10 days, spread.
      refundAt: refundEvery > 0 && i % refundEvery === 0 ? END + 2 * DAY + 12 * HOUR + ((i * 37) % 8) * DAY + i * HOUR : undefined,
    }),
  );
}

describe('refund brushing', () => {
  it('flags a hired ring: ten accounts on three phones and two addresses, paid during the stream, refunded hours after it', () => {
    const ring = Array.from({ length: 10 }, (_, i) =>
      order({
        account: `ring-${i}`,
        at: T0 + 20 * MIN + i * 3 * MIN,
        price: 39_900,
        list: 49_900,
        device: `ring-phone-${i % 3}`,
        phone: `ring-sim-${i % 2}`,
        address: `ring-addr-${i % 2}`,
        ip: i < 8 ? '203.0.113.7' : `100.64.${i}.9`,
        refundAt: END + 30 * MIN + i * 20 * MIN,
      }),
    );
    const facts = stream([...honestBuyers(30, { refundShare: 0.1 }), ...ring]);

    const verdict = judgeRefundBrushing(facts, []);

    expect(verdict.flaggedAccounts).toEqual(ring.map((o) => o.accountId).sort());
    expect(verdict.brushedPaid).toBe(10 * 39_900);
    const room = verdict.findings.find((f) => f.subjectType === 'room')!;
    expect(room).toMatchObject({ kind: 'refund_brushing', subjectId: 'room-1', streamId: 'st-1', severity: expect.stringMatching(/medium|high/) });
    expect(room.accounts).toHaveLength(10);
    expect(room.evidence).toMatchObject({ brushedAmount: 399_000, brushedRefunded: 399_000 });
    const account = verdict.findings.find((f) => f.subjectType === 'account' && f.subjectId === 'ring-3')!;
    expect(account.evidence.signals).toMatchObject({ timing: { pattern: 'fast_post_end' }, ring: { groupSize: 10 } });
    expect(account.detectedAt).toBe(END + 30 * MIN + 3 * 20 * MIN);
  });

  it('flags a merchant team: own phones, one warehouse, the hero item at list price while buyers paid the live price, refunded the next day', () => {
    const staff = Array.from({ length: 6 }, (_, i) =>
      order({
        account: `staff-${i}`,
        at: T0 + 10 * MIN + i * 7 * MIN,
        price: 59_900,
        list: 59_900,
        sku: 'sku-hero',
        ip: `198.18.${i}.${i + 10}`,
        address: 'warehouse-1',
        refundAt: END + 20 * HOUR + i * HOUR,
      }),
    );
    const buyers = honestBuyers(12, { prefix: 'buyer', price: 47_900, list: 59_900 }).map((o) => ({ ...o, skuId: 'sku-hero' }));
    const facts = stream([...buyers, ...staff]);

    const verdict = judgeRefundBrushing(facts, []);

    expect(verdict.flaggedAccounts).toEqual(staff.map((o) => o.accountId).sort());
    const signals = verdict.findings.find((f) => f.subjectId === 'staff-0')!.evidence.signals as Record<string, unknown>;
    expect(signals).toMatchObject({ timing: { pattern: 'post_end' }, ring: { linkedBy: ['address'] }, overpay: { skus: ['sku-hero'] } });
    expect(verdict.findings.find((f) => f.subjectType === 'room')!.evidence).toMatchObject({ brushedAmount: 6 * 59_900 });
  });

  it('flags a merchant team without phone or address hashes: one office line, several orders each, all refunded overnight', () => {
    const staff = Array.from({ length: 5 }, (_, i) =>
      [0, 1, 2].map((k) => ({
        ...order({
          account: `clerk-${i}`,
          at: T0 + 10 * MIN + (i * 3 + k) * 2 * MIN,
          price: 990,
          list: 9_900,
          sku: `sku-flash-${k}`,
          ip: '203.0.113.50',
          refundAt: END + 6 * HOUR + i * HOUR,
        }),
        phoneHash: null,
        addressHash: null,
      })),
    ).flat();
    const verdict = judgeRefundBrushing(stream([...honestBuyers(25), ...staff]), []);
    expect(verdict.flaggedAccounts).toEqual(['clerk-0', 'clerk-1', 'clerk-2', 'clerk-3', 'clerk-4']);
    expect(verdict.accounts[0]).toMatchObject({ ring: { linkedBy: ['ip'] }, repeat: { patternOrders: 3 } });
  });

  it('flags a lone brusher who does the same in rooms of other merchants', () => {
    const brusher = order({ account: 'lone', at: T0 + 30 * MIN, price: 29_900, refundAt: END + 2 * HOUR });
    const history: AccountHistoryOrder[] = [1, 2, 3].map((n) => ({
      accountId: 'lone',
      streamId: `st-other-${n}`,
      roomId: `room-other-${n}`,
      merchantId: `m-other-${n}`,
      startedAt: T0 - n * DAY,
      endedAt: T0 - n * DAY + HOUR,
      placedAt: T0 - n * DAY + 10 * MIN,
      paidAt: T0 - n * DAY + 11 * MIN,
      paidAmount: 25_000,
      refundedAmount: 25_000,
      firstRefundAt: T0 - n * DAY + 3 * HOUR,
    }));
    const facts = stream([...honestBuyers(20), brusher]);

    expect(timingCandidates(facts)).toEqual(['lone']);
    const verdict = judgeRefundBrushing(facts, history);

    expect(verdict.flaggedAccounts).toEqual(['lone']);
    expect(verdict.accounts[0]!.crossRoom).toMatchObject({ rooms: 3, merchants: 3 });
    // One account with a small share of the room's sales: an account report, not a room verdict.
    expect(verdict.findings.map((f) => f.subjectType)).toEqual(['account']);
  });

  it('keeps an honest apparel room clean: many returns, spread over days, from unrelated buyers', () => {
    const facts = stream(honestBuyers(60, { refundShare: 0.45 }));
    // A few honest quick cancellations right after the stream, as real rooms have.
    facts.orders[1]!.refunds = [{ amount: facts.orders[1]!.paidAmount, at: END + 40 * MIN }];
    facts.orders[4]!.refunds = [{ amount: facts.orders[4]!.paidAmount, at: END + 5 * HOUR }];

    const verdict = judgeRefundBrushing(facts, []);

    expect(verdict.findings).toEqual([]);
    // Returns within a week are candidates of the late kind, which nothing but an operator's ring could back.
    expect(verdict.accounts.filter((a) => a.timing.pattern !== 'late_post_end').map((a) => a.accountId)).toEqual(['fan-1', 'fan-4']);
    expect(verdict.accounts.filter((a) => a.timing.pattern === 'late_post_end').length).toBeGreaterThan(10);
  });

  it('keeps an honest flash-sale rush clean: orders within seconds at the flash price, some unpaid, a few mis-taps refunded at once', () => {
    const rush = Array.from({ length: 80 }, (_, i) =>
      order({
        account: `rush-${i}`,
        at: T0 + 40 * MIN + 800 + i * 150,
        price: 990,
        list: 9_900,
        sku: 'sku-flash',
        paid: i % 7 !== 0,
        // Wrong size tapped: refunded within seconds of paying, during the stream.
        refundAt: i % 25 === 3 ? T0 + 40 * MIN + 30 * SEC + i * 150 : undefined,
      }),
    );
    // New buyers behind one carrier NAT address.
    for (const o of rush.slice(0, 30)) o.ip = '117.136.5.20';
    const verdict = judgeRefundBrushing(stream(rush), []);
    expect(verdict.findings).toEqual([]);
  });

  it('keeps a household clean: three family accounts behind one router and one address, two of them cancelling after the stream', () => {
    const family = ['mum', 'dad', 'kid'].map((account, i) =>
      order({ account, at: T0 + 20 * MIN + i * MIN, ip: '192.0.2.44', address: 'home-1', refundAt: i < 2 ? END + 3 * HOUR : undefined }),
    );
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...family]), []);
    expect(verdict.findings).toEqual([]);
  });

  it('does not decide on timing alone, however many strangers refund right after the stream', () => {
    const quick = Array.from({ length: 8 }, (_, i) => order({ account: `quick-${i}`, at: T0 + 20 * MIN + i * MIN, refundAt: END + HOUR + i * MIN }));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...quick]), []);
    expect(verdict.accounts).toHaveLength(8);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('does not link strangers by one exact carrier-NAT address alone', () => {
    const quick = Array.from({ length: 5 }, (_, i) =>
      order({ account: `nat-${i}`, at: T0 + 20 * MIN + i * MIN, sku: 'sku-nat', ip: '117.136.5.20', refundAt: END + HOUR }),
    );
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...quick]), []);
    expect(verdict.accounts[0]!.ring).toMatchObject({ linkedBy: ['ip'], score: 0.239 });
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('keeps quick cancellers clean behind a carrier-NAT block that most of the room’s buyers share, even with one earlier quick refund elsewhere', () => {
    const crowd = honestBuyers(40).map((o, i) => ({ ...o, ip: `117.136.5.${i % 3}`, subnet: '117.136.5.0/24' }));
    const quick = Array.from({ length: 6 }, (_, i) => ({
      ...order({ account: `cgnat-${i}`, at: T0 + 20 * MIN + i * MIN, sku: 'sku-cgnat', ip: `117.136.5.${i % 3}`, refundAt: END + 3 * HOUR }),
      subnet: '117.136.5.0/24',
    }));
    const history: AccountHistoryOrder[] = quick.map((o) => ({
      accountId: o.accountId,
      streamId: `st-before-${o.accountId}`,
      roomId: `room-before-${o.accountId}`,
      merchantId: 'm-before',
      startedAt: T0 - DAY,
      endedAt: T0 - DAY + HOUR,
      placedAt: T0 - DAY + MIN,
      paidAt: T0 - DAY + 2 * MIN,
      paidAmount: 5_000,
      refundedAmount: 5_000,
      firstRefundAt: T0 - DAY + 5 * HOUR,
    }));
    const verdict = judgeRefundBrushing(stream([...crowd, ...quick]), history);
    expect(verdict.accounts.map((a) => a.ring)).toEqual(Array(6).fill(null));
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('waits for the stream end: refunds cannot be judged against an end it has not seen', () => {
    const ring = Array.from({ length: 5 }, (_, i) => order({ account: `r-${i}`, at: T0 + MIN * i, device: 'one-phone', refundAt: T0 + 3 * HOUR }));
    expect(judgeRefundBrushing(stream(ring, { endedAt: null }), []).findings).toEqual([]);
    expect(judgeRefundBrushing(stream(ring), []).flaggedAccounts).toHaveLength(5);
  });

  it('takes a stream without stream.ended as over at its last live event once a refund comes half an hour later', () => {
    expect(effectiveStreamEnd({ endedAt: END, lastActivityAt: END - MIN }, END + 5 * MIN)).toBe(END);
    expect(effectiveStreamEnd({ endedAt: null, lastActivityAt: END }, END + 10 * MIN)).toBeNull();
    expect(effectiveStreamEnd({ endedAt: null, lastActivityAt: END }, END + 2 * HOUR)).toBe(END);
    expect(effectiveStreamEnd({ endedAt: null, lastActivityAt: null }, END + 2 * HOUR)).toBeNull();
  });

  it('counts an order placed in the last minute and paid just after the end as bought in the stream, not one paid an hour later', () => {
    const timing = DEFAULT_REFUND_BRUSHING_CONFIG.timing;
    const lastMinute = { placedAt: END - 30 * SEC, paidAt: END + 2 * MIN, paidAmount: 9_900, refunds: [{ amount: 9_900, at: END + HOUR }] };
    expect(refundPattern(lastMinute, { startedAt: T0, endedAt: END }, timing)).toBe('fast_post_end');
    expect(refundPattern({ ...lastMinute, paidAt: END + HOUR }, { startedAt: T0, endedAt: END }, timing)).toBeNull();
    // A partial return (a fifth kept) is still a refund of the order; half is not.
    expect(refundPattern({ ...lastMinute, refunds: [{ amount: 8_000, at: END + HOUR }] }, { startedAt: T0, endedAt: END }, timing)).toBe('fast_post_end');
    expect(refundPattern({ ...lastMinute, refunds: [{ amount: 4_950, at: END + HOUR }] }, { startedAt: T0, endedAt: END }, timing)).toBeNull();
  });

  it('keeps a merchant-wide cancellation clean: every flash-sale buyer refunded an hour after the end, neighbours behind carrier NAT', () => {
    const buyers = Array.from({ length: 60 }, (_, i) =>
      order({ account: `oversold-${i}`, at: T0 + 30 * MIN + i * 200, price: 990, list: 9_900, sku: 'sku-flash', ip: `117.136.${i % 4}.${i % 6}`, refundAt: END + HOUR + i * 1_000 }),
    );
    const verdict = judgeRefundBrushing(stream(buyers.map((o) => ({ ...o, subnet: `117.136.${Number(o.ip!.split('.')[2])}.0/24` }))), []);
    expect(verdict.accounts).toHaveLength(60);
    expect(verdict.flaggedAccounts).toEqual([]);
  });
});
