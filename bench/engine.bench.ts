import type { RoomEvent } from '../src/events/event.schema.js';
import { DetectionEngine } from '../src/detection/engine.js';
import { LoadGenerator, type LoadShape } from './engine/load.js';

/**
 * Engine benchmark: events/s through the engine alone (generation is not
 * timed) and heap bytes per concurrent viewer, for 10, 100 and 1000
 * concurrent rooms. Prints figures; asserts nothing.
 *
 *   npm run bench:engine   (node --expose-gc for exact heap figures;
 *   --max-semi-space-size=64 because every event waits out the allowed
 *   lateness in a reorder buffer: with the default young generation it is
 *   promoted before it dies, and old-space GC then dominates. The monitor
 *   process should run with the same flag.)
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

function run(rooms: number, targetEvents: number): Result {
  const shape: LoadShape = { rooms, viewersPerRoom: 100, streamMinutes: 30, attackedShare: 0.1, seed: 7 };
  const load = new LoadGenerator(shape);
  const baseline = heapUsed();
  const engine = new DetectionEngine();
  let events = 0;
  let busyMs = 0;
  let findings = 0;
  let measured: Pick<Result, 'presentViewers' | 'trackedAccounts' | 'heapBytes'> | undefined;
  const measureAt = load.t0 + 12 * 60_000;
  const minimumEnd = load.t0 + 13 * 60_000;
  while (events < targetEvents || load.now < minimumEnd) {
    // Events reach the engine as parsed JSON (ingest → log → monitor), so feed them that way, untimed.
    const batch = JSON.parse(JSON.stringify(load.nextSecond())) as RoomEvent[];
    const start = performance.now();
    for (const event of batch) engine.process(event);
    if (load.now % 10_000 === 0) findings += engine.drainFindings().length;
    busyMs += performance.now() - start;
    events += batch.length;
    if (measured === undefined && load.now >= measureAt) {
      // Steady state: every stream 12 minutes in (past one mean watch time), rooms full.
      const heapBytes = heapUsed() - baseline;
      const stats = engine.stats();
      measured = { presentViewers: load.presentViewers(), trackedAccounts: stats.trackedAccounts, heapBytes };
    }
  }
  const stats = engine.stats();
  const m = measured ?? { presentViewers: load.presentViewers(), trackedAccounts: stats.trackedAccounts, heapBytes: heapUsed() - baseline };
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

const roomCounts = (process.env.BENCH_ROOMS ?? '10,100,1000').split(',').map(Number);
const targetEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
console.log(`roomwatch engine bench: 100 viewers/room, 30-min streams back to back, 10% of rooms attacked; heap ${gc ? 'measured after gc' : 'approximate (run node with --expose-gc)'}`);
console.log('rooms  events     events/s   viewers  tracked  heap MB  B/viewer  B/tracked  findings  late  evicted');
const results: Result[] = [];
for (const rooms of roomCounts) {
  const r = run(rooms, targetEvents);
  results.push(r);
  console.log(
    [
      String(r.rooms).padStart(5),
      String(r.events).padStart(9),
      String(r.eventsPerSecond).padStart(10),
      String(r.presentViewers).padStart(8),
      String(r.trackedAccounts).padStart(8),
      (r.heapBytes / 1_048_576).toFixed(1).padStart(8),
      String(r.bytesPerViewer).padStart(9),
      String(r.bytesPerTrackedAccount).padStart(10),
      String(r.findings).padStart(9),
      String(r.lateEvents).padStart(5),
      String(r.evictedStreams).padStart(8),
    ].join('  '),
  );
}
if (results.length > 1) {
  const first = results[0];
  const last = results[results.length - 1];
  console.log(
    `${first.rooms} → ${last.rooms} rooms: throughput ×${(last.eventsPerSecond / first.eventsPerSecond).toFixed(2)}, bytes/viewer ×${(last.bytesPerViewer / first.bytesPerViewer).toFixed(2)}`,
  );
}
