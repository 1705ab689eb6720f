import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { portOf, startApp } from '../../src/platform/bootstrap.js';
import { type AppConfig, loadConfig } from '../../src/platform/config/config.js';
import { type CallOptions, callJson, type JsonResponse } from './http.js';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';
const SERVER_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestApp {
  app: INestApplication;
  baseUrl: string;
  config: AppConfig;
  databaseUrl: string;
  /** Creates a key through the admin API and returns its secret. */
  createKey(role: 'ingest' | 'reviewer' | 'merchant', merchantId?: string): Promise<{ id: string; key: string }>;
  /** Revokes a key through the admin API and answers the HTTP status (204 when it was live). */
  revokeKey(id: string): Promise<number>;
  /** An HTTP call with an optional Bearer key; the body is JSON or null. */
  request<T = unknown>(path: string, init?: CallOptions): Promise<JsonResponse<T>>;
  /** A connected socket.io client on a namespace, or the connect error message. */
  connect(namespace: string, token: string | undefined): Promise<Socket>;
  /** SQL straight on the suite's database, for what no API shows (stored rows, faults to plant). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  close(): Promise<void>;
}

/** A fresh database per suite, so suites never see each other's rows. */
export function uniqueDatabaseUrl(label: string): string {
  return `${SERVER_URL}/roomwatch_test_${label}_${randomBytes(4).toString('hex')}`;
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: `${SERVER_URL}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function startTestApp(label: string, env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = uniqueDatabaseUrl(label);
  const config = loadConfig({
    ADMIN_KEY: TEST_ADMIN_KEY,
    PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: `rwtest-${randomBytes(4).toString('hex')}`,
    ...env,
  });
  const app = await startApp(config);
  const baseUrl = `http://127.0.0.1:${portOf(app)}`;
  const sockets: Socket[] = [];
  let pool: pg.Pool | undefined;

  return {
    app,
    baseUrl,
    config,
    databaseUrl,
    async createKey(role, merchantId) {
      const response = await fetch(`${baseUrl}/v1/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role, ...(merchantId ? { merchantId } : {}) }),
      });
      if (response.status !== 201) throw new Error(`createKey: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; key: string };
    },
    async revokeKey(id) {
      return (await callJson(baseUrl, `/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE', key: TEST_ADMIN_KEY })).status;
    },
    request<T = unknown>(path: string, init: CallOptions = {}) {
      return callJson<T>(baseUrl, path, init);
    },
    connect(namespace, token) {
      const socket = io(`${baseUrl}${namespace}`, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (error) => reject(error));
      });
    },
    query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      pool ??= new pg.Pool({ connectionString: databaseUrl, max: 2 });
      return pool.query<R>(sql, params);
    },
    async close() {
      for (const socket of sockets) socket.disconnect();
      await pool?.end();
      await app.close();
      await dropDatabase(databaseUrl);
    },
  };
}

/** How many events whose id starts with the prefix the log holds. */
export async function countStoredEvents(harness: TestApp, idPrefix: string): Promise<number> {
  const result = await harness.query<{ count: number }>('SELECT count(*)::int AS count FROM events WHERE event_id LIKE $1', [`${idPrefix}%`]);
  return result.rows[0]!.count;
}

/** An ingest ack as the contract gives it (CONTRACT.md §2). */
export interface IngestAck {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; id?: string; error: string }>;
}

/** Sends one batch over a fresh `/ingest` socket and resolves with its ack. */
export async function sendBatch(harness: TestApp, ingestKey: string, events: unknown[]): Promise<IngestAck> {
  const socket = await harness.connect('/ingest', ingestKey);
  try {
    return await emitWithAck<IngestAck>(socket, 'events', events);
  } finally {
    socket.disconnect();
  }
}

/** Emits with an ack and resolves with it. */
export function emitWithAck<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}
