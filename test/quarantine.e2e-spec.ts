import pg from 'pg';
import { type ServiceProcess, callService, killService, startServiceProcess } from './support/service-process.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;

interface Status {
  status: string;
  components: { quarantine?: { quarantined: number } };
}
interface Quarantined {
  seq: number;
  eventId: string;
  type: string;
  streamId: string;
  error: string;
  replayedAt: string | null;
}

const call = <T>(service: ServiceProcess, path: string, key: string | null, init: { method?: string; body?: unknown } = {}) =>
  callService<T>(service, path, { ...init, key });

/** A stream that sells 10,000 and claims ten times that: an inflated_gmv report once its claim is judged. */
function inflatedStream(streamId: string, extra: unknown[] = []): unknown[] {
  const base = (id: string, ts: number) => ({ id: `${streamId}-${id}`, roomId: `room-${streamId}`, streamId, ts });
  return [
    { ...base('start', T0), type: 'stream.started', merchantId: 'm-q' },
    { ...base('placed', T0 + MIN), type: 'order.placed', accountId: 'buyer', orderId: `${streamId}-o1`, skuId: 'sku', quantity: 1, unitPrice: 10_000, listPrice: 10_000, currency: 'CNY' },
    { ...base('paid', T0 + 2 * MIN), type: 'order.paid', accountId: 'buyer', orderId: `${streamId}-o1`, amount: 10_000 },
    ...extra,
    { ...base('end', T0 + 30 * MIN), type: 'stream.ended' },
    { ...base('claim', T0 + 31 * MIN), type: 'sales.claimed', gmv: 100_000, orders: 10 },
  ];
}

/**
 * Issue 12 defect 1: a poison event (one that passes validation but makes a
 * handler fail, here by a database trigger standing in for any such bug) is
 * set aside after bounded retries; every other stream keeps its reports,
 * across a restart, and an operator can replay it once the cause is gone.
 */
describe('a poison event', () => {
  const databaseUrl = uniqueDatabaseUrl('quarantine');
  const running: ServiceProcess[] = [];
  let db: pg.Client;

  afterAll(async () => {
    for (const service of running) await service.stop();
    await db?.end();
    await dropDatabase(databaseUrl);
  });

  it('is quarantined while other streams keep getting reports, across a restart, and replays once fixed', async () => {
    const env = { DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwquarantine-${Date.now()}` };
    const first = await startServiceProcess(env);
    running.push(first);
    const ingest = (await call<{ key: string }>(first, '/v1/api-keys', TEST_ADMIN_KEY, { method: 'POST', body: { role: 'ingest' } })).body.key;
    const reviewer = (await call<{ key: string }>(first, '/v1/api-keys', TEST_ADMIN_KEY, { method: 'POST', body: { role: 'reviewer' } })).body.key;
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`
      CREATE FUNCTION poison_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sku_id = 'poison-sku' THEN RAISE EXCEPTION 'test fault: this order cannot be stored'; END IF;
        RETURN NEW;
      END $$`);
    await db.query('CREATE TRIGGER poison_fault BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION poison_fault()');

    const poison = { id: 'st-poison-placed-bad', roomId: 'room-st-poison', streamId: 'st-poison', ts: T0 + 3 * MIN, type: 'order.placed', accountId: 'buyer-2', orderId: 'bad-1', skuId: 'poison-sku', quantity: 1, unitPrice: 500, listPrice: 500, currency: 'CNY' };
    // One batch: the poison shares it with another stream's events.
    const send = async (service: ServiceProcess, events: unknown[]) => {
      const ack = await call<{ accepted: number; rejected: unknown[] }>(service, '/v1/events', ingest, { method: 'POST', body: events });
      expect(ack.body).toMatchObject({ accepted: events.length, rejected: [] });
    };
    await send(first, [...inflatedStream('st-poison', [poison]), ...inflatedStream('st-q')]);
    await waitForBacklogZero(first.baseUrl, { timeoutMs: 60_000 });

    const reportsOf = async (service: ServiceProcess, streamId: string) =>
      (await call<{ items: unknown[] }>(service, `/v1/reports?kind=inflated_gmv&streamId=${streamId}`, reviewer)).body.items.length;
    expect(await reportsOf(first, 'st-q')).toBe(1);
    // The poison stream's other events went through: its claim was judged.
    expect(await reportsOf(first, 'st-poison')).toBe(1);
    const degraded = await call<Status>(first, '/v1/status', null);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.components.quarantine?.quarantined).toBe(1);
    expect((await call(first, '/v1/quarantine', reviewer)).status).toBe(401);
    const listed = await call<{ count: number; items: Quarantined[] }>(first, '/v1/quarantine', TEST_ADMIN_KEY);
    expect(listed.body.count).toBe(1);
    expect(listed.body.items).toEqual([expect.objectContaining({ eventId: poison.id, type: 'order.placed', streamId: 'st-poison', replayedAt: null })]);
    expect(listed.body.items[0]!.error).toContain('test fault');

    // A restart neither forgets the quarantine nor stalls on the poison again.
    await killService(first, 'SIGKILL');
    const second = await startServiceProcess(env, Number(new URL(first.baseUrl).port));
    running.push(second);
    await send(second, inflatedStream('st-after'));
    await waitForBacklogZero(second.baseUrl, { timeoutMs: 60_000 });
    expect(await reportsOf(second, 'st-after')).toBe(1);
    expect((await call<Status>(second, '/v1/status', null)).body.components.quarantine?.quarantined).toBe(1);
    const seq = listed.body.items[0]!.seq;

    // Replay while the cause is still there: refused with the error, still quarantined.
    const failed = await call<{ message: string }>(second, `/v1/quarantine/${seq}/replay`, TEST_ADMIN_KEY, { method: 'POST' });
    expect(failed.status).toBe(422);
    expect(JSON.stringify(failed.body)).toContain('test fault');
    expect((await call(second, '/v1/quarantine/abc/replay', TEST_ADMIN_KEY, { method: 'POST' })).status).toBe(400);
    expect((await call(second, '/v1/quarantine/999999999/replay', TEST_ADMIN_KEY, { method: 'POST' })).status).toBe(404);

    await db.query('DROP TRIGGER poison_fault ON orders');
    const replayed = await call<Quarantined>(second, `/v1/quarantine/${seq}/replay`, TEST_ADMIN_KEY, { method: 'POST' });
    expect(replayed.status).toBe(200);
    expect(replayed.body.replayedAt).not.toBeNull();
    const healthy = await call<Status>(second, '/v1/status', null);
    expect(healthy.body.status).toBe('ok');
    expect(healthy.body.components.quarantine?.quarantined).toBe(0);
    const audit = await call<{ verified: { orders: number } }>(second, '/v1/streams/st-poison/sales-audit', reviewer);
    expect(audit.body.verified.orders).toBe(2);
  }, 240_000);
});
