import pg from 'pg';
import { io } from 'socket.io-client';
import { killService, startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const BATCH = 200;
const IN_FLIGHT = 4;

function comment(i: number) {
  return {
    id: `crash-${i}`,
    type: 'comment',
    roomId: `room-${i % 7}`,
    streamId: `stream-${i % 7}`,
    ts: T0 + i,
    accountId: `acct-${i % 311}`,
    text: `message number ${i}`,
  };
}

/**
 * Streams batches with a bounded window of unacknowledged sends until the
 * socket dies; returns the ids of every event whose batch was acked.
 */
async function streamUntilDisconnected(baseUrl: string, key: string, onAcked: (count: number) => void): Promise<Set<string>> {
  const socket = io(`${baseUrl}/ingest`, { auth: { token: key }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const acked = new Set<string>();
  let next = 0;
  let alive = true;
  socket.once('disconnect', () => (alive = false));
  const sender = async () => {
    while (alive) {
      const batch = Array.from({ length: BATCH }, () => comment(next++));
      try {
        const ack = (await socket.timeout(5_000).emitWithAck('events', batch)) as { accepted: number; duplicates: number };
        if (ack.accepted + ack.duplicates === batch.length) {
          for (const event of batch) acked.add(event.id);
          onAcked(acked.size);
        }
      } catch {
        return; // the service died with this batch in flight: it was never acked
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  socket.disconnect();
  return acked;
}

describe('a crash of the service', () => {
  const databaseUrl = uniqueDatabaseUrl('crash');
  const env = { DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwcrash-${Date.now()}` };
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    await dropDatabase(databaseUrl);
  });

  it('loses no acked event and stores none twice when killed with SIGKILL mid-stream', async () => {
    service = await startServiceProcess(env);
    const created = await fetch(`${service.baseUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest' }),
    });
    const { key } = (await created.json()) as { key: string };

    const victim = service;
    let killed = false;
    const acked = await streamUntilDisconnected(victim.baseUrl, key, (count) => {
      if (!killed && count >= 20_000) {
        killed = true;
        victim.child.kill('SIGKILL');
      }
    });
    await killService(victim, 'SIGKILL');
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(20_000);

    service = await startServiceProcess(env, Number(new URL(victim.baseUrl).port));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const stored = await db.query<{ event_id: string; copies: string }>(
        'SELECT event_id, count(*) AS copies FROM events GROUP BY event_id',
      );
      const copies = new Map(stored.rows.map((row) => [row.event_id, Number(row.copies)]));
      const missing = [...acked].filter((id) => !copies.has(id));
      expect(missing).toEqual([]);
      expect([...copies.values()].every((count) => count === 1)).toBe(true);
      // Batches in flight at the kill may or may not have been committed; never more than were sent.
      expect(copies.size).toBeGreaterThanOrEqual(acked.size);
    } finally {
      await db.end();
    }

    // A sender that resends everything after the restart gets duplicates, not copies.
    const resend = await fetch(`${service.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 1000 }, (_, i) => comment(i))),
    });
    expect(await resend.json()).toMatchObject({ accepted: 0, duplicates: 1000, rejected: [] });
  }, 120_000);
});
