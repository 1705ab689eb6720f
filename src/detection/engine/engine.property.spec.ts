import fc from 'fast-check';
import type { RoomEvent } from '../../events/event.schema.js';
import type { DeepPartial, EngineConfig } from './engine.js';
import type { Finding } from './finding.js';
import { findingsByStream } from '../../../test/support/detection/interleave.js';
import { DAY, T0, honestCrowd, rng, RoomTraffic } from '../../../test/support/detection/traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Per-stream determinism (issue 10): a stream's findings depend on its own
 * events only. Small evenings of honest and attacked streams, started hours
 * apart, are delivered as several connections would: each stream in ts order
 * plus jitter within the allowed lateness, the streams interleaved in random
 * chunks (so the newest event time across streams runs hours ahead of most of
 * them), findings drained at random. Every stream's findings must equal a
 * run of the same events in global ts order.
 */

type StreamKind = 'honest' | 'farm' | 'shill' | 'viral';

interface StreamPlan {
  kind: StreamKind;
  offsetMs: number;
  viewers: number;
  seed: number;
}

/** One stream of a kind, its accounts prefixed by `tag` (streams share no account unless `farmAccounts` says so). */
function streamTraffic(index: number, plan: StreamPlan, farmAccounts: string | undefined): RoomEvent[] {
  const tag = `s${index}`;
  const start = T0 + plan.offsetMs;
  const end = start + 20 * MIN;
  const room = new RoomTraffic(`room-${tag}`, `stream-${tag}`).start(start);
  const random = rng(plan.seed);
  honestCrowd(room, { prefix: `${tag}-h`, viewers: plan.viewers, from: start, to: start + 14 * MIN, endAt: end, seed: plan.seed, commentShare: 0.3 });
  for (let t = start + 10_000; t < end; t += 10_000) {
    // The room's own count: present honest viewers, roughly; a farm room shows far more.
    room.count(t, plan.kind === 'farm' ? 1_500 + random() * 200 : plan.viewers * (0.5 + random() * 0.2));
  }
  if (plan.kind === 'farm') {
    const prefix = farmAccounts ?? `${tag}-farm`;
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < 30; i++) {
        const n = step * 30 + i;
        room.join(`${prefix}-${n}`, start + 2 * MIN + step * 40_000 + i * 7, {
          createdAt: T0 - 2 * DAY + n * 10_000,
          model: 'SM-G9810',
          os: 'Android 9',
          emulator: true,
          ip: `103.21.${40 + (n >> 4)}.${n % 16}`,
        });
      }
    }
  } else if (plan.kind === 'shill') {
    for (let i = 0; i < 12; i++) {
      room.join(`${tag}-shill-${i}`, start + MIN + i * 1_000, { createdAt: start - DAY - i * 60_000, ip: `45.77.12.${i + 2}`, model: 'V2227A' });
      for (let k = 0; k < 8; k++) room.comment(`${tag}-shill-${i}`, start + 3 * MIN + k * 30_000 + Math.round(random() * 300), `这个面霜真的好用，已经回购${2 + k}次了！`);
    }
  } else if (plan.kind === 'viral') {
    // An honest surge: a shared clip brings many real viewers in a minute, each their own phone and network.
    honestCrowd(room, { prefix: `${tag}-surge`, viewers: plan.viewers, from: start + 6 * MIN, to: start + 7 * MIN, endAt: end, seed: plan.seed + 1, likeShare: 0.6 });
  }
  room.end(end);
  return room.sorted();
}

/** Each stream in ts order plus up to `jitterMs`, then interleaved in chunks of 1..`maxChunk` events from random streams. */
function deliver(streams: readonly RoomEvent[][], jitterMs: number, maxChunk: number, random: () => number): RoomEvent[] {
  const lanes = streams.map((events) =>
    events
      .map((event, index) => ({ event, key: event.ts + random() * jitterMs, index }))
      .sort((a, b) => a.key - b.key || a.index - b.index)
      .map((entry) => entry.event),
  );
  const next = lanes.map(() => 0);
  const arrivals: RoomEvent[] = [];
  for (;;) {
    const open = lanes.map((lane, i) => i).filter((i) => next[i] < lanes[i].length);
    if (open.length === 0) return arrivals;
    const lane = open[Math.floor(random() * open.length)];
    const take = 1 + Math.floor(random() * maxChunk);
    arrivals.push(...lanes[lane].slice(next[lane], next[lane] + take));
    next[lane] += take;
  }
}

/** Cuts the arrivals into batches of random size: the engine is drained after each. */
function cutBatches(arrivals: readonly RoomEvent[], maxBatch: number, random: () => number): RoomEvent[][] {
  const batches: RoomEvent[][] = [];
  for (let i = 0; i < arrivals.length; ) {
    const size = 1 + Math.floor(random() * maxBatch);
    batches.push(arrivals.slice(i, i + size));
    i += size;
  }
  return batches;
}

function globalTsOrder(streams: readonly RoomEvent[][]): RoomEvent[] {
  return streams.flat().sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The memory valve scaled to evenings of a few thousand events, so it does
 * run here (chunks are at most 80 events, four streams: a stream waits at
 * most a few hundred arrivals for its next event).
 */
const SCALED_VALVE: DeepPartial<EngineConfig> = {
  memoryValve: {
    endedStream: { eventTimeMs: 2 * MIN, events: 1_000 },
    idleStream: { eventTimeMs: 30 * MIN, events: 2_000 },
    tombstone: { eventTimeMs: 30 * MIN, events: 2_000 },
  },
};

const streamPlan = fc.record({
  kind: fc.constantFrom<StreamKind>('honest', 'farm', 'shill', 'viral'),
  offsetMs: fc.integer({ min: 0, max: 6 * HOUR }),
  viewers: fc.integer({ min: 40, max: 120 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

const delivery = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  // Strictly within the allowed lateness (5 s): beyond it events are late, and late events are the one order-dependent path.
  jitterMs: fc.integer({ min: 0, max: 4_000 }),
  maxChunk: fc.integer({ min: 1, max: 80 }),
  maxBatch: fc.integer({ min: 1, max: 700 }),
});

function roomVerdicts(findings: readonly Finding[] | undefined): string[] {
  return (findings ?? []).filter((f) => f.subjectType === 'room').map((f) => f.kind);
}

describe('per-stream determinism (property)', () => {
  it('gives every stream the findings of the global ts order, whatever the interleaving, skew, jitter and batch cuts', () => {
    let withFindings = 0;
    fc.assert(
      fc.property(fc.array(streamPlan, { minLength: 2, maxLength: 4 }), delivery, (plans, how) => {
        const streams = plans.map((plan, i) => streamTraffic(i, plan, undefined));
        const reference = findingsByStream([globalTsOrder(streams)], SCALED_VALVE);
        const random = rng(how.seed);
        const arrivals = deliver(streams, how.jitterMs, how.maxChunk, random);
        const actual = findingsByStream(cutBatches(arrivals, how.maxBatch, random), SCALED_VALVE);
        if ([...reference.values()].some((findings) => findings.length > 0)) withFindings++;
        expect([...actual.keys()].sort()).toEqual([...reference.keys()].sort());
        for (const [streamId, findings] of reference) expect({ streamId, findings: actual.get(streamId) }).toEqual({ streamId, findings });
      }),
      { numRuns: 20 },
    );
    // The comparison means something only if attacked streams were reported.
    expect(withFindings).toBeGreaterThan(10);
  });

  it('lets a farm working several rooms add cross-room evidence, but never report an honest room', () => {
    fc.assert(
      fc.property(fc.array(streamPlan, { minLength: 3, maxLength: 4 }), delivery, (plans, how) => {
        // Every farm stream uses the same accounts: the directory links them, in whichever order they arrive.
        const streams = plans.map((plan, i) => streamTraffic(i, plan, 'evening-farm'));
        const reference = findingsByStream([globalTsOrder(streams)], SCALED_VALVE);
        const random = rng(how.seed);
        const actual = findingsByStream(cutBatches(deliver(streams, how.jitterMs, how.maxChunk, random), how.maxBatch, random), SCALED_VALVE);
        plans.forEach((plan, i) => {
          const streamId = `stream-s${i}`;
          if (plan.kind === 'honest' || plan.kind === 'viral') {
            // Honest streams share nothing with the farm: identical, and clean.
            expect({ streamId, findings: actual.get(streamId) }).toEqual({ streamId, findings: reference.get(streamId) });
            expect(roomVerdicts(actual.get(streamId))).toEqual([]);
          } else {
            // Attacked streams keep their room verdicts; evidence from other rooms may differ by arrival order.
            expect({ streamId, verdicts: roomVerdicts(actual.get(streamId)) }).toEqual({ streamId, verdicts: roomVerdicts(reference.get(streamId)) });
          }
        });
      }),
      { numRuns: 8 },
    );
  });
});
