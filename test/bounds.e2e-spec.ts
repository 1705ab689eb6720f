import { EVENT_BOUNDS } from '../src/events/event.schema.js';
import { waitForBacklogZero } from './support/status.js';
import { startTestApp, type TestApp, sendBatch } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;


const base = (id: string, streamId: string, ts = T0 + MIN) => ({ id, roomId: `room-${streamId}`, streamId, ts });
const order = (id: string, streamId: string, quantity: number, unitPrice: number, listPrice: number) => ({
  ...base(id, streamId),
  type: 'order.placed',
  accountId: 'buyer-1',
  orderId: id,
  skuId: 'sku-1',
  quantity,
  unitPrice,
  listPrice,
  currency: 'CNY',
});

/** Issue 12 defects 1–2: money and counts have bounds under which every sum stays exact; read routes never answer 500. */
describe('numeric bounds and large values', () => {
  let harness: TestApp;
  let ingestKey: string;
  let reviewerKey: string;

  beforeAll(async () => {
    harness = await startTestApp('bounds');
    ingestKey = (await harness.createKey('ingest')).key;
    reviewerKey = (await harness.createKey('reviewer')).key;
  });

  afterAll(async () => {
    await harness.close();
  });

  const send = (events: unknown[]) => sendBatch(harness, ingestKey, events);

  it('rejects money and counts past their bounds at ingest, naming the field, and keeps the good events of the batch', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const ack = await send([
      order('o-huge-price', 's-bounds', 1, max, max),
      order('o-huge-value', 's-bounds', 1_000, EVENT_BOUNDS.money, EVENT_BOUNDS.money),
      { ...base('paid-huge', 's-bounds'), type: 'order.paid', accountId: 'buyer-1', orderId: 'o-1', amount: EVENT_BOUNDS.money + 1 },
      { ...base('refund-huge', 's-bounds'), type: 'order.refunded', accountId: 'buyer-1', orderId: 'o-1', amount: max },
      { ...base('count-huge', 's-bounds'), type: 'viewer.count', displayed: 3_000_000_000 },
      { ...base('claim-huge', 's-bounds'), type: 'sales.claimed', gmv: max, orders: 1 },
      { ...base('claim-orders-huge', 's-bounds'), type: 'sales.claimed', gmv: 100, orders: 3_000_000_000 },
      { ...base('ts-huge', 's-bounds', 9_000_000_000_000_000), type: 'stream.ended' },
      order('o-at-bounds', 's-bounds', 1, EVENT_BOUNDS.orderValue, EVENT_BOUNDS.orderValue),
    ]);
    expect(ack.accepted).toBe(1);
    const errors = Object.fromEntries(ack.rejected.map((rejection) => [rejection.index, rejection.error]));
    expect(errors).toEqual({
      0: expect.stringMatching(/^unitPrice: must be at most 10000000000/),
      1: expect.stringMatching(/^quantity: must keep listPrice × quantity/),
      2: expect.stringMatching(/^amount: must be at most/),
      3: expect.stringMatching(/^amount: must be at most/),
      4: expect.stringMatching(/^displayed: must be at most 1000000000/),
      5: expect.stringMatching(/^gmv: must be at most/),
      6: expect.stringMatching(/^orders: must be at most/),
      7: expect.stringMatching(/^ts: must be at most/),
    });
  });

  it('answers the timeline and the sales audit at the bounds, exactly', async () => {
    const streamId = 's-big';
    const events: unknown[] = [{ ...base('big-start', streamId, T0), type: 'stream.started', merchantId: 'm-big' }];
    events.push({ ...base('big-count', streamId), type: 'viewer.count', displayed: EVENT_BOUNDS.count });
    // 600 orders at the largest order value: Σ = 6e12 list and paid, far inside 2^53.
    for (let i = 0; i < 600; i++) {
      events.push(order(`big-${i}`, streamId, 10, EVENT_BOUNDS.orderValue / 10, EVENT_BOUNDS.orderValue / 10));
      events.push({ ...base(`big-paid-${i}`, streamId, T0 + 2 * MIN), type: 'order.paid', accountId: 'buyer-1', orderId: `big-${i}`, amount: EVENT_BOUNDS.money });
    }
    events.push({ ...base('big-claim', streamId, T0 + 3 * MIN), type: 'sales.claimed', gmv: EVENT_BOUNDS.claimedGmv, orders: EVENT_BOUNDS.count });
    for (let from = 0; from < events.length; from += 1000) expect((await send(events.slice(from, from + 1000))).rejected).toEqual([]);
    await waitForBacklogZero(harness.baseUrl);

    const timeline = await harness.request<{ points: Array<{ displayed: number | null }> }>(`/v1/streams/${streamId}/timeline`, { key: reviewerKey });
    expect(timeline.status).toBe(200);
    expect(Math.max(...timeline.body.points.map((point) => point.displayed ?? 0))).toBe(EVENT_BOUNDS.count);
    const audit = await harness.request<{ verified: Record<string, number>; inexact?: string[] }>(`/v1/streams/${streamId}/sales-audit`, { key: reviewerKey });
    expect(audit.status).toBe(200);
    expect(audit.body.verified).toMatchObject({ orders: 600, grossAtListPrice: 600 * EVENT_BOUNDS.orderValue, grossPaid: 600 * EVENT_BOUNDS.money });
    expect(audit.body.inexact).toBeUndefined();
  }, 60_000);

  it('keeps read routes at 200 for values past the bounds already stored (accepted before the bounds), and 400 for windows past event time', async () => {
    const streamId = 's-legacy';
    expect((await send([{ ...base('legacy-start', streamId, T0), type: 'stream.started', merchantId: 'm-legacy' }])).accepted).toBe(1);
    await waitForBacklogZero(harness.baseUrl);
    // What an older service stored: a displayed count past integer, sums past 2^53, list × quantity past bigint.
    await harness.query(
      `INSERT INTO events (seq, event_id, type, room_id, stream_id, account_id, ts, payload)
       VALUES (nextval('events_seq'), 'legacy-count', 'viewer.count', 'room-s-legacy', $1, NULL, $2, '{"displayed": 3000000000}')`,
      [streamId, T0 + MIN],
    );
    for (const [orderId, paid] of [['legacy-1', '9007199254740991'], ['legacy-2', '9007199254740991']] as const) {
      await harness.query(
        `INSERT INTO orders (merchant_id, ownerless_stream, order_id, stream_id, room_id, account_id, sku_id, quantity,
                             unit_price, list_price, currency, placed_at, placed_event_id, paid_amount, paid_at, paid_event_id)
         VALUES ('m-legacy', '', $1, $2, 'room-s-legacy', 'buyer-1', 'sku', 1000, $3, 9000000000000000000, 'CNY', $4, $1, $3, $4, $1)`,
        [orderId, streamId, paid, T0 + MIN],
      );
    }

    const timeline = await harness.request<{ points: Array<{ displayed: number | null }> }>(`/v1/streams/${streamId}/timeline`, { key: reviewerKey });
    expect(timeline.status).toBe(200);
    expect(Math.max(...timeline.body.points.map((point) => point.displayed ?? 0))).toBe(3_000_000_000);
    const audit = await harness.request<{ verified: Record<string, number>; inexact?: string[] }>(`/v1/streams/${streamId}/sales-audit`, { key: reviewerKey });
    expect(audit.status).toBe(200);
    expect(audit.body.inexact).toEqual(expect.arrayContaining(['verified.grossAtListPrice', 'verified.grossPaid', 'verified.net']));

    // A window far from the stream is empty, not a 500; one past any event time names its parameter.
    const far = await harness.request(`/v1/streams/${streamId}/timeline?from=200000000000000`, { key: reviewerKey });
    expect(far.status).toBe(200);
    const before = await harness.request(`/v1/streams/${streamId}/timeline?to=1`, { key: reviewerKey });
    expect(before.status).toBe(200);
    const past = await harness.request<{ message: string }>(`/v1/streams/${streamId}/timeline?from=90000000000000000`, { key: reviewerKey });
    expect(past.status).toBe(400);
    expect(JSON.stringify(past.body)).toContain('from');
  }, 60_000);
});
