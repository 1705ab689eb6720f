/**
 * Ingest throughput: the full durable path against its two ceilings, measured
 * in one run on the same events.
 *
 *   full path  4 socket.io connections → the built service (validation, group
 *              commit to PostgreSQL, ack after commit), run twice: as an
 *              ingest node (ROOMWATCH_ROLE=ingest; detection runs in its own
 *              process, elsewhere) and all in one (ROOMWATCH_ROLE=all:
 *              detection shares the Node process and the two cores)
 *   socket.io  the same sends to a bare socket.io server that acks and discards
 *   COPY       the same rows COPY'd FROM STDIN in 1000-row batches (no service,
 *              no dedupe) into (a) a table of the same shape as the log: same
 *              columns, 16 hash partitions, the (stream_id, ts) and BRIN(seq)
 *              indexes, but no primary key; and (b) a bare heap with no index
 *              at all, for reference
 *
 *   sharded    an ingest node and N detect workers (ROOMWATCH_ROLE=detect,
 *              N = 1, 2) sharing the 64 partitions by lease: acked events/s
 *              and ack p99 as above, and how long after the first send every
 *              partition's checkpoint had passed the last event (the ingest
 *              node's backlog at 0): detected events/s, and the drain after
 *              the last ack (an upper bound of event-to-report latency for
 *              the last event)
 *
 * Run: npm run bench:ingest   (options: --events N --connections N --batch N --window N --sharded-only)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { quantile } from 'simple-statistics';
import type { Socket } from 'socket.io-client';
import { connectSocket } from './socket.js';
import { Server } from 'socket.io';
import { startServiceProcess } from '../../test/support/service-process.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    connections: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    window: { type: 'string', default: '4' },
    'bare-server': { type: 'boolean', default: false },
    'sharded-only': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(args.events);
const CONNECTIONS = Number(args.connections);
const BATCH = Number(args.batch);
/** Unacknowledged batches per connection: the bounded window. */
const WINDOW = Number(args.window);
const PG_SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef0123456789';

if (args['bare-server']) {
  // Child mode: the bare socket.io ceiling, in its own process like the service.
  const server = new Server({ maxHttpBufferSize: 16 * 1024 * 1024 });
  server.of('/ingest').on('connection', (socket) => {
    socket.on('events', (batch: unknown[], ack: (body: unknown) => void) =>
      ack({ accepted: batch.length, duplicates: 0, rejected: [] }),
    );
  });
  server.listen(Number(process.env.PORT));
  process.send?.('ready');
} else {
  await main();
}

async function main(): Promise<void> {
  const events = makeEvents(EVENTS);
  const bytes = events.reduce((sum, event) => sum + JSON.stringify(event).length, 0);
  console.log(`roomwatch ingest bench: ${EVENTS} events (~${Math.round(bytes / EVENTS)} B each as JSON), ` +
    `${CONNECTIONS} connections, batches of ${BATCH}, window ${WINDOW} per connection`);

  const sharded: Array<[number, ShardedMeasured]> = [];
  for (const workers of [1, 2]) sharded.push([workers, await measureSharded(events, workers)]);
  console.log('');
  console.log('| ingest node + detect workers | acked events/s | ack p99 ms | detected events/s (first send → every partition past the last event) | drain after the last ack, s |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [workers, result] of sharded) {
    console.log(`| 1 + ${workers} | ${fmt(result.eventsPerSecond)} | ${result.p99 ?? '–'} | ${fmt(result.detectedPerSecond)} | ${result.drainSeconds.toFixed(2)} |`);
  }
  if (args['sharded-only']) return;

  const copyShaped = await measureCopy(events, 'shaped');
  const copyHeap = await measureCopy(events, 'heap');
  const bare = await measureBareSocketIo(events);
  const full = await measureService(events, 'ingest');
  const allInOne = await measureService(events, 'all');

  console.log('');
  console.log('| path | events/s | ack p50 ms | ack p99 ms |');
  console.log('|---|---:|---:|---:|');
  const rows = [
    ['full durable path: ingest node (ROOMWATCH_ROLE=ingest)', full],
    ['full durable path: all in one process with detection (ROOMWATCH_ROLE=all)', allInOne],
    ['bare socket.io (receive, ack, discard)', bare],
    ['bare COPY, table of the log\'s shape without the dedupe key', copyShaped],
    ['bare COPY, heap without indexes', copyHeap],
  ] as const;
  for (const [name, result] of rows) {
    console.log(`| ${name} | ${fmt(result.eventsPerSecond)} | ${result.p50 ?? '–'} | ${result.p99 ?? '–'} |`);
  }
  console.log('');
  for (const [label, copy] of [['same shape', copyShaped], ['bare heap', copyHeap]] as const) {
    const ceiling = Math.min(copy.eventsPerSecond, bare.eventsPerSecond);
    const which = ceiling === copy.eventsPerSecond ? `COPY, ${label}` : 'socket.io';
    console.log(`full path / lower ceiling (${which}): ingest node ${(full.eventsPerSecond / ceiling).toFixed(2)}, all in one ${(allInOne.eventsPerSecond / ceiling).toFixed(2)}`);
  }
}

interface Measured {
  eventsPerSecond: number;
  p50?: number;
  p99?: number;
}

/** Room traffic of the usual mix; ids unique per run so nothing is a duplicate. */
function makeEvents(count: number): Array<Record<string, unknown>> {
  const run = randomBytes(3).toString('hex');
  const t0 = 1_764_000_000_000;
  const events: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i++) {
    const room = i % 50;
    const base = { id: `bench-${run}-${i}`, roomId: `room-${room}`, streamId: `stream-${run}-${room}`, ts: t0 + i * 5, accountId: `acct-${i % 20_011}`, deviceId: `dev-${i % 19_997}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
    const pick = i % 10;
    if (pick < 5) events.push({ ...base, type: 'comment', text: `这个多少钱 how much for size ${i % 7}? 666` });
    else if (pick < 8) events.push({ ...base, type: 'like', count: 1 + (i % 5) });
    else events.push({ ...base, type: 'viewer.joined', accountCreatedAt: t0 - (i % 900) * 86_400_000, device: { model: 'Pixel 8', os: 'Android 15', emulator: false, rooted: false } });
  }
  return events;
}

async function sendAll(url: string, token: string, events: Array<Record<string, unknown>>): Promise<Measured> {
  const sockets: Socket[] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    sockets.push(await connectSocket(url, '/ingest', token));
  }
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  let nextBatch = 0;
  const latencies: number[] = [];
  let accepted = 0;
  const started = performance.now();
  const lane = async (socket: Socket) => {
    for (;;) {
      const index = nextBatch++;
      if (index >= batches.length) return;
      const sentAt = performance.now();
      const ack = (await socket.timeout(60_000).emitWithAck('events', batches[index])) as { accepted: number; error?: unknown };
      if (ack.error) throw new Error(`batch refused: ${JSON.stringify(ack.error)}`);
      latencies.push(performance.now() - sentAt);
      accepted += ack.accepted;
    }
  };
  await Promise.all(sockets.flatMap((socket) => Array.from({ length: WINDOW }, () => lane(socket))));
  const seconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.disconnect();
  if (accepted !== events.length) throw new Error(`only ${accepted} of ${events.length} accepted`);
  return {
    eventsPerSecond: events.length / seconds,
    p50: Math.round(quantile(latencies, 0.5)),
    p99: Math.round(quantile(latencies, 0.99)),
  };
}

async function measureService(events: Array<Record<string, unknown>>, role: 'ingest' | 'all'): Promise<Measured> {
  const databaseUrl = `${PG_SERVER}/roomwatch_bench_${randomBytes(4).toString('hex')}`;
  const service = await startServiceProcess({ DATABASE_URL: databaseUrl, ADMIN_KEY, REDIS_PREFIX: `rwbench-${Date.now()}`, ROOMWATCH_ROLE: role });
  try {
    const response = await fetch(`${service.baseUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest' }),
    });
    const { key } = (await response.json()) as { key: string };
    // Warm up connections, JIT and the table's first pages on a slice.
    await sendAll(service.baseUrl, key, makeEvents(10_000));
    return await sendAll(service.baseUrl, key, events);
  } finally {
    await service.stop();
    await dropDatabase(databaseUrl);
  }
}

interface ShardedMeasured extends Measured {
  detectedPerSecond: number;
  drainSeconds: number;
}

/** Polls the ingest node's backlog (every partition's checkpoint against its commits) until it reads 0 three times; returns when it first did. */
async function untilDetected(baseUrl: string): Promise<number> {
  let zeros = 0;
  let firstZeroAt = 0;
  for (;;) {
    const status = (await (await fetch(`${baseUrl}/v1/status`)).json()) as { backlog: number };
    zeros = status.backlog === 0 ? zeros + 1 : 0;
    if (zeros === 1) firstZeroAt = performance.now();
    if (zeros >= 3) return firstZeroAt;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function measureSharded(events: Array<Record<string, unknown>>, workers: number): Promise<ShardedMeasured> {
  const databaseUrl = `${PG_SERVER}/roomwatch_bench_${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: databaseUrl, ADMIN_KEY, REDIS_PREFIX: `rwbench-${Date.now()}` };
  const ingest = await startServiceProcess({ ...env, ROOMWATCH_ROLE: 'ingest' });
  const detect = [];
  try {
    for (let i = 0; i < workers; i++) detect.push(await startServiceProcess({ ...env, ROOMWATCH_ROLE: 'detect' }));
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      // Every partition held, and none by more than its fair share: the workers have settled.
      for (;;) {
        const result = await client.query<{ free: string; most: string }>(
          `SELECT count(*) FILTER (WHERE owner IS NULL OR expires_at < now()) AS free,
                  (SELECT max(n) FROM (SELECT count(*) AS n FROM partition_leases WHERE expires_at >= now() GROUP BY owner) held) AS most
             FROM partition_leases`,
        );
        if (Number(result.rows[0]!.free) === 0 && Number(result.rows[0]!.most) <= Math.ceil(64 / workers)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await client.end();
    }
    const response = await fetch(`${ingest.baseUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest' }),
    });
    const { key } = (await response.json()) as { key: string };
    await sendAll(ingest.baseUrl, key, makeEvents(10_000));
    await untilDetected(ingest.baseUrl);
    const started = performance.now();
    const acked = await sendAll(ingest.baseUrl, key, events);
    const lastAckAt = performance.now();
    const detectedAt = await untilDetected(ingest.baseUrl);
    return { ...acked, detectedPerSecond: events.length / ((detectedAt - started) / 1000), drainSeconds: Math.max(0, detectedAt - lastAckAt) / 1000 };
  } finally {
    for (const worker of detect) await worker.stop();
    await ingest.stop();
    await dropDatabase(databaseUrl);
  }
}

async function measureBareSocketIo(events: Array<Record<string, unknown>>): Promise<Measured> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--bare-server'], { env: { ...process.env, PORT: String(port) } });
  await new Promise((resolve) => child.once('message', resolve));
  try {
    await sendAll(`http://127.0.0.1:${port}`, 'none', makeEvents(10_000));
    return await sendAll(`http://127.0.0.1:${port}`, 'none', events);
  } finally {
    child.kill();
  }
}

async function measureCopy(events: Array<Record<string, unknown>>, shape: 'shaped' | 'heap'): Promise<Measured> {
  const databaseUrl = `${PG_SERVER}/roomwatch_bench_copy_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(new URL(databaseUrl).pathname.slice(1))}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const columns = `seq bigserial, event_id text NOT NULL, type text NOT NULL, room_id text NOT NULL,
      stream_id text NOT NULL, account_id text, ts bigint NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), payload jsonb NOT NULL`;
    if (shape === 'heap') {
      await client.query(`CREATE TABLE events_copy (${columns})`);
    } else {
      await client.query(`CREATE TABLE events_copy (${columns}) PARTITION BY HASH (event_id)`);
      for (let remainder = 0; remainder < 16; remainder++) {
        await client.query(`CREATE TABLE events_copy_p${remainder} PARTITION OF events_copy FOR VALUES WITH (MODULUS 16, REMAINDER ${remainder})`);
      }
      await client.query('CREATE INDEX ON events_copy (stream_id, ts)');
      await client.query('CREATE INDEX ON events_copy USING brin (seq)');
    }
    const lines = events.map(({ id, type, roomId, streamId, accountId, ts, ...own }) =>
      [id, type, roomId, streamId, accountId ?? '\\N', ts, JSON.stringify(own)]
        .map((value) => String(value).replace(/\\(?!N$)/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'))
        .join('\t') + '\n',
    );
    const started = performance.now();
    for (let i = 0; i < lines.length; i += 1000) {
      const stream = client.query(copyStreams.from('COPY events_copy (event_id, type, room_id, stream_id, account_id, ts, payload) FROM STDIN'));
      await pipeline(Readable.from([lines.slice(i, i + 1000).join('')]), stream);
    }
    const seconds = (performance.now() - started) / 1000;
    return { eventsPerSecond: events.length / seconds };
  } finally {
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(databaseUrl).pathname.slice(1))} WITH (FORCE)`);
    await admin.end();
  }
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(databaseUrl).pathname.slice(1))} WITH (FORCE)`);
  await admin.end();
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
