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
  /** Refund time; full refund unless `refund` says how much. */
  refundAt?: number;
  refund?: number;
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
    refunds: paid && input.refundAt !== undefined ? [{ amount: input.refund ?? price * quantity, at: input.refundAt }] : [],
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

/** A refunded order of `account` in another stream that ended `daysAgo` days before this one started. */
function elsewhere(account: string, daysAgo: number, ids: { device?: string; phone?: string; address?: string }, refundAfterEnd = 3 * HOUR): AccountHistoryOrder {
  const start = T0 - daysAgo * DAY;
  return {
    accountId: account,
    streamId: `st-before-${daysAgo}`,
    roomId: `room-before-${daysAgo}`,
    merchantId: `m-before-${daysAgo}`,
    deviceId: ids.device ?? `dev-${account}`,
    phoneHash: ids.phone ?? `ph-${account}`,
    addressHash: ids.address ?? `ad-${account}`,
    startedAt: start,
    endedAt: start + HOUR,
    placedAt: start + 10 * MIN,
    paidAt: start + 11 * MIN,
    paidAmount: 29_900,
    refundedAmount: 29_900,
    firstRefundAt: start + HOUR + refundAfterEnd,
  };
}

describe('refund brushing: studios, kickbacks, flash teams and task workers', () => {
  it('flags a studio whose few accounts here are tied by its SIM to the same pattern in other rooms, late refunds included', () => {
    // Two accounts of the studio here, one refunded within hours, one four days later (its empty parcel "arrived").
    const here = [
      order({ account: 'studio-a', at: T0 + 20 * MIN, price: 29_900, phone: 'studio-sim', address: 'locker-9', refundAt: END + 2 * HOUR }),
      order({ account: 'studio-b', at: T0 + 30 * MIN, price: 29_900, phone: 'studio-sim', address: 'locker-9', refundAt: END + 4 * DAY }),
    ];
    // Four more of its accounts did the same last week in other rooms, on the same SIM.
    const history = ['studio-c', 'studio-d', 'studio-e', 'studio-f'].map((account, i) => elsewhere(account, 2 + i, { phone: 'studio-sim', address: 'locker-9' }));
    const users = new Map([
      ['phone:studio-sim', 6],
      ['address:locker-9', 140],
    ]);
    const facts = stream([...honestBuyers(20), ...here]);

    // Without the ring across rooms: two accounts here, one of them late, nothing ties them enough.
    expect(judgeRefundBrushing(facts, history).flaggedAccounts).toEqual([]);
    const verdict = judgeRefundBrushing(facts, history, DEFAULT_REFUND_BRUSHING_CONFIG, users);
    expect(verdict.flaggedAccounts).toEqual(['studio-a', 'studio-b']);
    expect(verdict.accounts.find((a) => a.accountId === 'studio-b')).toMatchObject({
      timing: { pattern: 'late_post_end' },
      operator: { accounts: 6, accountsHere: 2, linkedBy: ['phone'] },
    });
    expect(verdict.findings.find((f) => f.subjectType === 'room')?.accounts).toEqual(['studio-a', 'studio-b']);
  });

  it('does not tie a neighbour to a studio through the locker they both ship to, however few of its users the ledger has seen', () => {
    // The studio: four accounts elsewhere on two SIMs, shipping to the locker; the neighbour here cancelled one order.
    const history = ['s-1', 's-2', 's-3', 's-4'].map((account, i) => elsewhere(account, 1 + i, { phone: `studio-sim-${i % 2}`, address: 'locker-9' }));
    history.push(elsewhere('s-5', 2, { phone: 'studio-sim-0' }));
    const neighbour = order({ account: 'neighbour', at: T0 + 20 * MIN, address: 'locker-9', refundAt: END + 2 * HOUR });
    // Early in the evening the locker has been used by these six alone.
    const users = new Map([
      ['address:locker-9', 5],
      ['phone:studio-sim-0', 3],
      ['phone:studio-sim-1', 2],
    ]);
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), neighbour]), history, DEFAULT_REFUND_BRUSHING_CONFIG, users);
    expect(verdict.accounts).toMatchObject([{ accountId: 'neighbour', operator: null }]);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('does not tie strangers through a parcel locker the neighbourhood ships to', () => {
    const here = ['a', 'b'].map((name, i) => order({ account: `quick-${name}`, at: T0 + (20 + i) * MIN, address: 'locker-9', refundAt: END + 2 * HOUR }));
    const history = ['c', 'd', 'e', 'f'].map((name, i) => elsewhere(`quick-${name}`, 2 + i, { address: 'locker-9' }));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...here]), history, DEFAULT_REFUND_BRUSHING_CONFIG, new Map([['address:locker-9', 140]]));
    expect(verdict.accounts.map((a) => a.operator)).toEqual([null, null]);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('keeps a family clean whose four members each cancelled an order within hours of some stream this month, once here too', () => {
    const family = ['mum', 'dad', 'gran', 'kid'];
    const here = family.map((account, i) =>
      order({ account, at: T0 + (20 + i) * MIN, sku: 'sku-home', address: 'home-7', ip: '192.0.2.44', refundAt: i === 0 ? END + 3 * HOUR : END + (3 + i) * DAY }),
    );
    const history = family.map((account, i) => elsewhere(account, 5 + i, { address: 'home-7' }, (2 + i) * HOUR));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...here]), history, DEFAULT_REFUND_BRUSHING_CONFIG, new Map([['address:home-7', 4]]));
    expect(verdict.accounts.every((a) => a.operator === null)).toBe(true);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('flags a kickback crew: strangers refunded 85 % of the price after the stream, each keeping the same commission', () => {
    const crew = Array.from({ length: 6 }, (_, i) =>
      order({ account: `kick-${i}`, at: T0 + (20 + i * 3) * MIN, price: 39_900, sku: 'sku-kick', refundAt: END + (1 + i) * HOUR, refund: 33_915 }),
    );
    // Fans bought the same item and kept it: the crew is not most of its buyers.
    const fans = Array.from({ length: 20 }, (_, i) => order({ account: `kick-fan-${i}`, at: T0 + (5 + i * 2) * MIN, price: 39_900, sku: 'sku-kick' }));
    const facts = stream([...honestBuyers(30), ...fans, ...crew]);
    const verdict = judgeRefundBrushing(facts, []);
    expect(verdict.flaggedAccounts).toEqual(crew.map((o) => o.accountId));
    expect(verdict.accounts[0]).toMatchObject({ kickback: { keptShare: 0.15, sameShareAccounts: 6, sameAmountAccounts: 6, oddRefundAccounts: 6 } });
    // Each keeping a different share, agreed one by one: six such refunds in one stream are still one scheme...
    const spread = crew.map((o, i) => ({ ...o, refunds: [{ amount: 39_900 - 2_000 * (i + 1) - 7, at: o.refunds[0]!.at }] }));
    const agreed = judgeRefundBrushing(stream([...honestBuyers(30), ...fans, ...spread]), []);
    expect(agreed.flaggedAccounts).toEqual(crew.map((o) => o.accountId));
    expect(agreed.accounts[0]!.kickback).toMatchObject({ sameShareAccounts: 0, sameAmountAccounts: 0, oddRefundAccounts: 6 });
    // ...three are not.
    expect(judgeRefundBrushing(stream([...honestBuyers(30), ...fans, ...spread.slice(0, 3)]), []).flaggedAccounts).toEqual([]);
  });

  it('flags a crew on a cheap task whose organiser keeps over a third: refunded just over half, never whole pieces', () => {
    // Refunded 55–58 % of one piece each: below the whole-refund share, above half, not a piece sent back.
    const crew = Array.from({ length: 5 }, (_, i) =>
      order({ account: `cheap-${i}`, at: T0 + (20 + i * 3) * MIN, price: 19_900, sku: 'sku-cheap', refundAt: END + (1 + i) * HOUR, refund: 10_950 + 150 * i }),
    );
    const fans = Array.from({ length: 20 }, (_, i) => order({ account: `cheap-fan-${i}`, at: T0 + (5 + i * 2) * MIN, price: 19_900, sku: 'sku-cheap' }));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...fans, ...crew]), []);
    expect(verdict.flaggedAccounts).toEqual(crew.map((o) => o.accountId));
    expect(verdict.accounts[0]!.kickback).toMatchObject({ oddRefundAccounts: 5 });
    // Half of a two-piece order back is one piece returned: not in the pattern at all.
    const halves = crew.map((o) => ({ ...o, quantity: 2, paidAmount: 39_800, refunds: [{ amount: 19_900, at: o.refunds[0]!.at }] }));
    expect(judgeRefundBrushing(stream([...honestBuyers(30), ...fans, ...halves]), []).accounts.filter((a) => a.accountId.startsWith('cheap-'))).toEqual([]);
  });

  it('flags a kickback crew keeping the same fee per order, whatever each bought', () => {
    const prices = [29_900, 39_900, 45_900, 52_900, 61_900];
    const crew = prices.map((price, i) =>
      order({ account: `fee-${i}`, at: T0 + (20 + i * 3) * MIN, price, sku: `sku-fee-${i}`, refundAt: END + (1 + i) * HOUR, refund: price - 5_000 }),
    );
    const fans = prices.flatMap((price, i) => Array.from({ length: 4 }, (_, k) => order({ account: `fee-fan-${i}-${k}`, at: T0 + (5 + k) * MIN, price, sku: `sku-fee-${i}` })));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...fans, ...crew]), []);
    expect(verdict.flaggedAccounts).toEqual(crew.map((o) => o.accountId));
    expect(verdict.accounts[0]!.kickback).toMatchObject({ keptPerOrder: 5_000, sameShareAccounts: 0, sameAmountAccounts: 5 });
  });

  it('keeps a fresh-food shop clean that compensates spoiled boxes without return the same evening, at a fixed share or case by case', () => {
    // A same-city shop: delivered within hours, a quarter of its buyers complain, most get part of the price back and keep the box.
    const buyers = Array.from({ length: 60 }, (_, i) => ({ ...order({ account: `fresh-${i}`, at: T0 + 5 * MIN + i * 80 * SEC, price: 12_900 }), category: 'fresh_food' }));
    const compensate = (share: (i: number) => number) =>
      buyers.map((o, i) =>
        i % 4 === 0 ? { ...o, refunds: [{ amount: Math.round(o.paidAmount * share(i)), at: o.paidAt! + (3 + (i % 7)) * HOUR, returned: false }] } : o,
      );
    for (const [policy, share] of [
      ['a fixed 80 % back', () => 0.8],
      ['case by case', (i: number) => 0.5 + ((i * 37) % 40) / 100],
    ] as const) {
      const verdict = judgeRefundBrushing(stream(compensate(share)), []);
      expect({ policy, flagged: verdict.flaggedAccounts }).toEqual({ policy, flagged: [] });
    }
    // The same refunds on goods that were not said to stay with the buyer are still a kickback crew's.
    const kept = compensate(() => 0.8).map((o) => ({ ...o, category: 'apparel', refunds: o.refunds.map(({ amount, at }) => ({ amount, at })) }));
    expect(judgeRefundBrushing(stream(kept), []).flaggedAccounts.length).toBeGreaterThan(0);
  });

  it('keeps colleagues at one office address clean whose fruit spoiled and was refunded in full without return, but not a crew on shared phones', () => {
    // A small office orders fruit to its front desk; a hot day spoils four of six boxes, refunded whole, the box kept.
    const office = Array.from({ length: 6 }, (_, i) => ({
      ...order({ account: `desk-${i}`, at: T0 + (10 + i * 4) * MIN, price: 6_900, address: 'ad-office' }),
      category: 'food',
    }));
    const spoiled = office.map((o, i) => (i < 4 ? { ...o, refunds: [{ amount: o.paidAmount, at: o.paidAt! + (5 + i) * HOUR, returned: false }] } : o));
    expect(judgeRefundBrushing(stream([...honestBuyers(30), ...spoiled]), []).flaggedAccounts).toEqual([]);
    // Spoilage settled in full is honest as often as not, like a return days later: an operator's SIM, that refunded
    // within hours in other rooms, still convicts the same refunds.
    const crew = spoiled.map((o, i) => (i < 4 ? { ...o, phoneHash: 'studio-sim' } : o));
    const history = ['studio-c', 'studio-d', 'studio-e', 'studio-f'].map((account, i) => elsewhere(account, 2 + i, { phone: 'studio-sim' }));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...crew]), history, DEFAULT_REFUND_BRUSHING_CONFIG, new Map([['phone:studio-sim', 8]]));
    expect(verdict.flaggedAccounts).toEqual(['desk-0', 'desk-1', 'desk-2', 'desk-3']);
    expect(verdict.accounts.find((a) => a.accountId === 'desk-0')?.timing.pattern).toBe('late_post_end');
  });

  it('keeps honest partial returns clean: one piece of two, two of three, or a price-protection difference', () => {
    const returns = [
      order({ account: 'half', at: T0 + 20 * MIN, price: 9_900, quantity: 2, refundAt: END + 3 * HOUR, refund: 9_900 }),
      order({ account: 'two-of-three-a', at: T0 + 21 * MIN, price: 9_900, quantity: 3, refundAt: END + 4 * HOUR, refund: 19_800 }),
      order({ account: 'two-of-three-b', at: T0 + 22 * MIN, price: 9_900, quantity: 3, refundAt: END + 5 * HOUR, refund: 19_800 }),
      order({ account: 'two-of-three-c', at: T0 + 23 * MIN, price: 9_900, quantity: 3, refundAt: END + 6 * HOUR, refund: 19_800 }),
      ...Array.from({ length: 5 }, (_, i) => order({ account: `protected-${i}`, at: T0 + (30 + i) * MIN, price: 9_900, refundAt: END + 2 * HOUR, refund: 990 })),
    ];
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...returns]), []);
    // Some pieces back and the rest kept is a return: not even a candidate, whatever share of the money it is.
    expect(verdict.accounts.map((a) => a.accountId)).toEqual([]);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('keeps a coupon order with one piece of two sent back clean, though the discount makes it 60 % of the money paid', () => {
    // 2 × 149.00 less a 50.00 coupon: 248.00 paid, one piece (149.00) refunded. The coupon kept past its
    // threshold is coupon_abuse's full-reduction exploit, judged there; the goods were wanted.
    const wool = Array.from({ length: 14 }, (_, i) => ({
      ...order({ account: `wool-${i}`, at: T0 + (20 + i) * MIN, price: 14_900, quantity: 2, refundAt: END + (1 + i) * 600_000, refund: 14_900, device: 'dev-party' }),
      paidAmount: 24_800,
    }));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...wool]), []);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  /** A flash sale at `at`: the crowd's orders from `crowdFrom` on, one every 300 ms; some refunded in one sitting if `cancelTail`. */
  function flashSale(sku: string, at: number, crowd: number, crowdFrom: number): OrderFact[] {
    return Array.from({ length: crowd }, (_, i) => order({ account: `${sku}-crowd-${i}`, at: at + crowdFrom + i * 300, price: 990, list: 9_900, sku }));
  }

  it("flags a merchant's team that took the opening of each flash sale at the flash price while the crowd kept theirs", () => {
    const staff = ['clerk-a', 'clerk-b', 'clerk-c', 'clerk-d'];
    const orders = [T0 + 20 * MIN, T0 + 50 * MIN].flatMap((at, k) => [
      ...staff.map((account, i) => order({ account, at: at + 200 + i * 150, price: 990, list: 9_900, sku: `flash-${k}`, refundAt: END + (20 + i) * HOUR })),
      ...flashSale(`flash-${k}`, at, 30, 2_000),
    ]);
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...orders]), []);
    expect(verdict.flaggedAccounts).toEqual(staff);
    expect(verdict.accounts[0]).toMatchObject({ flashGrab: { sales: 2, skus: ['flash-0', 'flash-1'] }, overpay: null });
  });

  it('flags the same team when the crowd is as quick as it: the same few refunded in sale after sale', () => {
    const staff = ['clerk-a', 'clerk-b', 'clerk-c', 'clerk-d'];
    const orders = [T0 + 20 * MIN, T0 + 50 * MIN].flatMap((at, k) => [
      ...flashSale(`flash-${k}`, at, 40, 100),
      // In among the crowd, not before it, from the office line, refunded the next day.
      ...staff.map((account, i) =>
        order({ account, at: at + 1_000 + i * 1_500, price: 990, list: 9_900, sku: `flash-${k}`, ip: '203.0.113.60', refundAt: END + (20 + i) * HOUR }),
      ),
    ]);
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...orders]), []);
    expect(verdict.accounts.find((a) => a.accountId === 'clerk-a')?.flashGrab).toMatchObject({ sales: 2, team: 4 });
    expect(verdict.flaggedAccounts).toEqual(staff);
  });

  it("keeps a merchant clean that cancels the oversold tail of its flash sales in one sitting after the stream", () => {
    const orders = [T0 + 20 * MIN, T0 + 50 * MIN].flatMap((at, k) => {
      const sale = flashSale(`flash-${k}`, at, 40, 800);
      // The last fifth oversold: refunded by the merchant an hour after the end, minutes apart.
      for (const [i, o] of sale.slice(32).entries()) o.refunds = [{ amount: o.paidAmount, at: END + HOUR + i * 30 * SEC }];
      return sale;
    });
    // Three fans were in both tails.
    for (const k of [0, 1]) for (let i = 0; i < 3; i++) orders[k * 40 + 33 + i]!.accountId = `fan-in-both-${i}`;
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...orders]), []);
    expect(verdict.accounts.every((a) => a.flashGrab === null)).toBe(true);
    expect(verdict.flaggedAccounts).toEqual([]);
  });

  it('flags task-platform workers: strangers who bought the task’s SKU and were refunded each on their own time', () => {
    const workers = Array.from({ length: 7 }, (_, i) => order({ account: `worker-${i}`, at: T0 + (10 + i * 9) * MIN, price: 25_900, sku: 'sku-task', refundAt: END + (1 + i * 2) * HOUR }));
    const buyers = honestBuyers(8, { prefix: 'task-fan', price: 25_900, list: 25_900 }).map((o) => ({ ...o, skuId: 'sku-task' }));
    // Two of them did tasks in other rooms this month.
    const history = [elsewhere('worker-0', 3, {}), elsewhere('worker-1', 9, {})];
    const facts = stream([...honestBuyers(30), ...buyers, ...workers]);
    const verdict = judgeRefundBrushing(facts, history);
    expect(verdict.flaggedAccounts).toEqual(workers.map((o) => o.accountId));
    expect(verdict.accounts.find((a) => a.accountId === 'worker-5')).toMatchObject({ crossRoom: null, wave: { skuId: 'sku-task', accounts: 7, buyers: 15, backedAccounts: 2 } });
    // Without the two seen elsewhere, a wave alone names no one.
    expect(judgeRefundBrushing(facts, []).flaggedAccounts).toEqual([]);
  });

  it('keeps a batch cancellation of one SKU clean: the merchant refunds everyone in one sitting', () => {
    const buyers = Array.from({ length: 12 }, (_, i) => order({ account: `batch-${i}`, at: T0 + (10 + i * 5) * MIN, sku: 'sku-recalled', refundAt: END + 2 * HOUR + i * SEC }));
    const history = [elsewhere('batch-0', 3, {}), elsewhere('batch-1', 9, {})];
    const verdict = judgeRefundBrushing(stream([...honestBuyers(30), ...buyers]), history);
    expect(verdict.accounts.every((a) => a.wave === null)).toBe(true);
    expect(verdict.flaggedAccounts.filter((account) => !['batch-0', 'batch-1'].includes(account))).toEqual([]);
  });

  it('keeps a lucky-bag draw clean: 1-fen entries refunded in one batch after the stream, entrants on shared pick-up points and in other draws', () => {
    const entrants = Array.from({ length: 60 }, (_, i) =>
      order({ account: `entrant-${i}`, at: T0 + 40 * MIN + i * SEC, price: 1, list: 1, sku: 'lucky-bag', address: `locker-${i % 3}`, refundAt: i < 3 ? undefined : END + 20 * MIN }),
    );
    const history = entrants.slice(0, 20).map((o, i) => ({ ...elsewhere(o.accountId, 1 + (i % 5), { address: o.addressHash! }), paidAmount: 1, refundedAmount: 1 }));
    const verdict = judgeRefundBrushing(stream([...honestBuyers(20), ...entrants]), history, DEFAULT_REFUND_BRUSHING_CONFIG, new Map([0, 1, 2].map((i) => [`address:locker-${i}`, 20])));
    expect(verdict.accounts).toEqual([]);
    expect(verdict.findings).toEqual([]);
  });
});
