import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { waitFor } from './support/eventually.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { dropDatabase, emitWithAck, startTestApp, type TestApp, uniqueDatabaseUrl } from './support/test-app.js';

const MAIN = path.resolve(process.cwd(), 'dist/src/main.js');

/** Runs the built service with this environment and returns how it ended. */
function boot(env: Record<string, string | undefined>): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'warn', ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

/** As boot(), without blocking the event loop (the test itself holds the port open). */
function bootAsync(env: Record<string, string | undefined>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'warn', ...env } as NodeJS.ProcessEnv });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    }),
  );
}

describe('starting without what the service needs', () => {
  it('refuses to start without ADMIN_KEY and says so in one line', () => {
    const { status, stderr } = boot({ ADMIN_KEY: undefined });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/ADMIN_KEY/);
  });

  it('names the PostgreSQL URL it cannot reach, without a stack trace', () => {
    const { status, stderr } = boot({ ADMIN_KEY: 'a-long-enough-admin-key-0123456789abcdef', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/roomwatch' });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/roomwatch');
  });

  it('names a port already in use in one line', async () => {
    const occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '0.0.0.0', resolve));
    const port = (occupied.address() as AddressInfo).port;
    const databaseUrl = uniqueDatabaseUrl('faults_port');
    try {
      const { status, stderr } = await bootAsync({ ADMIN_KEY: 'a-long-enough-admin-key-0123456789abcdef', PORT: String(port), DATABASE_URL: databaseUrl });
      expect(status).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`roomwatch: cannot listen on 0.0.0.0:${port}: the port is already in use (set PORT, or HOST)`]);
    } finally {
      occupied.close();
      await dropDatabase(databaseUrl);
    }
  }, 40_000);

  it('names the Redis URL it cannot reach, without a stack trace', () => {
    const { status, stderr } = boot({ ADMIN_KEY: 'a-long-enough-admin-key-0123456789abcdef', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('Redis is not reachable at redis://127.0.0.1:1');
  });
});

describe('PostgreSQL going away while events arrive', () => {
  let proxy: TcpProxy;
  let harness: TestApp;

  beforeAll(async () => {
    const direct = new URL(uniqueDatabaseUrl('faults'));
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    direct.port = String(await proxy.start());
    harness = await startTestApp('faults', { DATABASE_URL: direct.toString() });
  });

  afterAll(async () => {
    await proxy.restore();
    await harness.close();
    await proxy.cut();
  }, 30_000);

  it('answers not ready while PostgreSQL is cut and ready again after, staying live throughout', async () => {
    type Health = { status: string; message?: string; info?: Record<string, unknown>; details?: Record<string, unknown> };
    const ready = await harness.request<Health>('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' }, migrations: { status: 'up' }, detection: { status: 'up' } } });

    await proxy.cut();
    const cut = await harness.request<Health>('/health/ready');
    expect(cut.status).toBe(503);
    expect(cut.body).toMatchObject({ statusCode: 503, status: 'error', details: { postgres: { status: 'down' }, redis: { status: 'up' } } });
    expect(cut.body.message).toMatch(/^not ready: .*postgres/);
    expect((await harness.request<Health>('/health/live')).status).toBe(200);

    await proxy.restore();
    const again = await waitFor(
      'GET /health/ready to answer 200 once PostgreSQL is back',
      async () => {
        const response = await harness.request<Health>('/health/ready');
        if (response.status === 200) return response;
        throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(again.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' } } });
  }, 30_000);

  it('acks nothing with a retryable error while it is away, then accepts again by itself', async () => {
    const key = (await harness.createKey('ingest')).key;
    const socket = await harness.connect('/ingest', key);
    const like = (id: string) => ({ id, type: 'like', roomId: 'r', streamId: 's', ts: 1_764_000_000_000, accountId: 'a', count: 1 });

    expect(await emitWithAck(socket, 'events', [like('fault-before')])).toMatchObject({ accepted: 1 });
    await proxy.cut();
    const during = await emitWithAck<{ accepted: number; error?: { code: string; retryable: boolean } }>(socket, 'events', [like('fault-during')]);
    expect(during.accepted).toBe(0);
    expect(during.error).toMatchObject({ code: 'storage_unavailable', retryable: true });
    expect(socket.connected).toBe(true);

    await proxy.restore();
    // The sender's retry of the same batch is now accepted.
    const retried = await waitFor(
      'a resend of the refused batch to be accepted once PostgreSQL is back',
      async () => {
        const ack = await emitWithAck<{ accepted: number; error?: unknown }>(socket, 'events', [like('fault-during')]);
        if (ack.accepted > 0) return ack;
        throw new Error(`ack ${JSON.stringify(ack)}`);
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(retried).toMatchObject({ accepted: 1, duplicates: 0 });
  }, 30_000);
});
