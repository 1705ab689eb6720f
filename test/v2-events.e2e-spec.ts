import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { type ServiceProcess, killService, startServiceProcess } from './support/service-process.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

/**
 * The v2 events of CONTRACT.md §1 end to end: each type over socket.io and
 * HTTP, into the log (events of no room included), the ledger's v2 columns,
 * the flash-sale, coupon and registration tables, through a crash and the
 * restart replay, with the engine's stream clocks untouched by them.
 */

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const inStream = { roomId: 'room-v2', streamId: 'stream-v2' };
const flags = { model: 'PJZ110', os: 'Android 14', emulator: false, rooted: false, hooked: true, cloudPhone: false, multiInstance: true };

/** Over the socket, in the order a platform sends them: the sale announced a minute ahead of its opening. */
const socketEvents = [
  { id: 'v2-start', type: 'stream.started', ...inStream, ts: T0, merchantId: 'm-v2' },
  { id: 'v2-sale', type: 'sale.opened', ...inStream, ts: T0 + 2 * MINUTE, skuId: 'sku-flash', salePrice: 5_000, listPrice: 5_900, currency: 'CNY', stock: 100, perAccountLimit: 1 },
  { id: 'v2-join-1', type: 'viewer.joined', ...inStream, ts: T0 + 60 * SECOND, accountId: 'acct-1', deviceId: 'dev-1', accountCreatedAt: T0 - 400 * DAY, device: flags },
  { id: 'v2-join-2', type: 'viewer.joined', ...inStream, ts: T0 + 62 * SECOND, accountId: 'acct-2', deviceId: 'dev-2', accountCreatedAt: T0 - 900 * DAY },
  { id: 'v2-like-1', type: 'like', ...inStream, ts: T0 + 70 * SECOND, accountId: 'acct-2', count: 3 },
  { id: 'v2-claim-room', type: 'coupon.claimed', ...inStream, ts: T0 + 75 * SECOND, accountId: 'acct-1', deviceId: 'dev-1', ip: '203.0.113.9', couponId: 'cpn-1', campaignId: 'camp-room', value: 2_000, minSpend: 6_000, device: flags },
  { id: 'v2-register-3', type: 'account.registered', ts: T0 - 10 * MINUTE, accountId: 'acct-3', deviceId: 'dev-3', ip: '198.51.100.20', phoneHash: 'ph-3', channel: 'ad_campaign', device: { model: 'V2309A', cloudPhone: true } },
  { id: 'v2-claim-off', type: 'coupon.claimed', ts: T0 + 80 * SECOND, accountId: 'acct-3', couponId: 'cpn-2', campaignId: 'welcome', value: 1_000 },
  {
    id: 'v2-order-1', type: 'order.placed', ...inStream, ts: T0 + 2 * MINUTE + 400, accountId: 'acct-1', deviceId: 'dev-1', orderId: 'o-1', skuId: 'sku-flash', quantity: 2,
    unitPrice: 5_000, listPrice: 5_900, currency: 'CNY', couponId: 'cpn-1', discount: 2_000, recipientHash: 'rc-1', paymentAccountHash: 'pa-1', virtual: false, category: 'fresh food', device: flags,
  },
  { id: 'v2-paid-1', type: 'order.paid', ...inStream, ts: T0 + 2 * MINUTE + 9 * SECOND, accountId: 'acct-1', orderId: 'o-1', amount: 8_000 },
  { id: 'v2-order-2', type: 'order.placed', ...inStream, ts: T0 + 2 * MINUTE + 5 * SECOND, accountId: 'acct-2', orderId: 'o-2', skuId: 'sku-flash', quantity: 1, unitPrice: 5_000, listPrice: 5_900, currency: 'CNY' },
  { id: 'v2-paid-2', type: 'order.paid', ...inStream, ts: T0 + 2 * MINUTE + 20 * SECOND, accountId: 'acct-2', orderId: 'o-2', amount: 5_000 },
  // Bad v2 events are rejected alone, each naming its field.
  { id: 'v2-bad-register', type: 'account.registered', ...inStream, ts: T0, accountId: 'acct-9' },
  { id: 'v2-bad-claim', type: 'coupon.claimed', roomId: 'room-v2', ts: T0, accountId: 'acct-9', couponId: 'cpn-9', campaignId: 'c', value: 1 },
  { id: 'v2-bad-discount', type: 'order.placed', ...inStream, ts: T0, accountId: 'acct-9', orderId: 'o-9', skuId: 's', quantity: 1, unitPrice: 100, listPrice: 100, currency: 'CNY', discount: 101 },
  { id: 'v2-end', type: 'stream.ended', ...inStream, ts: T0 + 10 * MINUTE },
];

/** Over HTTP as NDJSON, a backfill days later: refunds with and without return, a sign-up and a claim outside rooms. */
const httpEvents = [
  { id: 'v2-refund-1', type: 'order.refunded', ...inStream, ts: T0 + 2 * DAY, accountId: 'acct-1', orderId: 'o-1', amount: 3_000, returned: false, reason: 'spoiled on arrival' },
  { id: 'v2-refund-2', type: 'order.refunded', ...inStream, ts: T0 + 3 * DAY, accountId: 'acct-2', orderId: 'o-2', amount: 5_000, returned: true, reason: 'wrong size' },
  { id: 'v2-register-4', type: 'account.registered', ts: T0 + DAY, accountId: 'acct-4' },
  { id: 'v2-claim-off-4', type: 'coupon.claimed', ts: T0 + DAY + MINUTE, accountId: 'acct-4', couponId: 'cpn-3', campaignId: 'welcome', value: 1_000, device: { multiInstance: true } },
  { id: 'v2-bad-sale', type: 'sale.opened', ...inStream, ts: T0, skuId: 's', salePrice: 1, listPrice: 1, currency: 'CNY', stock: 0 },
];

const STREAMLESS = 4;

interface IngestAck {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; id?: string; error: string }>;
}

interface Status {
  status: string;
  components: {
    detection: { mode: string; engine: { streamlessEvents: number; lateEvents: number; eventsProcessed: number; liveStreams: number; finalisedStreams: number } };
    quarantine: { quarantined: number };
  };
}

async function api<T>(service: ServiceProcess, path: string, key: string | null, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function sendOverSocket(service: ServiceProcess, token: string, events: unknown[]): Promise<IngestAck> {
  const socket: Socket = io(`${service.baseUrl}/ingest`, { auth: { token }, transports: ['websocket'], reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return (await socket.timeout(10_000).emitWithAck('events', events)) as IngestAck;
  } finally {
    socket.disconnect();
  }
}

function sendNdjson(service: ServiceProcess, token: string, events: unknown[]): Promise<{ status: number; body: IngestAck }> {
  return api<IngestAck>(service, '/v1/events', token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: events.map((event) => JSON.stringify(event)).join('\n'),
  });
}

/** What the v2 tables and columns hold, as one comparable picture. */
async function stored(pool: pg.Pool): Promise<Record<string, unknown>> {
  const rows = async (sql: string) => (await pool.query(sql)).rows;
  return {
    streamlessLog: await rows(`SELECT event_id, type, account_id FROM events WHERE room_id IS NULL AND stream_id IS NULL ORDER BY event_id`),
    orders: await rows(`
      SELECT order_id, coupon_id, discount::text, recipient_hash, payment_account_hash, virtual, category, device_model, device_hooked,
             device_cloud_phone, device_multi_instance, paid_amount::text, refunded_amount::text, refunded_unreturned_amount::text
        FROM orders ORDER BY order_id`),
    refunds: await rows(`SELECT event_id, amount::text, returned, reason FROM order_refunds ORDER BY event_id`),
    sales: await rows(`SELECT event_id, stream_id, sku_id, sale_price::text, list_price::text, stock::text, per_account_limit, opens_at::text FROM sale_openings`),
    claims: await rows(`
      SELECT event_id, account_id, coupon_id, campaign_id, value::text, min_spend::text, room_id, stream_id, subnet, device_hooked, device_multi_instance
        FROM coupon_claims ORDER BY event_id`),
    registrations: await rows(`SELECT account_id, event_id, registered_at::text, phone_hash, channel, subnet, device_model, device_cloud_phone FROM account_registrations ORDER BY account_id`),
    streams: await rows(`SELECT stream_id, room_id, last_ts::text, activity_ts::text FROM streams`),
    quarantined: await rows(`SELECT seq FROM quarantined_events`),
  };
}

describe('v2 events end to end', () => {
  const databaseUrl = uniqueDatabaseUrl('v2events');
  const env = { DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwv2-${Date.now()}` };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let service: ServiceProcess;
  let ingestKey: string;
  let reviewerKey: string;
  let before: Record<string, unknown>;

  afterAll(async () => {
    await service?.stop();
    await pool.end();
    await dropDatabase(databaseUrl);
  }, 60_000);

  it('accepts each v2 type over socket.io and HTTP, rejecting bad ones alone by field', async () => {
    service = await startServiceProcess(env);
    const create = async (body: unknown) => (await api<{ key: string }>(service, '/v1/api-keys', TEST_ADMIN_KEY, { method: 'POST', body: JSON.stringify(body) })).body.key;
    ingestKey = await create({ role: 'ingest' });
    reviewerKey = await create({ role: 'reviewer' });

    const socketAck = await sendOverSocket(service, ingestKey, socketEvents);
    const indexOf = (id: string) => socketEvents.findIndex((event) => event.id === id);
    expect(socketAck).toEqual({
      accepted: socketEvents.length - 3,
      duplicates: 0,
      rejected: [
        { index: indexOf('v2-bad-register'), id: 'v2-bad-register', error: 'roomId: must not be set: account.registered belongs to no room; streamId: must not be set: account.registered belongs to no room' },
        { index: indexOf('v2-bad-claim'), id: 'v2-bad-claim', error: 'streamId: is required with roomId (they come together or not at all)' },
        { index: indexOf('v2-bad-discount'), id: 'v2-bad-discount', error: 'discount: must be at most unitPrice × quantity' },
      ],
    });
    const http = await sendNdjson(service, ingestKey, httpEvents);
    expect(http).toEqual({
      status: 200,
      body: { accepted: httpEvents.length - 1, duplicates: 0, rejected: [{ index: httpEvents.length - 1, id: 'v2-bad-sale', error: 'stock: must be at least 1' }] },
    });
    await waitForBacklogZero(service.baseUrl);
  }, 120_000);

  it('stores them where the detectors will read them, streamless ones in the log without a stream', async () => {
    before = await stored(pool);
    expect(before.streamlessLog).toEqual([
      { event_id: 'v2-claim-off', type: 'coupon.claimed', account_id: 'acct-3' },
      { event_id: 'v2-claim-off-4', type: 'coupon.claimed', account_id: 'acct-4' },
      { event_id: 'v2-register-3', type: 'account.registered', account_id: 'acct-3' },
      { event_id: 'v2-register-4', type: 'account.registered', account_id: 'acct-4' },
    ]);
    expect(before.orders).toEqual([
      {
        order_id: 'o-1', coupon_id: 'cpn-1', discount: '2000', recipient_hash: 'rc-1', payment_account_hash: 'pa-1', virtual: false, category: 'fresh food',
        device_model: 'PJZ110', device_hooked: true, device_cloud_phone: false, device_multi_instance: true,
        paid_amount: '8000', refunded_amount: '3000', refunded_unreturned_amount: '3000',
      },
      {
        order_id: 'o-2', coupon_id: null, discount: null, recipient_hash: null, payment_account_hash: null, virtual: null, category: null,
        device_model: null, device_hooked: null, device_cloud_phone: null, device_multi_instance: null,
        paid_amount: '5000', refunded_amount: '5000', refunded_unreturned_amount: '0',
      },
    ]);
    expect(before.refunds).toEqual([
      { event_id: 'v2-refund-1', amount: '3000', returned: false, reason: 'spoiled on arrival' },
      { event_id: 'v2-refund-2', amount: '5000', returned: true, reason: 'wrong size' },
    ]);
    expect(before.sales).toEqual([
      { event_id: 'v2-sale', stream_id: 'stream-v2', sku_id: 'sku-flash', sale_price: '5000', list_price: '5900', stock: '100', per_account_limit: 1, opens_at: String(T0 + 2 * MINUTE) },
    ]);
    expect(before.claims).toEqual([
      { event_id: 'v2-claim-off', account_id: 'acct-3', coupon_id: 'cpn-2', campaign_id: 'welcome', value: '1000', min_spend: null, room_id: null, stream_id: null, subnet: null, device_hooked: null, device_multi_instance: null },
      { event_id: 'v2-claim-off-4', account_id: 'acct-4', coupon_id: 'cpn-3', campaign_id: 'welcome', value: '1000', min_spend: null, room_id: null, stream_id: null, subnet: null, device_hooked: null, device_multi_instance: true },
      { event_id: 'v2-claim-room', account_id: 'acct-1', coupon_id: 'cpn-1', campaign_id: 'camp-room', value: '2000', min_spend: '6000', room_id: 'room-v2', stream_id: 'stream-v2', subnet: '203.0.113.0/24', device_hooked: true, device_multi_instance: true },
    ]);
    expect(before.registrations).toEqual([
      { account_id: 'acct-3', event_id: 'v2-register-3', registered_at: String(T0 - 10 * MINUTE), phone_hash: 'ph-3', channel: 'ad_campaign', subnet: '198.51.100.0/24', device_model: 'V2309A', device_cloud_phone: true },
      { account_id: 'acct-4', event_id: 'v2-register-4', registered_at: String(T0 + DAY), phone_hash: null, channel: null, subnet: null, device_model: null, device_cloud_phone: null },
    ]);
    // One stream, whose clock the announcement (ahead of it) and the events of no room left alone.
    expect(before.streams).toEqual([{ stream_id: 'stream-v2', room_id: 'room-v2', last_ts: String(T0 + 3 * DAY), activity_ts: String(T0 + 10 * MINUTE) }]);
    expect(before.quarantined).toEqual([]);
  });

  it('keeps the audit exact with discounts, lists the one stream, and the engine counts the streamless events apart', async () => {
    const audit = await api<{ verified: Record<string, number> }>(service, '/v1/streams/stream-v2/sales-audit', reviewerKey);
    expect(audit.body.verified).toEqual({
      orders: 2, paidOrders: 2, refundedOrders: 2, grossAtListPrice: 3 * 5_900, grossPaid: 13_000, refunded: 8_000, net: 5_000, suspectedBrushing: 0,
      // The spoiled food came back as a refund without return; o-1's coupon took 20.00 off.
      refundedWithoutReturn: 3_000, couponDiscounts: 2_000, virtualPaid: 0, virtualShare: 0, suspectedCouponAbuse: 0, suspectedCashOut: 0,
    });
    const streams = await api<{ items: Array<{ streamId: string }> }>(service, '/v1/streams', reviewerKey);
    expect(streams.body.items.map((stream) => stream.streamId)).toEqual(['stream-v2']);
    const status = await api<Status>(service, '/v1/status', reviewerKey);
    expect(status.body.status).toBe('ok');
    expect(status.body.components.quarantine.quarantined).toBe(0);
    expect(status.body.components.detection.engine).toMatchObject({ streamlessEvents: STREAMLESS, lateEvents: 0 });
    expect(status.body.components.detection.engine.liveStreams + status.body.components.detection.engine.finalisedStreams).toBe(1);
  });

  it('survives a crash: the restart replays the log through the v2 events, and resends change nothing', async () => {
    await killService(service, 'SIGKILL');
    service = await startServiceProcess(env);
    await waitForBacklogZero(service.baseUrl);
    const status = await api<Status>(service, '/v1/status', reviewerKey);
    expect(status.body.status).toBe('ok');
    // The replay went through the whole stream's span of the log, events of no room included, and set none aside.
    expect(status.body.components.detection.engine).toMatchObject({ streamlessEvents: STREAMLESS, lateEvents: 0 });

    const again = await sendOverSocket(service, ingestKey, socketEvents);
    expect(again).toMatchObject({ accepted: 0, duplicates: socketEvents.length - 3 });
    expect((await sendNdjson(service, ingestKey, httpEvents)).body).toMatchObject({ accepted: 0, duplicates: httpEvents.length - 1 });
    // A second registration of acct-3, earlier in event time, wins whatever order the two came in.
    const earlier = { id: 'v2-register-3-earlier', type: 'account.registered', ts: T0 - 20 * MINUTE, accountId: 'acct-3', channel: 'app_store' };
    expect(await sendOverSocket(service, ingestKey, [earlier])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    await waitForBacklogZero(service.baseUrl);

    const after = await stored(pool);
    expect(after.registrations).toEqual([
      { account_id: 'acct-3', event_id: 'v2-register-3-earlier', registered_at: String(T0 - 20 * MINUTE), phone_hash: null, channel: 'app_store', subnet: null, device_model: null, device_cloud_phone: null },
      (before.registrations as unknown[])[1],
    ]);
    expect({ ...after, registrations: null, streamlessLog: null }).toEqual({ ...before, registrations: null, streamlessLog: null });
    expect((after.streamlessLog as unknown[]).length).toBe(STREAMLESS + 1);
  }, 180_000);
});
