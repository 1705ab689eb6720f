import { readFile } from 'node:fs/promises';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { createApiKey } from '../tools/simulator/service-harness.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

/**
 * Issue 12 defects 3 and 7, against the built service as a child process:
 * its memory is read from its own `GET /v1/status` and its log from the file
 * the harness writes.
 */

type Status = { components: Record<string, Record<string, number>> };

async function status(service: ServiceProcess): Promise<Status> {
  const response = await fetch(`${service.baseUrl}/v1/status`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
  return (await response.json()) as Status;
}

/**
 * A socket.io client written against the wire protocol (engine.io v4) so it
 * can stop reading: after the namespace handshake it pauses the websocket and
 * only writes.
 */
async function connectRawIngest(service: ServiceProcess, token: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${service.port}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0{')) socket.send(`40/ingest,${JSON.stringify({ token })}`);
      else if (text.startsWith('40/ingest,')) resolve();
      else if (text.startsWith('44/ingest,')) reject(new Error(text));
    });
  });
  socket.removeAllListeners('message');
  socket.on('error', () => {});
  return socket;
}

describe('a client that never reads its acks', () => {
  let service: ServiceProcess;
  let databaseUrl: string;
  let ingestKey: string;

  beforeAll(async () => {
    databaseUrl = uniqueDatabaseUrl('slowreader');
    service = await startServiceProcess({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwslow-${Date.now()}` });
    ingestKey = (await createApiKey(service.baseUrl, TEST_ADMIN_KEY, 'ingest')).key;
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await dropDatabase(databaseUrl);
  });

  // The bound the service keeps per connection is 4 MiB of unwritten acks
  // (src/ingest/ingest.gateway.ts); 64 MB of RSS leaves room for the kernel
  // buffers, the parsed frames and GC slack. Before the fix RSS grew by
  // about 70 MB a second under this client, to 1.5 GB in 20 s.
  const RSS_GROWTH_BOUND = 64 * 1024 * 1024;

  it('is disconnected, with the service memory bounded, while other clients carry on', async () => {
    const before = await status(service);
    const rssBefore = before.components.process!.rssBytes!;
    expect(before.components.ingestConnections).toMatchObject({ slowConsumersDropped: 0 });

    const reader = await connectRawIngest(service, ingestKey);
    reader.pause();
    const batch = JSON.stringify(['events', Array.from({ length: 1000 }, () => ({}))]);
    let sends = 0;
    let dropped = 0;
    let peakRss = rssBefore;
    // Each send is 3 KB in and a 42 KB ack out; 20,000 sends would be 800 MB of acks.
    while (sends < 20_000) {
      for (let i = 0; i < 50 && reader.readyState === WebSocket.OPEN; i++) reader.send(`42/ingest,${sends++}${batch}`);
      const now = await status(service);
      peakRss = Math.max(peakRss, now.components.process!.rssBytes!);
      dropped = now.components.ingestConnections!.slowConsumersDropped!;
      if (dropped > 0 || reader.readyState !== WebSocket.OPEN) break;
    }
    console.log(`slow reader: dropped after ${sends} sends; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB before, peak ${(peakRss / 2 ** 20).toFixed(0)} MB`);
    expect(dropped).toBe(1);
    expect(peakRss - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);

    // The dropped client sees its connection closed once it reads again.
    const closed = new Promise<void>((resolve) => {
      if (reader.readyState === WebSocket.CLOSED) resolve();
      else reader.once('close', () => resolve());
    });
    reader.resume();
    await closed;

    const healthy = io(`${service.baseUrl}/ingest`, { auth: { token: ingestKey }, transports: ['websocket'], reconnection: false });
    try {
      const ack = await healthy
        .timeout(10_000)
        .emitWithAck('events', [{ id: 'after-slow-1', type: 'viewer.left', roomId: 'r', streamId: 's', ts: 1_764_000_000_000, accountId: 'a' }]);
      expect(ack).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    } finally {
      healthy.disconnect();
    }
  }, 120_000);
});

describe('failed authentication', () => {
  let service: ServiceProcess;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = uniqueDatabaseUrl('authlimit');
    service = await startServiceProcess({
      DATABASE_URL: databaseUrl,
      ADMIN_KEY: TEST_ADMIN_KEY,
      REDIS_PREFIX: `rwauth-${Date.now()}`,
      AUTH_FAILURE_LIMIT: '6',
      AUTH_FAILURE_WINDOW_MS: '600000',
    });
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await dropDatabase(databaseUrl);
  });

  const call = (path: string, key: string, init: RequestInit = {}) =>
    fetch(`${service.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  const handshake = (token: string) =>
    new Promise<string>((resolve) => {
      const socket = io(`${service.baseUrl}/ingest`, { auth: { token }, transports: ['websocket'], reconnection: false });
      socket.once('connect', () => {
        socket.disconnect();
        resolve('connected');
      });
      socket.once('connect_error', (error) => resolve(error.message));
    });

  it('answers 429 past the limit on HTTP and socket handshakes alike, and logs every failure without the secret', async () => {
    const ingest = await createApiKey(service.baseUrl, TEST_ADMIN_KEY, 'ingest');
    const guesses = Array.from({ length: 6 }, (_, i) => `guessed-admin-key-${i}-abcdefghijklmnopqrstuvwxyz`);

    // Three wrong admin keys on a POST, one wrong key on a reviewer route, two wrong socket keys.
    for (const guess of guesses.slice(0, 3)) expect((await call('/v1/api-keys', guess, { method: 'POST', body: '{"role":"reviewer"}' })).status).toBe(401);
    expect((await call('/v1/reports', guesses[3]!)).status).toBe(401);
    expect(await handshake(guesses[4]!)).toBe('unauthorized');
    expect(await handshake(guesses[5]!)).toBe('unauthorized');

    // The address is now limited: even the right keys are refused until the window ends.
    const limited = await call('/v1/api-keys', TEST_ADMIN_KEY);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(await limited.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Authorization: too many failed authentications from this address; retry in \d+ s$/),
    });
    expect(await handshake(ingest.key)).toMatch(/^too many failed authentications from this address; retry in \d+ s$/);
    // Public routes stay open.
    expect((await fetch(`${service.baseUrl}/v1/status`)).status).toBe(200);

    const log = await readFile(service.logPath, 'utf8');
    const failures = log.split('\n').filter((line) => line.includes('authentication failed from'));
    expect(failures).toHaveLength(6);
    expect(failures.filter((line) => line.includes('on POST /v1/api-keys: not the admin key'))).toHaveLength(3);
    expect(failures.filter((line) => line.includes('on GET /v1/reports: unknown or revoked key'))).toHaveLength(1);
    expect(failures.filter((line) => line.includes('on socket.io /ingest: unknown or revoked key'))).toHaveLength(2);
    expect(failures[5]).toMatch(/limit reached/);
    for (const guess of guesses) expect(log).not.toContain(guess);
    expect(log).not.toContain(TEST_ADMIN_KEY);
    expect(log).not.toContain(ingest.key);
  }, 60_000);
});
