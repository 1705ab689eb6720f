import { waitForBacklogZero } from './support/status.js';
import { eventually } from './support/eventually.js';
import { startTestApp, type TestApp, sendBatch } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;


interface Report {
  subjectId: string;
  score: number;
  severity: string;
  streamId: string;
  version: number;
  accounts: string[];
  detectedAt: number;
  evidence: Record<string, unknown>;
}

interface OrderRow {
  order_id: string;
  stream_id: string;
  account_id: string;
  device_id: string | null;
  subnet: string | null;
  sku_id: string | null;
  quantity: number | null;
  unit_price: string | null;
  list_price: string | null;
  placed_at: string | null;
  paid_amount: string | null;
  paid_at: string | null;
  refunded_amount: string;
  refund_count: number;
  refunded_at: string | null;
}

describe('order ledger', () => {
  let harness: TestApp;
  let ingestKey: string;
  let reviewerKey: string;

  beforeAll(async () => {
    harness = await startTestApp('orders');
    ingestKey = (await harness.createKey('ingest')).key;
    reviewerKey = (await harness.createKey('reviewer')).key;
  });

  afterAll(async () => {
    await harness.close();
  });

  const send = (events: unknown[]) => sendBatch(harness, ingestKey, events);

  async function orderRow(orderId: string): Promise<OrderRow | undefined> {
    const result = await harness.query<OrderRow>('SELECT * FROM orders WHERE order_id = $1', [orderId]);
    return result.rows[0];
  }

  async function audit(streamId: string): Promise<Record<string, Record<string, number>>> {
    const response = await fetch(`${harness.baseUrl}/v1/streams/${streamId}/sales-audit`, {
      headers: { authorization: `Bearer ${reviewerKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, Record<string, number>>;
  }

  async function reports(query: Record<string, string>): Promise<Report[]> {
    const response = await fetch(`${harness.baseUrl}/v1/reports?${new URLSearchParams(query).toString()}`, {
      headers: { authorization: `Bearer ${reviewerKey}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Report[] }).items;
  }

  async function report(kind: string, streamId: string): Promise<Report | undefined> {
    return (await reports({ kind, streamId, subjectType: 'room' }))[0];
  }

  it('keeps a payment and a refund that arrive before their order and reconciles them when it comes', async () => {
    const stream = { roomId: 'room-early', streamId: 'st-early' };
    const who = { accountId: 'early-buyer', deviceId: 'dev-early', ip: '10.20.30.40' };
    await send([{ id: 'early-start', type: 'stream.started', ...stream, ts: T0, merchantId: 'm-early' }]);

    // Two connections, no ordering between them: the payment and a partial refund come first.
    const paidAck = send([{ id: 'early-paid', type: 'order.paid', ...stream, ...who, ts: T0 + 61_000, orderId: 'ord-early', amount: 19_800 }]);
    const refundAck = send([
      { id: 'early-refund', type: 'order.refunded', ...stream, ...who, ts: T0 + 2 * DAY, orderId: 'ord-early', amount: 9_900 },
    ]);
    expect(await paidAck).toMatchObject({ accepted: 1 });
    expect(await refundAck).toMatchObject({ accepted: 1 });
    await waitForBacklogZero(harness.baseUrl);

    await eventually('the early payment and refund held as pending', async () => {
      const before = await orderRow('ord-early');
      expect(before).toMatchObject({ placed_at: null, paid_amount: '19800', refunded_amount: '9900', refund_count: 1 });
      expect((await audit('st-early')).pending).toEqual({ orders: 1, paid: 19_800, refunded: 9_900 });
      expect((await audit('st-early')).verified).toMatchObject({ orders: 0, grossPaid: 0 });
    });

    await send([
      {
        id: 'early-placed',
        type: 'order.placed',
        ...stream,
        ...who,
        ts: T0 + 60_000,
        orderId: 'ord-early',
        skuId: 'sku-coat',
        quantity: 2,
        unitPrice: 9_900,
        listPrice: 12_900,
        currency: 'CNY',
        phoneHash: 'ph-early',
        addressHash: 'ad-early',
      },
    ]);
    await waitForBacklogZero(harness.baseUrl);

    await eventually('ord-early placed', async () => expect((await orderRow('ord-early'))?.placed_at).toBe(String(T0 + 60_000)));
    expect(await orderRow('ord-early')).toMatchObject({
      stream_id: 'st-early',
      account_id: 'early-buyer',
      device_id: 'dev-early',
      subnet: '10.20.30.0/24',
      sku_id: 'sku-coat',
      quantity: 2,
      unit_price: '9900',
      list_price: '12900',
      placed_at: String(T0 + 60_000),
      paid_amount: '19800',
      paid_at: String(T0 + 61_000),
      refunded_amount: '9900',
      refund_count: 1,
      refunded_at: String(T0 + 2 * DAY),
    });
    const reconciled = await audit('st-early');
    expect(reconciled.pending).toEqual({ orders: 0, paid: 0, refunded: 0 });
    expect(reconciled.verified).toEqual({
      orders: 1,
      paidOrders: 1,
      refundedOrders: 1,
      grossAtListPrice: 25_800,
      grossPaid: 19_800,
      refunded: 9_900,
      net: 9_900,
      suspectedBrushing: 0,
      refundedWithoutReturn: 0, couponDiscounts: 0, virtualPaid: 0, virtualShare: 0, suspectedCouponAbuse: 0, suspectedCashOut: 0,
    });
  }, 30_000);

  it('adds up several refunds of one order and counts a resent refund once', async () => {
    const stream = { roomId: 'room-multi', streamId: 'st-multi', accountId: 'multi-buyer' };
    const refund = (id: string, ts: number, amount: number) => ({ id, type: 'order.refunded', ...stream, ts, orderId: 'ord-multi', amount });
    await send([
      { id: 'multi-start', type: 'stream.started', roomId: 'room-multi', streamId: 'st-multi', ts: T0, merchantId: 'm-multi' },
      { id: 'multi-placed', type: 'order.placed', ...stream, ts: T0 + MIN, orderId: 'ord-multi', skuId: 'sku-1', quantity: 3, unitPrice: 2_000, listPrice: 2_000, currency: 'CNY' },
      { id: 'multi-paid', type: 'order.paid', ...stream, ts: T0 + MIN + 5_000, orderId: 'ord-multi', amount: 6_000 },
      refund('multi-refund-1', T0 + 5 * DAY, 2_000),
    ]);
    // The second return, and the first one resent in the same batch.
    const ack = await send([refund('multi-refund-2', T0 + 6 * DAY + HOUR, 2_000), refund('multi-refund-1', T0 + 5 * DAY, 2_000)]);
    expect(ack).toMatchObject({ accepted: 1, duplicates: 1 });
    await waitForBacklogZero(harness.baseUrl);

    await eventually('both refunds of ord-multi counted', async () =>
      expect(await orderRow('ord-multi')).toMatchObject({ refunded_amount: '4000', refund_count: 2, refunded_at: String(T0 + 5 * DAY) }),
    );
    expect((await audit('st-multi')).verified).toMatchObject({ refundedOrders: 1, grossPaid: 6_000, refunded: 4_000, net: 2_000 });
  }, 30_000);
  it('reports a brushing ring and its inflated claim, and a late refund grows both reports and the audit', async () => {
    const streamId = 'st-ring';
    const roomId = 'room-ring';
    const end = T0 + 60 * MIN;
    const buyers = [
      ...Array.from({ length: 5 }, (_, i) => ({ accountId: `fan-${i}`, deviceId: `fan-dev-${i}`, ip: `100.64.${i}.9`, price: 15_900, addressHash: `fan-addr-${i}` })),
      ...Array.from({ length: 4 }, (_, i) => ({ accountId: `ring-${i}`, deviceId: 'ring-phone', ip: '203.0.113.7', price: 39_900, addressHash: 'ring-addr' })),
    ];
    const orderEvents = buyers.flatMap((buyer, i) => {
      const who = { roomId, streamId, accountId: buyer.accountId, deviceId: buyer.deviceId, ip: buyer.ip };
      const orderId = `ord-${buyer.accountId}`;
      return [
        { id: `${orderId}-placed`, type: 'order.placed', ...who, ts: T0 + (5 + i * 4) * MIN, orderId, skuId: `sku-${i}`, quantity: 1, unitPrice: buyer.price, listPrice: buyer.price, currency: 'CNY', addressHash: buyer.addressHash },
        { id: `${orderId}-paid`, type: 'order.paid', ...who, ts: T0 + (5 + i * 4) * MIN + 20_000, orderId, amount: buyer.price },
      ];
    });
    const refund = (n: number, ts: number) => ({
      id: `ord-ring-${n}-refund`,
      type: 'order.refunded',
      roomId,
      streamId,
      accountId: `ring-${n}`,
      ts,
      orderId: `ord-ring-${n}`,
      amount: 39_900,
    });
    const claimed = 5 * 15_900 + 4 * 39_900;
    await send([
      { id: 'ring-start', type: 'stream.started', roomId, streamId, ts: T0, merchantId: 'm-ring' },
      ...orderEvents,
      { id: 'ring-end', type: 'stream.ended', roomId, streamId, ts: end },
      { id: 'ring-claim', type: 'sales.claimed', roomId, streamId, ts: end + 5 * MIN, gmv: claimed, orders: 9 },
      refund(0, end + HOUR),
      refund(1, end + HOUR + 5 * MIN),
      refund(2, end + 2 * HOUR),
    ]);
    await waitForBacklogZero(harness.baseUrl);

    let roomReport: Report | undefined;
    let gmvReport: Report | undefined;
    await eventually('the refund_brushing and inflated_gmv reports on st-ring', async () => {
      roomReport = await report('refund_brushing', streamId);
      gmvReport = await report('inflated_gmv', streamId);
      expect(roomReport).toBeDefined();
      expect(gmvReport).toBeDefined();
    });
    expect(roomReport).toMatchObject({ version: 1, subjectId: roomId, accounts: ['ring-0', 'ring-1', 'ring-2'], evidence: { brushedAmount: 3 * 39_900 } });
    expect(gmvReport).toMatchObject({ version: 1, evidence: { brushingAtClaim: 3 * 39_900, supportedAtClaim: claimed - 3 * 39_900 } });
    const accountReports = await reports({ kind: 'refund_brushing', subjectType: 'account', streamId });
    expect(accountReports.map((r) => r.subjectId).sort()).toEqual(['ring-0', 'ring-1', 'ring-2']);
    expect((await audit(streamId)).verified).toEqual({
      orders: 9,
      paidOrders: 9,
      refundedOrders: 3,
      grossAtListPrice: claimed,
      grossPaid: claimed,
      refunded: 3 * 39_900,
      net: claimed - 3 * 39_900,
      suspectedBrushing: 3 * 39_900,
      refundedWithoutReturn: 0, couponDiscounts: 0, virtualPaid: 0, virtualShare: 0, suspectedCouponAbuse: 0, suspectedCashOut: 0,
    });

    // The fourth phone of the ring refunds the next day.
    await send([refund(3, end + 20 * HOUR)]);
    await waitForBacklogZero(harness.baseUrl);
    await eventually('refund_brushing on st-ring at version 2', async () => expect((await report('refund_brushing', streamId))?.version).toBe(2));
    expect(await report('refund_brushing', streamId)).toMatchObject({
      accounts: ['ring-0', 'ring-1', 'ring-2', 'ring-3'],
      detectedAt: roomReport!.detectedAt,
      evidence: { brushedAmount: 4 * 39_900, brushedRefunded: 4 * 39_900 },
    });
    await eventually('inflated_gmv on st-ring at version 2', async () => expect((await report('inflated_gmv', streamId))?.version).toBe(2));
    expect((await report('inflated_gmv', streamId))?.evidence).toMatchObject({ brushingAtClaim: 4 * 39_900, now: { net: 5 * 15_900 } });
    const after = await audit(streamId);
    expect(after.verified).toMatchObject({ refundedOrders: 4, refunded: 4 * 39_900, net: 5 * 15_900, suspectedBrushing: 4 * 39_900 });
    expect(after.inflation).toEqual({ amount: 4 * 39_900, ratio: 3.0075 });
  }, 30_000);
  it('reports a claim that counted carts still unpaid after the window, and stands it down when they are paid after delivery', async () => {
    const streamId = 'st-later';
    const roomId = 'room-later';
    const end = T0 + 60 * MIN;
    const buyers = Array.from({ length: 10 }, (_, i) => ({ roomId, streamId, accountId: `later-${i}`, deviceId: `later-dev-${i}`, ip: `100.70.${i}.9` }));
    const placed = buyers.map((who, i) => ({
      id: `ord-later-${i}-placed`,
      type: 'order.placed',
      ...who,
      ts: T0 + (5 + i * 4) * MIN,
      orderId: `ord-later-${i}`,
      skuId: 'sku-later',
      quantity: 1,
      unitPrice: 12_900,
      listPrice: 12_900,
      currency: 'CNY',
    }));
    const paid = (i: number, ts: number) => ({ id: `ord-later-${i}-paid`, type: 'order.paid', ...buyers[i], ts, orderId: `ord-later-${i}`, amount: 12_900 });
    // Half pay at once; the claim counts all ten.
    await send([
      { id: 'later-start', type: 'stream.started', roomId, streamId, ts: T0, merchantId: 'm-later' },
      ...placed,
      ...[0, 1, 2, 3, 4].map((i) => paid(i, placed[i]!.ts + 20_000)),
      { id: 'later-end', type: 'stream.ended', roomId, streamId, ts: end },
      { id: 'later-claim', type: 'sales.claimed', roomId, streamId, ts: end + 2 * MIN, gmv: 10 * 12_900, orders: 10 },
      // The stream's clock passes the payment window with five carts still unpaid (a session timing out late).
      { id: 'later-left', type: 'viewer.left', ...buyers[0], ts: end + 45 * MIN },
    ]);
    await waitForBacklogZero(harness.baseUrl);
    let first: Report | undefined;
    await eventually('the inflated_gmv report on st-later', async () => {
      first = await report('inflated_gmv', streamId);
      expect(first).toBeDefined();
    });
    expect(first!.evidence).toMatchObject({ definitionGap: 5 * 12_900 });
    expect(first!.evidence.stoodDown).toBeUndefined();

    // Pay after delivery: the five pay two days later, and the claim is what the ten orders came to.
    await send([5, 6, 7, 8, 9].map((i) => paid(i, end + 2 * DAY + i * MIN)));
    await waitForBacklogZero(harness.baseUrl);
    await eventually('inflated_gmv on st-later stood down', async () => expect((await report('inflated_gmv', streamId))?.evidence.stoodDown).toBeDefined());
    const stood = (await report('inflated_gmv', streamId))!;
    // What it read stays (five paid then), with when and why it stood down; scored below every enforcement threshold.
    expect(stood).toMatchObject({ version: 2, detectedAt: first!.detectedAt, score: 0.1, severity: 'low', evidence: { now: { claimedOrders: { paid: 5 * 12_900 } } } });
    expect((stood.evidence.stoodDown as { at: number }).at).toBeGreaterThanOrEqual(end + 2 * DAY + 9 * MIN);
    expect(stood.evidence.stoodDown).toMatchObject({ claimed: 10 * 12_900, claimedOrders: { paid: 10 * 12_900, net: 10 * 12_900 }, paidAfterWindow: { orders: 5 } });
  }, 30_000);
  it('catches a lone brusher across rooms of three merchants in every one of them, whatever order the refunds come in', async () => {
    const rooms = ['a', 'b', 'c'].map((name, i) => ({ name, roomId: `room-lone-${name}`, streamId: `st-lone-${name}`, start: T0 + i * DAY }));
    const brusher = { accountId: 'lone-brusher', deviceId: 'lone-dev', ip: '198.51.100.23' };
    for (const room of rooms) {
      const at = (offset: number) => room.start + offset;
      const base = { roomId: room.roomId, streamId: room.streamId };
      await send([
        { id: `${room.streamId}-start`, type: 'stream.started', ...base, ts: at(0), merchantId: `m-lone-${room.name}` },
        { id: `${room.streamId}-fan-placed`, type: 'order.placed', ...base, accountId: `fan-${room.name}`, ts: at(5 * MIN), orderId: `${room.streamId}-fan`, skuId: 'sku-a', quantity: 1, unitPrice: 100_000, listPrice: 100_000, currency: 'CNY' },
        { id: `${room.streamId}-fan-paid`, type: 'order.paid', ...base, accountId: `fan-${room.name}`, ts: at(5 * MIN + 10_000), orderId: `${room.streamId}-fan`, amount: 100_000 },
        { id: `${room.streamId}-x-placed`, type: 'order.placed', ...base, ...brusher, ts: at(10 * MIN), orderId: `${room.streamId}-x`, skuId: 'sku-b', quantity: 1, unitPrice: 9_900, listPrice: 9_900, currency: 'CNY' },
        { id: `${room.streamId}-x-paid`, type: 'order.paid', ...base, ...brusher, ts: at(10 * MIN + 10_000), orderId: `${room.streamId}-x`, amount: 9_900 },
        { id: `${room.streamId}-end`, type: 'stream.ended', ...base, ts: at(HOUR) },
      ]);
    }
    // Refunds in the order the rooms ran: the first two see no history yet when they arrive.
    for (const room of rooms) {
      await send([
        { id: `${room.streamId}-x-refund`, type: 'order.refunded', roomId: room.roomId, streamId: room.streamId, ...brusher, ts: room.start + 3 * HOUR, orderId: `${room.streamId}-x`, amount: 9_900 },
      ]);
      await waitForBacklogZero(harness.baseUrl);
    }

    await eventually('an account report on lone-brusher in each of the three streams', async () => {
      const caught = await reports({ kind: 'refund_brushing', subjectType: 'account', accountId: 'lone-brusher' });
      expect(caught.map((r) => r.streamId).sort()).toEqual(rooms.map((room) => room.streamId));
    });
    const first = (await reports({ kind: 'refund_brushing', subjectType: 'account', streamId: 'st-lone-a' }))[0]!;
    expect(first.evidence).toMatchObject({ signals: { crossRoom: { rooms: 2, merchants: 2 } }, paid: 9_900, refunded: 9_900 });
    // One buyer's small share of the room's sales is an account matter, not a room verdict.
    expect(await report('refund_brushing', 'st-lone-a')).toBeUndefined();
  }, 30_000);
});
