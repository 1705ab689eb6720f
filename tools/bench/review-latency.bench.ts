/**
 * How soon a reviewer hears of a report: the wall-clock time from the ack of
 * the batch that holds the events justifying a report (the first batch
 * reaching its `detectedAt`) to `report.created` on `/reviews`, with an
 * evening replayed live, event time paced to the wall clock. The e2e suites
 * assert that the push comes and what it holds; the time it takes is
 * measured here, where a loaded machine moves a figure instead of failing a
 * test.
 *
 *   all    one process: ingest, detection, store and push
 *   split  an ingest node and a detect node on one database and Redis; the
 *          reviewer and the sender talk to the ingest node, so every report
 *          crosses processes (commit notice, detection, Redis push)
 *
 * Run: npm run bench:review   (options: --seed N --rooms N --speed N --topologies all,split)
 */
import { parseArgs } from 'node:util';
import { quantile } from 'simple-statistics';
import type { Socket } from 'socket.io-client';
import { connectSocket } from './socket.js';
import type { RoomEvent } from '../../src/events/event.schema.js';
import { generateEvening } from '../simulator/generator.js';
import { createApiKey, fetchAllReports } from '../simulator/service-harness.js';
import { waitFor } from '../../test/support/eventually.js';
import { type ServiceProcess, startServiceProcess } from '../../test/support/service-process.js';
import { waitForBacklogZero } from '../../test/support/status.js';
import { dropDatabase, uniqueDatabaseUrl } from '../../test/support/test-app.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '424242' },
    rooms: { type: 'string', default: '3' },
    /** Event time replayed per wall-clock second: an hour-long stream in 30 s. */
    speed: { type: 'string', default: '120' },
    topologies: { type: 'string', default: 'all,split' },
  },
});
const SPEED = Number(args.speed);
const TICK_MS = 100;
const MAX_IDLE_MS = 2_000;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef0123456789';

type Topology = 'all' | 'split';

interface Pushed {
  report: { kind: string; subjectType: string; streamId: string; detectedAt: number };
  receivedAt: number;
}

interface SentBatch {
  lastTs: number;
  ackedAt: number;
}

interface Measured {
  topology: Topology;
  stored: number;
  /** Push latency in ms per report.created, room reports and account reports apart. */
  room: number[];
  account: number[];
}

/**
 * Sends each event once the wall clock, scaled by SPEED, reaches its ts. A
 * quiet stretch longer than MAX_IDLE_MS of wall clock (between rooms, and the
 * days before late refunds) is skipped: nothing is measured while nothing is
 * sent.
 */
async function replayLive(socket: Socket, events: readonly RoomEvent[]): Promise<SentBatch[]> {
  const sent: SentBatch[] = [];
  let clockStart = performance.now();
  let tsStart = events[0]!.ts;
  const dueTs = () => tsStart + (performance.now() - clockStart) * SPEED;
  let next = 0;
  while (next < events.length) {
    if (events[next]!.ts - dueTs() > MAX_IDLE_MS * SPEED) {
      clockStart = performance.now();
      tsStart = events[next]!.ts;
    }
    const due = dueTs();
    const batch: RoomEvent[] = [];
    while (next < events.length && events[next]!.ts <= due && batch.length < 1000) batch.push(events[next++]!);
    if (batch.length > 0) {
      const ack = (await socket.timeout(60_000).emitWithAck('events', batch)) as { accepted: number; error?: unknown };
      if (ack.error || ack.accepted !== batch.length) throw new Error(`batch not fully accepted: ${JSON.stringify(ack)}`);
      sent.push({ lastTs: batch[batch.length - 1]!.ts, ackedAt: performance.now() });
    }
    if (next < events.length && events[next]!.ts > dueTs()) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  return sent;
}

async function measure(topology: Topology, events: readonly RoomEvent[]): Promise<Measured> {
  const databaseUrl = uniqueDatabaseUrl('bench_review');
  const env = { DATABASE_URL: databaseUrl, ADMIN_KEY, REDIS_PREFIX: `rwbench-review-${topology}-${Date.now()}` };
  const running: ServiceProcess[] = [];
  const sockets: Socket[] = [];
  try {
    const front = await startServiceProcess(topology === 'all' ? env : { ...env, ROOMWATCH_ROLE: 'ingest' });
    running.push(front);
    if (topology === 'split') running.push(await startServiceProcess({ ...env, ROOMWATCH_ROLE: 'detect' }));
    const ingest = await createApiKey(front.baseUrl, ADMIN_KEY, 'ingest');
    const reviewer = await createApiKey(front.baseUrl, ADMIN_KEY, 'reviewer');

    const pushed: Pushed[] = [];
    const reviews = await connectSocket(front.baseUrl, '/reviews', reviewer.key);
    sockets.push(reviews);
    reviews.on('report.created', (report: Pushed['report']) => pushed.push({ report, receivedAt: performance.now() }));
    const sender = await connectSocket(front.baseUrl, '/ingest', ingest.key);
    sockets.push(sender);

    const sent = await replayLive(sender, events);
    await waitForBacklogZero(front.baseUrl, { timeoutMs: 300_000 });
    const stored = (await fetchAllReports(front.baseUrl, reviewer.key)).length;
    // Every stored report was created once; its push may still be on its way.
    await waitFor(`${stored} report.created pushes`, () => (pushed.length >= stored ? true : undefined)).catch(() => undefined);

    const latencies = { room: [] as number[], account: [] as number[] };
    for (const { report, receivedAt } of pushed) {
      const justifying = sent.find((batch) => batch.lastTs >= report.detectedAt) ?? sent[sent.length - 1]!;
      (report.subjectType === 'room' ? latencies.room : latencies.account).push(receivedAt - justifying.ackedAt);
    }
    return { topology, stored, ...latencies };
  } finally {
    for (const socket of sockets) socket.disconnect();
    for (const service of running.reverse()) await service.stop();
    await dropDatabase(databaseUrl);
  }
}

function row(topology: Topology, subject: string, samples: number[]): string {
  if (samples.length === 0) return `| ${topology} | ${subject} | 0 | – | – | – |`;
  const ms = (q: number) => Math.round(quantile(samples, q));
  return `| ${topology} | ${subject} | ${samples.length} | ${ms(0.5)} | ${ms(0.9)} | ${Math.round(Math.max(...samples))} |`;
}

const evening = generateEvening({ seed: Number(args.seed), rooms: Number(args.rooms), attackShare: 1 });
/** Wall-clock seconds of the replay, quiet stretches skipped as replayLive does. */
let replaySeconds = 0;
for (let i = 1; i < evening.events.length; i++) {
  replaySeconds += Math.min(evening.events[i]!.ts - evening.events[i - 1]!.ts, MAX_IDLE_MS * SPEED) / SPEED / 1000;
}
console.log(
  `roomwatch review-latency bench: seed ${args.seed}, ${args.rooms} attacked rooms, ${evening.events.length} events, ` +
    `replayed live at ${SPEED}x event time, quiet stretches over ${MAX_IDLE_MS / 1000} s skipped (~${replaySeconds.toFixed(0)} s per topology)`,
);
const results: Measured[] = [];
for (const topology of String(args.topologies).split(',') as Topology[]) {
  if (topology !== 'all' && topology !== 'split') throw new Error(`--topologies: ${String(topology)} is not all or split`);
  results.push(await measure(topology, evening.events));
}
console.log('');
console.log('ack of the justifying batch → report.created at the reviewer (ms)');
console.log('| topology | subject | pushes | p50 | p90 | max |');
console.log('|---|---|---:|---:|---:|---:|');
for (const result of results) {
  console.log(row(result.topology, 'room', result.room));
  console.log(row(result.topology, 'account', result.account));
}
for (const result of results) {
  const pushes = result.room.length + result.account.length;
  console.log(`${result.topology}: ${pushes} report.created pushes for ${result.stored} stored reports`);
}
