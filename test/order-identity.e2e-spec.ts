import { waitForBacklogZero } from './support/status.js';
import { emitWithAck, startTestApp, type TestApp, sendBatch, type IngestAck } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;

type Audit = { merchantId: string | null; verified: { orders: number; paidOrders: number; grossPaid: number; net: number }; pending: { orders: number } };

const start = (streamId: string, merchantId: string, id = `${streamId}-start`, ts = T0) => ({
  id,
  type: 'stream.started',
  roomId: `room-${streamId}`,
  streamId,
  ts,
  merchantId,
});
const placed = (streamId: string, orderId: string, ts: number, accountId: string, price: number) => ({
  id: `${streamId}-placed-${orderId}`,
  type: 'order.placed',
  roomId: `room-${streamId}`,
  streamId,
  ts,
  accountId,
  orderId,
  skuId: 'sku-1',
  quantity: 1,
  unitPrice: price,
  listPrice: price,
  currency: 'CNY',
});
const paid = (streamId: string, orderId: string, ts: number, accountId: string, amount: number) => ({
  id: `${streamId}-paid-${orderId}`,
  type: 'order.paid',
  roomId: `room-${streamId}`,
  streamId,
  ts,
  accountId,
  orderId,
  amount,
});

/** CONTRACT.md v2 §1: an order is (its stream's merchant, orderId); a stream belongs to its first stream.started's merchant. */
describe('order and stream identity across merchants', () => {
  let harness: TestApp;
  let ingestKey: string;
  let reviewerKey: string;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    harness = await startTestApp('order_identity');
    ingestKey = (await harness.createKey('ingest')).key;
    reviewerKey = (await harness.createKey('reviewer')).key;
    keyA = (await harness.createKey('merchant', 'm-a')).key;
    keyB = (await harness.createKey('merchant', 'm-b')).key;
  });

  afterAll(async () => {
    await harness.close();
  });

  const send = (events: unknown[]) => sendBatch(harness, ingestKey, events);

  const audit = (streamId: string, key: string) => harness.request<Audit>(`/v1/streams/${streamId}/sales-audit`, { key });

  it("keeps merchant A's order 1001 when merchant B's stream sends an order 1001 with an earlier ts", async () => {
    expect(await send([start('st-a', 'm-a'), placed('st-a', '1001', T0 + 5 * MIN, 'buyer-a', 10_000), paid('st-a', '1001', T0 + 6 * MIN, 'buyer-a', 10_000)])).toMatchObject({ accepted: 3 });
    // B's order 1001 arrives before B's own stream.started: it waits for its owner, then is B's.
    expect(await send([placed('st-b', '1001', T0 + MIN, 'buyer-b', 777), paid('st-b', '1001', T0 + 2 * MIN, 'buyer-b', 777)])).toMatchObject({ accepted: 2 });
    expect(await send([start('st-b', 'm-b')])).toMatchObject({ accepted: 1 });
    await waitForBacklogZero(harness.baseUrl);

    const a = await audit('st-a', keyA);
    expect(a.status).toBe(200);
    expect(a.body.verified).toMatchObject({ orders: 1, paidOrders: 1, grossPaid: 10_000, net: 10_000 });
    const b = await audit('st-b', keyB);
    expect(b.status).toBe(200);
    expect(b.body.verified).toMatchObject({ orders: 1, paidOrders: 1, grossPaid: 777, net: 777 });
    expect(b.body.pending.orders).toBe(0);
  });

  it("folds an order's events that came through another of the merchant's streams before that stream's start", async () => {
    // Order 2001 is placed in A's stream; its payment arrives through st-a2 (also A's) before st-a2's stream.started.
    expect(await send([placed('st-a', '2001', T0 + 7 * MIN, 'buyer-a', 3_000)])).toMatchObject({ accepted: 1 });
    expect(await send([paid('st-a2', '2001', T0 + 8 * MIN, 'buyer-a', 3_000)])).toMatchObject({ accepted: 1 });
    await waitForBacklogZero(harness.baseUrl);
    expect(await send([start('st-a2', 'm-a')])).toMatchObject({ accepted: 1 });
    await waitForBacklogZero(harness.baseUrl);

    const a = await audit('st-a', keyA);
    expect(a.body.verified).toMatchObject({ orders: 2, paidOrders: 2, grossPaid: 13_000 });
    expect(a.body.pending.orders).toBe(0);
    const a2 = await audit('st-a2', keyA);
    expect(a2.body.verified.orders).toBe(0);
    expect(a2.body.pending.orders).toBe(0);
  });

  it('rejects a stream.started naming another merchant for an existing stream, by merchantId, and the owner stays', async () => {
    const ack = await send([start('st-a', 'm-b', 'st-a-restart-by-b', T0 + 10 * MIN), placed('st-a', '1002', T0 + 11 * MIN, 'buyer-a', 500)]);
    expect(ack.accepted).toBe(1);
    expect(ack.rejected).toEqual([{ index: 0, id: 'st-a-restart-by-b', error: expect.stringMatching(/^merchantId: /) as unknown as string }]);
    // The same owner's repeated stream.started is fine.
    expect(await send([start('st-a', 'm-a', 'st-a-start-again', T0 + 12 * MIN)])).toMatchObject({ accepted: 1, rejected: [] });
    await waitForBacklogZero(harness.baseUrl);

    expect((await audit('st-a', keyA)).status).toBe(200);
    expect((await audit('st-a', keyB)).status).toBe(404);
    expect((await audit('st-a', reviewerKey)).body.merchantId).toBe('m-a');
  });

  it('lets exactly one of two connections racing to start a stream for different merchants own it', async () => {
    for (let round = 0; round < 5; round++) {
      const streamId = `st-race-${round}`;
      const [first, second] = await Promise.all([harness.connect('/ingest', ingestKey), harness.connect('/ingest', ingestKey)]);
      const [ackA, ackB] = await Promise.all([
        emitWithAck<IngestAck>(first, 'events', [start(streamId, 'm-a', `${streamId}-by-a`)]),
        emitWithAck<IngestAck>(second, 'events', [start(streamId, 'm-b', `${streamId}-by-b`)]),
      ]);
      first.disconnect();
      second.disconnect();
      expect(ackA.accepted + ackB.accepted).toBe(1);
      const winner = ackA.accepted === 1 ? 'm-a' : 'm-b';
      const loser = ackA.accepted === 1 ? ackB : ackA;
      expect(loser.rejected[0]!.error).toMatch(/^merchantId: /);
      await waitForBacklogZero(harness.baseUrl);
      expect((await audit(streamId, reviewerKey)).body.merchantId).toBe(winner);
      expect((await audit(streamId, winner === 'm-a' ? keyA : keyB)).status).toBe(200);
      expect((await audit(streamId, winner === 'm-a' ? keyB : keyA)).status).toBe(404);
    }
  }, 60_000);
});
