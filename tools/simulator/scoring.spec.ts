import type { RoomEvent } from '../../src/events/event.schema.js';
import type { SimulatedRoom } from './generator.js';
import { compareAudit, decisionRates, f1, kindsOfStyle, precision, recall, scoreDecisions, scoreReports, type DecisionAnswer } from './scoring.js';
import { flashSaleOrders } from './decisions.js';
import { scorePromotions } from './promotion-scoring.js';
import { MAX_PACED_PAUSE_MS, replaySchedule } from './sender.js';
import type { ApiReport, ApiSalesAudit } from './service-harness.js';

const noAccounts = { injected_viewers: [], scripted_comments: [], refund_brushing: [], inflated_gmv: [], scalper_bot: [], coupon_abuse: [], cash_out: [], account_ring: [] };

function room(streamId: string, overrides: Partial<SimulatedRoom> = {}): SimulatedRoom {
  return {
    roomId: `room-${streamId}`,
    streamId,
    merchantId: 'm1',
    locale: 'zh',
    category: 'food',
    scenario: 'organic',
    attackStyles: [],
    traps: [],
    startTs: 0,
    endTs: 1,
    labels: { kinds: [], accounts: { ...noAccounts } },
    expectedAudit: {
      roomId: `room-${streamId}`,
      streamId,
      merchantId: 'm1',
      currency: 'CNY',
      claimed: { gmv: 900, orders: 2 },
      verified: { orders: 3, paidOrders: 2, refundedOrders: 1, grossAtListPrice: 1500, grossPaid: 1000, refunded: 100, net: 900 },
    },
    events: [],
    ...overrides,
  };
}

let reportSeq = 0;
function report(streamId: string, overrides: Partial<ApiReport>): ApiReport {
  return {
    id: `r-${++reportSeq}`,
    kind: 'injected_viewers',
    subjectType: 'room',
    subjectId: `room-${streamId}`,
    roomId: `room-${streamId}`,
    streamId,
    score: 0.9,
    severity: 'high',
    status: 'open',
    summary: 'x',
    accounts: [],
    evidence: {},
    detectedAt: 0,
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('scoreReports', () => {
  const farm = room('s-farm', {
    scenario: 'emulator_farm',
    attackStyles: ['emulator_farm'],
    labels: { kinds: ['injected_viewers'], accounts: { ...noAccounts, injected_viewers: ['a1', 'a2', 'a3', 'a4'] } },
  });
  const honest = room('s-honest', { scenario: 'organic+lucky_bag' });

  it('counts room and account hits, misses and false alarms per kind', () => {
    const card = scoreReports(
      [farm, honest],
      [
        report('s-farm', { accounts: ['a1', 'a2', 'x9'] }),
        report('s-farm', { subjectType: 'account', subjectId: 'a3', accounts: ['a3'] }),
        report('s-honest', { kind: 'scripted_comments', accounts: ['h1'] }),
      ],
    );
    const injected = card.kinds.find((score) => score.kind === 'injected_viewers')!;
    expect(injected.rooms).toEqual({ tp: 1, fp: 0, fn: 0 });
    expect(injected.accounts).toEqual({ tp: 3, fp: 1, fn: 1 });
    const scripted = card.kinds.find((score) => score.kind === 'scripted_comments')!;
    expect(scripted.rooms).toEqual({ tp: 0, fp: 1, fn: 0 });
    expect(card.organicFalsePositives.map((fp) => fp.streamId)).toEqual(['s-honest']);
    expect(card.styles).toEqual([{ style: 'emulator_farm', kind: 'injected_viewers', rooms: 1, roomsDetected: 1, accounts: { tp: 3, fp: 1, fn: 1 } }]);
    expect(precision(injected.accounts)).toBeCloseTo(0.75);
    expect(recall(injected.accounts)).toBeCloseTo(0.75);
    expect(precision({ tp: 0, fp: 0, fn: 2 })).toBeNull();
  });

  it('counts a missed attacked room as a false negative', () => {
    const card = scoreReports([farm], []);
    expect(card.kinds.find((score) => score.kind === 'injected_viewers')!.rooms).toEqual({ tp: 0, fp: 0, fn: 1 });
  });

  it('scores the kinds in play: a kind no model simulates counts only once something reports it', () => {
    expect(scoreReports([farm, honest], []).kinds.map((score) => score.kind)).toEqual(['injected_viewers', 'scripted_comments', 'refund_brushing', 'inflated_gmv', 'scalper_bot', 'coupon_abuse', 'cash_out']);
    const card = scoreReports([farm, honest], [report('s-honest', { kind: 'account_ring', subjectType: 'account', subjectId: 'h2', accounts: ['h2'] })]);
    expect(card.kinds.find((score) => score.kind === 'account_ring')).toEqual({ kind: 'account_ring', rooms: { tp: 0, fp: 1, fn: 0 }, accounts: { tp: 0, fp: 1, fn: 0 } });
  });

  it('credits a room labelled account_ring with the ring reports (no stream) naming its members, and their members seen in it', () => {
    const joined = (accountId: string): RoomEvent => ({ id: `j-${accountId}`, type: 'viewer.joined', roomId: 'room-s-ring', streamId: 's-ring', ts: 1, accountId }) as RoomEvent;
    const ringRoom = room('s-ring', {
      labels: { kinds: ['account_ring'], accounts: { ...noAccounts, account_ring: ['m1', 'm2', 'm3'] } },
      events: ['m1', 'm2', 'm3', 'fan'].map(joined),
    });
    const other = room('s-other', { labels: { kinds: ['account_ring'], accounts: { ...noAccounts, account_ring: ['x1', 'x2'] } } });
    // One ring report: two of the room's members, one of its honest viewers, and an account seen elsewhere only.
    const ring = report('', { kind: 'account_ring', subjectType: 'ring' as ApiReport['subjectType'], subjectId: 'ring-1', roomId: '', accounts: ['m1', 'm2', 'fan', 'elsewhere'] });
    const card = scoreReports([ringRoom, other, honest], [ring]);
    expect(card.kinds.find((score) => score.kind === 'account_ring')).toEqual({ kind: 'account_ring', rooms: { tp: 1, fp: 0, fn: 1 }, accounts: { tp: 2, fp: 1, fn: 3 } });
  });
});

describe('compareAudit', () => {
  const expected = room('s1').expectedAudit;
  const actual: ApiSalesAudit = {
    ...expected,
    verified: { ...expected.verified, suspectedBrushing: 0 },
    inflation: { amount: 0, ratio: 1 },
  };

  it('accepts an audit equal on every ledger figure, whatever suspectedBrushing says', () => {
    expect(compareAudit(expected, { ...actual, verified: { ...actual.verified, suspectedBrushing: 500 } })).toEqual([]);
    // The held-out model states the brushing money it expects; that is the detectors' figure, not the ledger's.
    const stated = { ...expected, verified: { ...expected.verified, suspectedBrushing: 700 } };
    expect(compareAudit(stated, actual)).toEqual([]);
  });

  it('names each differing figure', () => {
    const mismatches = compareAudit(expected, { ...actual, claimed: null, verified: { ...actual.verified, net: 901 } });
    expect(mismatches).toEqual([
      { field: 'claimed', expected: { gmv: 900, orders: 2 }, actual: null },
      { field: 'verified.net', expected: 900, actual: 901 },
    ]);
  });
});

describe('replaySchedule', () => {
  const at = (ts: number, type: RoomEvent['type'] = 'like'): RoomEvent =>
    ({ id: `e${ts}`, type, roomId: 'r', streamId: 's', ts, accountId: 'a', count: 1 }) as RoomEvent;

  it('paces live events by event time and sends the post-stream tail at once', () => {
    const events = [at(0), at(10_000), at(20_000, 'stream.ended'), at(86_400_000)];
    expect(replaySchedule(events, 10)).toEqual([0, 1_000, 2_000, 2_000]);
    expect(replaySchedule(events, 0)).toEqual([0, 0, 0, 0]);
  });

  it('sends what came before the first stream at once, and shortens a quiet stretch between rooms to a short pause', () => {
    const hour = 3_600_000;
    const events = [at(0, 'account.registered'), at(2 * hour, 'account.registered'), at(5 * hour, 'stream.started'), at(5 * hour + 10_000), at(9 * hour, 'stream.started'), at(9 * hour + 3_000, 'stream.ended')];
    const expected = [0, 0, 0, 10_000 / 300, MAX_PACED_PAUSE_MS + 10_000 / 300, MAX_PACED_PAUSE_MS + 13_000 / 300];
    replaySchedule(events, 300).forEach((offset, i) => expect(offset).toBeCloseTo(expected[i]!, 6));
  });
});

describe('styles labelled for two kinds, and honest traps', () => {
  const allInOne = room('s-aio', {
    scenario: 'all_in_one_farm',
    attackStyles: ['all_in_one_farm'],
    labels: { kinds: ['injected_viewers', 'scripted_comments'], accounts: { ...noAccounts, injected_viewers: ['f1', 'f2', 'f3'], scripted_comments: ['f1'] } },
  });
  const office = room('s-office', { scenario: 'organic+office_wifi', traps: ['office_wifi', 'household'] });
  const campus = room('s-campus', { scenario: 'organic+campus_network', traps: ['campus_network'] });

  it('scores an all-in-one farm under both kinds and counts honest rooms per trap', () => {
    const card = scoreReports(
      [allInOne, office, campus],
      [report('s-aio', { kind: 'scripted_comments', accounts: ['f1'] }), report('s-office', { accounts: ['o1'] })],
    );
    expect(kindsOfStyle('all_in_one_farm')).toEqual(['injected_viewers', 'scripted_comments']);
    expect(card.styles).toEqual([
      { style: 'all_in_one_farm', kind: 'injected_viewers', rooms: 1, roomsDetected: 0, accounts: { tp: 0, fp: 0, fn: 3 } },
      { style: 'all_in_one_farm', kind: 'scripted_comments', rooms: 1, roomsDetected: 1, accounts: { tp: 1, fp: 0, fn: 0 } },
    ]);
    expect(card.traps).toEqual([
      { trap: 'campus_network', rooms: 1, roomsReported: 0, reports: 0 },
      { trap: 'household', rooms: 1, roomsReported: 1, reports: 1 },
      { trap: 'office_wifi', rooms: 1, roomsReported: 1, reports: 1 },
    ]);
    expect(f1({ tp: 1, fp: 1, fn: 0 })).toBeCloseTo(2 / 3);
  });

  it('scores held-out styles through the map the held-out model exports', () => {
    const heldOut = room('s-ho', {
      scenario: 'ho_x',
      attackStyles: ['ho_x'],
      heldOut: true,
      labels: { kinds: ['refund_brushing'], accounts: { ...noAccounts, refund_brushing: ['b1'] } },
    });
    const map = { ...noAccounts, refund_brushing: ['ho_x'] };
    expect(scoreReports([heldOut], [], [map]).styles).toEqual([{ style: 'ho_x', kind: 'refund_brushing', rooms: 1, roomsDetected: 0, accounts: { tp: 0, fp: 0, fn: 1 } }]);
    expect(() => kindsOfStyle('ho_x')).toThrow(/ho_x/);
  });
});

describe('decision scoring (v2)', () => {
  const order = (id: string, streamId: string, ts: number, unitPrice: number, skuId = 'sku-1'): RoomEvent => ({
    id,
    type: 'order.placed',
    roomId: 'r',
    streamId,
    ts,
    accountId: `a-${id}`,
    orderId: `o-${id}`,
    skuId,
    quantity: 1,
    unitPrice,
    listPrice: 9_900,
    currency: 'CNY',
  });

  it('asks for the flash-sale orders only: the SKU at the sale price around its opening, early grabs included', () => {
    const events: RoomEvent[] = [
      { id: 's', type: 'sale.opened', roomId: 'r', streamId: 'st', ts: 1_000_000, skuId: 'sku-1', salePrice: 990, listPrice: 9_900, currency: 'CNY', stock: 10 },
      order('early', 'st', 999_000, 990),
      order('rush', 'st', 1_000_300, 990),
      order('everyday', 'st', 1_000_400, 8_900),
      order('other-sku', 'st', 1_000_400, 990, 'sku-2'),
      order('late', 'st', 1_000_000 + 6 * 60_000, 990),
      order('other-stream', 'st2', 1_000_300, 990),
    ];
    const picked = flashSaleOrders(events, new Map([['st', 'm1']]));
    expect([...picked.entries()]).toEqual([
      ['early', 'm1/o-early'],
      ['rush', 'm1/o-rush'],
    ]);
  });

  it('counts scalper orders answered reject or review, and honest rejects apart from honest reviews', () => {
    // A fake service: rejects what its blocklist names, reviews one honest fast finger, passes the rest.
    const scalpers = new Set(['m/s1', 'm/s2', 'm/s3', 'm/s4']);
    const fake = (orderKey: string): DecisionAnswer['decision'] => (orderKey === 'm/s1' || orderKey === 'm/s2' ? 'reject' : orderKey === 'm/s3' || orderKey === 'm/h1' ? 'review' : orderKey === 'm/h2' ? 'reject' : 'pass');
    const orders = ['m/s1', 'm/s2', 'm/s3', 'm/s4', 'm/h1', 'm/h2', 'm/h3', 'm/h4', 'm/h5', 'm/h6', 'm/h7', 'm/h8', 'm/h9', 'm/h10'];
    const score = scoreDecisions(orders.map((key) => ({ order: key, decision: fake(key) })), scalpers);
    expect(score).toEqual({ scalperOrders: 4, scalperRejected: 2, scalperReviewed: 1, honestOrders: 10, honestRejected: 1, honestReviewed: 1 });
    expect(decisionRates(score)).toEqual({ scalperRecall: 0.75, honestFalseReject: 0.1, honestReview: 0.1 });
    expect(decisionRates(scoreDecisions([], scalpers))).toEqual({ scalperRecall: null, honestFalseReject: null, honestReview: null });
  });
});

describe('scorePromotions: coupon_abuse accounts outside every room', () => {
  const mainParty = room('s-main', { labels: { kinds: ['coupon_abuse'], accounts: { ...noAccounts, coupon_abuse: ['wool-1'] } } });
  const heldOutParty = room('ho-s', { heldOut: true, labels: { kinds: ['coupon_abuse'], accounts: { ...noAccounts, coupon_abuse: ['ho-party-1'] } } } as Partial<SimulatedRoom>);
  const truth = { rings: [], honestSharers: [], bulkRegistered: [], cashOutMerchants: [], honestTwinMerchants: [], scalperOrders: [], couponHoarders: ['ho-hoarder-1', 'ho-hoarder-2'] };
  const streamless = (accountId: string) => report('x', { kind: 'coupon_abuse', subjectType: 'account', subjectId: accountId, roomId: null as unknown as string, streamId: null as unknown as string });
  const reports = [streamless('wool-1'), streamless('ho-hoarder-1'), streamless('ho-party-1'), streamless('honest-9')];

  it("scores each model's accounts with that model: the other's hoarders are not the main model's false alarms", () => {
    expect(scorePromotions([mainParty], reports, truth, { otherRooms: [heldOutParty], hoardersAreOurs: false }).streamlessAccounts).toEqual({ tp: 1, fp: 1, fn: 0 });
    expect(scorePromotions([heldOutParty], reports, truth, { otherRooms: [mainParty], hoardersAreOurs: true }).streamlessAccounts).toEqual({ tp: 2, fp: 1, fn: 1 });
  });
});
