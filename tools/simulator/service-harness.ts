import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { ReportKind } from '../../src/detection/engine/finding.js';
import type { RoomEvent } from '../../src/events/event.schema.js';
import type { ExpectedSalesAudit, VerifiedSales } from './sales.js';

/**
 * What the eval and demo drivers share: running the built service as a
 * child process, minting keys, and the few HTTP calls they make. Only the
 * external contract (CONTRACT.md) is used, never the service's internals.
 */

/** A report as CONTRACT.md §3 shows it. */
export interface ApiReport {
  id: string;
  kind: ReportKind;
  subjectType: 'room' | 'account';
  subjectId: string;
  roomId: string;
  streamId: string;
  score: number;
  severity: 'low' | 'medium' | 'high';
  status: 'open' | 'confirmed' | 'dismissed';
  summary: string;
  accounts: string[];
  evidence: Record<string, unknown>;
  detectedAt: number;
  version: number;
  updatedAt: string;
}

/** CONTRACT.md §4: what the generator expects, plus the figures that depend on the detectors. */
export interface ApiSalesAudit extends ExpectedSalesAudit {
  verified: VerifiedSales & { suspectedBrushing: number };
  inflation: { amount: number; ratio: number } | null;
}

export interface ApiKey {
  id: string;
  role: 'ingest' | 'reviewer' | 'merchant';
  merchantId: string | null;
  key: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The repository root, found from this file's place in dist-tools/tools/simulator or tools/simulator. */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes('dist-tools') ? resolve(here, '../../..') : resolve(here, '../..');
}

export const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432';

export function databaseUrl(databaseName: string, server = process.env.ROOMWATCH_PG_SERVER ?? DEFAULT_POSTGRES): string {
  return `${server.replace(/\/$/, '')}/${databaseName}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface RunningService {
  baseUrl: string;
  port: number;
  adminKey: string;
  databaseUrl: string;
  logPath: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  databaseUrl: string;
  adminKey: string;
  port?: number;
  /** How long to wait for GET /v1/status to answer. */
  readyTimeoutMs?: number;
  /** More environment for the service (LOG_LEVEL, REDIS_PREFIX, ...). */
  env?: Record<string, string>;
}

/**
 * V8 flags the service runs with (as `npm start` does): a young generation
 * large enough that events waiting out the allowed lateness in the engine's
 * reorder buffers die young instead of being promoted (see bench/engine.bench.ts).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * Starts `node dist/src/main.js` with its own database and admin key, logs to
 * a file, and resolves once `GET /v1/status` answers. Rejects with the
 * service's last output lines if it exits or never answers.
 */
export async function startService(options: StartOptions): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  const root = repoRoot();
  const logPath = join(tmpdir(), `roomwatch-${port}-${Date.now()}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(root, 'dist/src/main.js')], {
    cwd: root,
    // Its own Redis prefix per database, so an eval and a demo running at
    // once never share queues.
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      ADMIN_KEY: options.adminKey,
      REDIS_PREFIX: redisPrefixOf(options.databaseUrl),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const remember = (chunk: Buffer): void => {
    log.write(chunk);
    tail.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - 15));
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      log.end();
      resolveExit();
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const service: RunningService = {
    baseUrl,
    port,
    adminKey: options.adminKey,
    databaseUrl: options.databaseUrl,
    logPath,
    child,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`the service exited (code ${exitCode}) before answering GET /v1/status:\n  ${tail.join('\n  ')}\n(full log: ${logPath})`);
    }
    try {
      const response = await fetch(`${baseUrl}/v1/status`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return service;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`the service did not answer GET ${baseUrl}/v1/status within ${(options.readyTimeoutMs ?? 60_000) / 1000} s:\n  ${tail.join('\n  ')}\n(full log: ${logPath})`);
    }
    await sleep(300);
  }
}

async function request<T>(baseUrl: string, path: string, token: string | null, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const send = () =>
    fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A read whose pooled keep-alive connection the server had just closed fails before it is sent ("fetch failed"):
    // a GET is safe to send once more. Anything else, or a second failure, is the answer.
    if ((init.method ?? 'GET') !== 'GET' || !(error instanceof TypeError)) throw error;
    response = await send();
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new HttpError(response.status, `${init.method ?? 'GET'} ${path} answered ${response.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

export function createApiKey(baseUrl: string, adminKey: string, role: ApiKey['role'], merchantId?: string): Promise<ApiKey> {
  return request<ApiKey>(baseUrl, '/v1/api-keys', adminKey, { method: 'POST', body: merchantId ? { role, merchantId } : { role } });
}

export async function getStatus(baseUrl: string): Promise<{ backlog: number }> {
  return request<{ backlog: number }>(baseUrl, '/v1/status', null);
}

/**
 * Polls until the backlog reads 0 on several consecutive polls (a single 0
 * can fall between a commit and the engine picking the batch up).
 */
export async function waitForBacklogZero(baseUrl: string, options: { timeoutMs?: number; onPoll?: (backlog: number) => void } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let zeros = 0;
  let failures = 0;
  for (;;) {
    let backlog: number;
    try {
      ({ backlog } = await getStatus(baseUrl));
      failures = 0;
    } catch (error) {
      // A status read the service could not answer (a pool timeout on a loaded machine) is read again; five in a row end the wait.
      if (!(error instanceof HttpError && error.status >= 500) || ++failures >= 5) throw error;
      await sleep(2_000);
      continue;
    }
    options.onPoll?.(backlog);
    zeros = backlog === 0 ? zeros + 1 : 0;
    if (zeros >= 3) return;
    if (Date.now() > deadline) throw new Error(`backlog still ${backlog} after ${(options.timeoutMs ?? 1_800_000) / 1000} s`);
    await sleep(backlog === 0 ? 300 : 1_000);
  }
}

export async function fetchAllReports(baseUrl: string, reviewerKey: string): Promise<ApiReport[]> {
  const reports: ApiReport[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const page: { items: ApiReport[]; nextCursor: string | null } = await request(baseUrl, `/v1/reports${query}`, reviewerKey);
    reports.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return reports;
}

/** CONTRACT.md §7: the answer of `POST /v1/decisions`. */
export interface ApiDecision {
  eventId: string;
  decision: 'pass' | 'review' | 'reject';
  score: number;
  riskCodes: string[];
  reasons: string[];
  rules: Array<{ id: string; score: number; mode: string }>;
  decidedAt: string;
}

/** One decision; a request lost on a closed keep-alive connection is sent once more (a resend of the same id answers the same decision). */
export async function postDecision(baseUrl: string, ingestKey: string, event: RoomEvent): Promise<ApiDecision> {
  try {
    return await request<ApiDecision>(baseUrl, '/v1/decisions', ingestKey, { method: 'POST', body: event });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return request<ApiDecision>(baseUrl, '/v1/decisions', ingestKey, { method: 'POST', body: event });
  }
}

/**
 * Whether the service answers `POST /v1/decisions`: an empty body is bad
 * input (400) where the route exists, and 404 where it does not (a branch
 * built before it).
 */
export async function decisionsServed(baseUrl: string, ingestKey: string): Promise<boolean> {
  try {
    await request(baseUrl, '/v1/decisions', ingestKey, { method: 'POST', body: {} });
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return false;
    if (error instanceof HttpError) return true;
    throw error;
  }
}

export function fetchSalesAudit(baseUrl: string, token: string, streamId: string): Promise<ApiSalesAudit> {
  return request<ApiSalesAudit>(baseUrl, `/v1/streams/${encodeURIComponent(streamId)}/sales-audit`, token);
}

/** Drops a database the drivers created, through the server's maintenance database. */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^roomwatch_(eval|demo)_?[a-z0-9_]*$/.test(name)) throw new Error(`refusing to drop ${name}: not a database the drivers created`);
  target.pathname = '/postgres';
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The Redis prefix a service started by `startService` uses for this database. */
export function redisPrefixOf(databaseUrl: string): string {
  return `roomwatch-${new URL(databaseUrl).pathname.slice(1)}`;
}

/** Deletes every Redis key under a driver's prefix (BullMQ queues, notices), so a run leaves nothing behind. */
export async function clearRedisPrefix(prefix: string, redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<number> {
  if (!/^roomwatch-roomwatch_(eval|demo)_[a-z0-9_]+$/.test(prefix)) throw new Error(`refusing to clear ${prefix}: not a prefix the drivers created`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
