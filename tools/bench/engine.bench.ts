import { Worker } from 'node:worker_threads';
import type { RoomEvent } from '../../src/events/event.schema.js';
import { DetectionEngine } from '../../src/detection/engine/engine.js';
import { rng } from '../../test/support/detection/traffic.js';
import { generateEvening } from '../simulator/generator.js';
import { LoadGenerator, type LoadShape } from './engine/load.js';
import type { LoadBatch, LoadRequest } from './engine/load-worker.js';

/**
 * Engine benchmark: events/s through the engine alone and heap bytes per
 * concurrent viewer, for 10, 100 and 1000 concurrent rooms of 100 viewers,
 * then 10 rooms of 100, 1,000 and 10,000 viewers (BENCH_VIEWERS), then one
 * evening of the eval simulator (farms, traps, orders and comments; seed 7,
 * BENCH_EVENING_ROOMS rooms) fed in ts order. Prints figures and each
 * sweep's largest-to-smallest ratio; asserts nothing.
 *
 * The load is generated on a worker thread (its own heap and core) and
 * arrives as JSON, one second of event time at a time; parsing it is not
 * timed, handing the parsed events to the engine and draining its findings
 * is. Memory is the main heap after a full GC at 12 minutes of event time
 * less the heap before the engine existed (code already compiled by a
 * warm-up run), so it is the engine's state and nothing of the generator's.
 *
 *   npm run bench:engine   (node --expose-gc for exact heap figures;
 *   --max-semi-space-size=64 because every event waits out the allowed
 *   lateness in a reorder buffer: with the default young generation it is
 *   promoted before it dies, and old-space GC then dominates. The monitor
 *   process runs with the same flag.)
 */
const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  if (gc !== undefined) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

interface Result {
  rooms: number;
  events: number;
  eventsPerSecond: number;
  presentViewers: number;
  trackedAccounts: number;
  heapBytes: number;
  bytesPerViewer: number;
  bytesPerTrackedAccount: number;
  findings: number;
  lateEvents: number;
  evictedStreams: number;
}

/** Batches from the generator thread, requested a few seconds of event time ahead. */
class LoadFeed {
  private readonly worker: Worker;
  private readonly ready: LoadBatch[] = [];
  private waiting: ((batch: LoadBatch) => void) | undefined;
  private requested = 0;
  t0 = 0;

  private constructor(shape: LoadShape) {
    const request: LoadRequest = { shape };
    this.worker = new Worker(new URL('./engine/load-worker.js', import.meta.url), { workerData: request });
    this.worker.on('message', (message: LoadBatch | { t0: number }) => {
      if (!('json' in message)) return;
      this.requested--;
      if (this.waiting !== undefined) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(message);
      } else {
        this.ready.push(message);
      }
    });
  }

  static async start(shape: LoadShape): Promise<LoadFeed> {
    const feed = new LoadFeed(shape);
    feed.t0 = await new Promise<number>((resolve) => {
      feed.worker.once('message', (message: { t0: number }) => resolve(message.t0));
    });
    return feed;
  }

  /** The next second; asks for more while fewer than `ahead` are ready or on their way. */
  next(ahead = 8): Promise<LoadBatch> {
    const wanted = ahead - this.ready.length - this.requested;
    if (wanted > 0) {
      this.requested += wanted;
      this.worker.postMessage(wanted);
    }
    const batch = this.ready.shift();
    if (batch !== undefined) return Promise.resolve(batch);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Waits for every requested batch, so that none is in flight while the heap is measured. */
  async settle(): Promise<LoadBatch[]> {
    while (this.requested > 0) this.ready.push(await new Promise<LoadBatch>((resolve) => (this.waiting = resolve)));
    return this.ready.splice(0);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Runs a few small rooms through a throwaway engine so that compiled code is not counted as state. */
function warmUp(): void {
  const load = new LoadGenerator({ rooms: 5, viewersPerRoom: 100, streamMinutes: 10, attackedShare: 0.4, seed: 1 });
  const engine = new DetectionEngine();
  while (load.now < load.t0 + 25 * 60_000) {
    for (const event of JSON.parse(JSON.stringify(load.nextSecond())) as RoomEvent[]) engine.process(event);
    engine.drainFindings();
  }
  engine.flush();
  engine.drainFindings();
}

async function run(rooms: number, targetEvents: number, viewersPerRoom = 100): Promise<Result> {
  const shape: LoadShape = { rooms, viewersPerRoom, streamMinutes: 30, attackedShare: 0.1, seed: 7 };
  const feed = await LoadFeed.start(shape);
  const baseline = heapUsed();
  const engine = new DetectionEngine();
  let events = 0;
  let busyMs = 0;
  let findings = 0;
  let measured: Pick<Result, 'presentViewers' | 'trackedAccounts' | 'heapBytes'> | undefined;
  // Steady state: every stream 12 minutes in (past one mean watch time), rooms full.
  const measureAt = feed.t0 + 12 * 60_000;
  const minimumEnd = feed.t0 + 13 * 60_000;
  let second = feed.t0;
  const consume = (batch: LoadBatch): void => {
    const parsed = JSON.parse(batch.json) as RoomEvent[];
    const start = performance.now();
    for (let i = 0; i < parsed.length; i++) engine.process(parsed[i]);
    if (batch.second % 10_000 === 0) findings += engine.drainFindings().length;
    busyMs += performance.now() - start;
    events += parsed.length;
    second = batch.second;
  };
  while (events < targetEvents || second < minimumEnd) {
    const batch = await feed.next();
    consume(batch);
    if (measured === undefined && batch.second >= measureAt) {
      for (const pending of await feed.settle()) consume(pending);
      const heapBytes = heapUsed() - baseline;
      measured = { presentViewers: batch.presentViewers, trackedAccounts: engine.stats().trackedAccounts, heapBytes };
    }
  }
  await feed.stop();
  const stats = engine.stats();
  const m = measured ?? { presentViewers: 0, trackedAccounts: stats.trackedAccounts, heapBytes: heapUsed() - baseline };
  return {
    rooms,
    events,
    eventsPerSecond: Math.round(events / (busyMs / 1000)),
    presentViewers: m.presentViewers,
    trackedAccounts: m.trackedAccounts,
    heapBytes: m.heapBytes,
    bytesPerViewer: Math.round(m.heapBytes / Math.max(1, m.presentViewers)),
    bytesPerTrackedAccount: Math.round(m.heapBytes / Math.max(1, m.trackedAccounts)),
    findings,
    lateEvents: stats.lateEvents,
    evictedStreams: stats.evictedStreams,
  };
}

/**
 * The machine's own slope: ns for one lookup, with a freshly parsed key, in
 * per-room Maps holding as many accounts as the engine tracked. The engine
 * does one such lookup per account event plus the state it then touches, so
 * when this slows from 10 to 1000 rooms (caches and TLB overflowing), so
 * must the engine; compare the two ratios, not the engine's alone.
 */
function lookupReference(rooms: number, accountsPerRoom: number): number {
  const maps: Map<string, { seen: number }>[] = [];
  for (let r = 0; r < rooms; r++) {
    const map = new Map<string, { seen: number }>();
    for (let a = 0; a < accountsPerRoom; a++) map.set(JSON.parse(`"room-${r}-u${a}"`) as string, { seen: 0 });
    maps.push(map);
  }
  const random = rng(7);
  const probes: Array<[number, string]> = [];
  for (let i = 0; i < 200_000; i++) {
    const r = Math.floor(random() * rooms);
    probes.push([r, `room-${r}-u${Math.floor(random() * accountsPerRoom)}`]);
  }
  const fresh = JSON.parse(JSON.stringify(probes)) as Array<[number, string]>;
  const start = performance.now();
  for (const [r, key] of fresh) {
    const found = maps[r].get(key);
    if (found !== undefined) found.seen++;
  }
  return ((performance.now() - start) * 1e6) / fresh.length;
}

/** One result line: the label, then the columns every table shares, then a table's own. */
function printRow(r: Result, label: string, extra: readonly string[] = []): void {
  console.log(
    [
      label,
      String(r.events).padStart(9),
      String(r.eventsPerSecond).padStart(10),
      String(r.presentViewers).padStart(8),
      String(r.trackedAccounts).padStart(8),
      (r.heapBytes / 1_048_576).toFixed(1).padStart(8),
      String(r.bytesPerViewer).padStart(9),
      ...extra,
    ].join('  '),
  );
}

const roomCounts = (process.env.BENCH_ROOMS ?? '10,100,1000').split(',').map(Number);
const targetEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
console.log(`roomwatch engine bench: 100 viewers/room, 30-min streams back to back, 10% of rooms attacked; heap ${gc ? 'measured after gc' : 'approximate (run node with --expose-gc)'}`);
warmUp();
console.log('rooms  events     events/s   viewers  tracked  heap MB  B/viewer  B/tracked  findings  late  evicted');
const results: Result[] = [];
for (const rooms of roomCounts) {
  const r = await run(rooms, targetEvents);
  results.push(r);
  printRow(r, String(r.rooms).padStart(5), [String(r.bytesPerTrackedAccount).padStart(10), String(r.findings).padStart(9), String(r.lateEvents).padStart(5), String(r.evictedStreams).padStart(8)]);
}
const reference = results.map((r) => ({ rooms: r.rooms, ns: lookupReference(r.rooms, Math.max(1, Math.round(r.trackedAccounts / r.rooms))) }));
console.log(`machine reference, one Map lookup over the same tracked accounts: ${reference.map((r) => `${r.ns.toFixed(0)} ns at ${r.rooms} rooms`).join(', ')}`);
if (results.length > 1) {
  const first = results[0];
  const last = results[results.length - 1];
  const lookupRatio = reference[0].ns / reference[reference.length - 1].ns;
  console.log(
    `${first.rooms} → ${last.rooms} rooms: throughput ×${(last.eventsPerSecond / first.eventsPerSecond).toFixed(2)}, bytes/viewer ×${(last.bytesPerViewer / first.bytesPerViewer).toFixed(2)}; a bare lookup ×${lookupRatio.toFixed(2)}`,
  );
}

const viewerCounts = (process.env.BENCH_VIEWERS ?? '100,1000,10000').split(',').map(Number);
console.log('\n10 rooms, viewers a room swept (the same 30-min streams)');
console.log('viewers/room     events    events/s   viewers  tracked  heap MB  B/viewer');
const bySize: Result[] = [];
for (const viewers of viewerCounts) {
  const r = await run(10, targetEvents, viewers);
  bySize.push(r);
  printRow(r, String(viewers).padStart(12));
}
if (bySize.length > 1) {
  const rates = bySize.map((r) => r.eventsPerSecond);
  const bytes = bySize.map((r) => r.bytesPerViewer);
  console.log(
    `across room sizes: events/s ${Math.min(...rates).toLocaleString('en-US')}–${Math.max(...rates).toLocaleString('en-US')} (largest/smallest ×${(Math.max(...rates) / Math.min(...rates)).toFixed(2)}), ` +
      `bytes/viewer ${Math.min(...bytes)}–${Math.max(...bytes)}`,
  );
}

// The eval's own traffic, in-process: farms of hundreds, trap rooms, orders, comments and the v2 events, in ts order.
const eveningRooms = Number(process.env.BENCH_EVENING_ROOMS ?? 40);
const evening = generateEvening({ seed: 7, rooms: eveningRooms });
const eveningEvents = JSON.parse(JSON.stringify(evening.events)) as RoomEvent[];
const eveningBaseline = heapUsed();
const eveningEngine = new DetectionEngine();
let eveningBusyMs = 0;
let eveningFindings = 0;
let peakHeap = 0;
for (let i = 0; i < eveningEvents.length; i += 1_000) {
  const slice = eveningEvents.slice(i, i + 1_000);
  const start = performance.now();
  for (const event of slice) eveningEngine.process(event);
  eveningFindings += eveningEngine.drainFindings().length;
  eveningBusyMs += performance.now() - start;
  if (i % 100_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - eveningBaseline);
}
eveningEngine.flush();
eveningFindings += eveningEngine.drainFindings().length;
console.log(
  `\neval evening (seed 7, ${eveningRooms} rooms): ${eveningEvents.length.toLocaleString('en-US')} events at ${Math.round(eveningEvents.length / (eveningBusyMs / 1000)).toLocaleString('en-US')} events/s, ` +
    `${eveningFindings} findings drained, heap above the start up to ${(peakHeap / 1_048_576).toFixed(0)} MB (sampled, not after gc)`,
);
