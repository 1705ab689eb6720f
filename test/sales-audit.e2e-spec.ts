import { waitForBacklogZero } from './support/status.js';
import { eventually } from './support/eventually.js';
import { emitWithAck, startTestApp, type TestApp } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;
const DAY = 86_400_000;

type Ack = { accepted: number; duplicates: number; rejected: unknown[] };

/** One stream of merchant m-audit-1 with every kind of order the audit distinguishes. */
function streamEvents(streamId: string, merchantId: string, roomId: string) {
  const base = (id: string, ts: number, accountId = 'buyer-1') => ({ id: `${streamId}-${id}`, roomId, streamId, ts, accountId });
  const placed = (id: string, ts: number, accountId: string, quantity: number, unitPrice: number, listPrice: number) => ({
    ...base(`placed-${id}`, ts, accountId),
    type: 'order.placed',
    orderId: `${streamId}-${id}`,
    skuId: `sku-${id}`,
    quantity,
    unitPrice,
    listPrice,
    currency: 'CNY',
  });
  const paid = (id: string, ts: number, accountId: string, amount: number) => ({
    ...base(`paid-${id}`, ts, accountId),
    type: 'order.paid',
    orderId: `${streamId}-${id}`,
    amount,
  });
  const refunded = (eventId: string, id: string, ts: number, accountId: string, amount: number) => ({
    ...base(eventId, ts, accountId),
    type: 'order.refunded',
    orderId: `${streamId}-${id}`,
    amount,
  });
  return {
    live: [
      { id: `${streamId}-start`, type: 'stream.started', roomId, streamId, ts: T0, merchantId },
      // Kept: 2 × 49.90 paid, list 59.90.
      placed('o1', T0 + 2 * MIN, 'buyer-1', 2, 4_990, 5_990),
      paid('o1', T0 + 2 * MIN + 20_000, 'buyer-1', 9_980),
      // Refunded in full after the stream (below, late).
      placed('o2', T0 + 3 * MIN, 'buyer-2', 1, 12_900, 12_900),
      paid('o2', T0 + 3 * MIN + 5_000, 'buyer-2', 12_900),
      // Never paid: counts at list price, not in grossPaid.
      placed('o3', T0 + 4 * MIN, 'buyer-3', 1, 3_000, 5_000),
      // Paid 3 × 10.00, two partial refunds of 10.00 each (two returned pieces).
      placed('o4', T0 + 5 * MIN, 'buyer-4', 3, 1_000, 1_500),
      paid('o4', T0 + 5 * MIN + 9_000, 'buyer-4', 3_000),
      refunded('refund-o4-a', 'o4', T0 + 6 * MIN, 'buyer-4', 1_000),
      refunded('refund-o4-b', 'o4', T0 + 7 * MIN, 'buyer-4', 1_000),
      { id: `${streamId}-end`, type: 'stream.ended', roomId, streamId, ts: T0 + 30 * MIN },
      // The room publishes placed GMV: 9,980 + 12,900 + 3,000 + 3,000.
      { id: `${streamId}-claim`, type: 'sales.claimed', roomId, streamId, ts: T0 + 35 * MIN, gmv: 28_880, orders: 4 },
    ],
    lateRefund: refunded('refund-o2', 'o2', T0 + 3 * DAY, 'buyer-2', 12_900),
  };
}

describe('sales audit', () => {
  let harness: TestApp;
  let reviewerKey: string;
  let ownKey: string;
  let foreignKey: string;

  async function audit(streamId: string, key: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${harness.baseUrl}/v1/streams/${encodeURIComponent(streamId)}/sales-audit`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    harness = await startTestApp('sales_audit');
    const ingestKey = (await harness.createKey('ingest')).key;
    reviewerKey = (await harness.createKey('reviewer')).key;
    ownKey = (await harness.createKey('merchant', 'm-audit-1')).key;
    foreignKey = (await harness.createKey('merchant', 'm-audit-2')).key;
    const socket = await harness.connect('/ingest', ingestKey);
    const { live } = streamEvents('st-audit-1', 'm-audit-1', 'room-audit-1');
    expect(await emitWithAck<Ack>(socket, 'events', live)).toMatchObject({ accepted: live.length, rejected: [] });
    await waitForBacklogZero(harness.baseUrl);
    await eventually('the claim of st-audit-1 in its audit', async () => expect((await audit('st-audit-1', reviewerKey)).body.claimed).not.toBeNull());
  }, 60_000);

  afterAll(async () => {
    await harness.close();
  });

  it('answers the exact figures of every definition to the unit', async () => {
    const { status, body } = await audit('st-audit-1', ownKey);
    expect(status).toBe(200);
    expect(body).toEqual({
      roomId: 'room-audit-1',
      streamId: 'st-audit-1',
      merchantId: 'm-audit-1',
      currency: 'CNY',
      claimed: { gmv: 28_880, orders: 4 },
      verified: {
        orders: 4,
        paidOrders: 3,
        refundedOrders: 1,
        // 2×5,990 + 12,900 + 5,000 + 3×1,500
        grossAtListPrice: 34_380,
        grossPaid: 25_880,
        refunded: 2_000,
        net: 23_880,
        suspectedBrushing: 0,
        // (v2) No refund here says whether the goods came back, no coupon, nothing virtual.
        refundedWithoutReturn: 0, couponDiscounts: 0, virtualPaid: 0, virtualShare: 0, suspectedCouponAbuse: 0, suspectedCashOut: 0,
      },
      // 28,880 − 23,880; 28,880 / 23,880 = 1.20938…
      inflation: { amount: 5_000, ratio: 1.2094 },
      pending: { orders: 0, paid: 0, refunded: 0 },
    });
  }, 30_000);

  it('shows a merchant its own stream, hides a foreign one like an unknown one, and needs a key', async () => {
    expect((await audit('st-audit-1', ownKey)).status).toBe(200);
    expect((await audit('st-audit-1', reviewerKey)).status).toBe(200);

    const foreign = await audit('st-audit-1', foreignKey);
    const unknown = await audit('st-nowhere', foreignKey);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'stream st-audit-1 not found' });
    expect(unknown.body.message).toBe('stream st-nowhere not found');
    expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(unknown.body).sort());

    const anonymous = await audit('st-audit-1', undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  }, 30_000);

  it('takes a refund that arrives days after the stream into the audit', async () => {
    const ingestKey = (await harness.createKey('ingest')).key;
    const socket = await harness.connect('/ingest', ingestKey);
    const { lateRefund } = streamEvents('st-audit-1', 'm-audit-1', 'room-audit-1');
    expect(await emitWithAck<Ack>(socket, 'events', [lateRefund])).toMatchObject({ accepted: 1 });
    await waitForBacklogZero(harness.baseUrl);

    await eventually('the late refund in the audit of st-audit-1', async () => expect((await audit('st-audit-1', reviewerKey)).body.verified).toMatchObject({ refundedOrders: 2 }));
    const { body } = await audit('st-audit-1', reviewerKey);
    expect(body.verified).toMatchObject({ refundedOrders: 2, grossPaid: 25_880, refunded: 14_900, net: 10_980 });
    // 28,880 / 10,980 = 2.63023…
    expect(body.inflation).toEqual({ amount: 17_900, ratio: 2.6302 });

    // The same refund sent again is a duplicate and changes nothing.
    expect(await emitWithAck<Ack>(socket, 'events', [lateRefund])).toMatchObject({ accepted: 0, duplicates: 1 });
    await waitForBacklogZero(harness.baseUrl);
    expect((await audit('st-audit-1', reviewerKey)).body.verified).toMatchObject({ refunded: 14_900, net: 10_980 });
  }, 30_000);
});
