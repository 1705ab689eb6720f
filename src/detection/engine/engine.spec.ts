import type { RoomEvent } from '../../events/event.schema.js';
import { DetectionEngine } from './engine.js';
import type { Detector } from './detector.js';
import { findingKey, type Finding } from './finding.js';
import { DAY, T0, honestCrowd, rng, RoomTraffic } from '../../../test/support/detection/traffic.js';

const MIN = 60_000;

/** Three rooms: one honest, one with a stepped emulator farm, one with a comment script; interleaved and jittered. */
function eveningTraffic(): RoomEvent[] {
  const honest = new RoomTraffic('room-h', 'h-1').start(T0);
  honestCrowd(honest, { prefix: 'h', viewers: 150, from: T0, to: T0 + 15 * MIN, endAt: T0 + 25 * MIN, seed: 21, commentShare: 0.4 });
  honest.end(T0 + 25 * MIN);

  const farm = new RoomTraffic('room-f', 'f-1').start(T0);
  honestCrowd(farm, { prefix: 'f', viewers: 80, from: T0, to: T0 + 15 * MIN, endAt: T0 + 25 * MIN, seed: 22 });
  for (let step = 0; step < 5; step++) {
    for (let i = 0; i < 30; i++) {
      const n = step * 30 + i;
      farm.join(`farm-${n}`, T0 + 2 * MIN + step * 40_000 + i * 7, {
        createdAt: T0 - 2 * DAY + n * 10_000,
        model: 'SM-G9810',
        os: 'Android 9',
        emulator: true,
        ip: `103.21.${40 + (n >> 4)}.${n % 16}`,
      });
    }
  }
  for (let t = T0 + 10_000; t < T0 + 25 * MIN; t += 10_000) farm.count(t, 2_000);
  farm.end(T0 + 25 * MIN);

  const shill = new RoomTraffic('room-s', 's-1').start(T0);
  honestCrowd(shill, { prefix: 's', viewers: 100, from: T0, to: T0 + 15 * MIN, endAt: T0 + 25 * MIN, seed: 23, commentShare: 0.5 });
  const random = rng(24);
  for (let i = 0; i < 12; i++) {
    shill.join(`shill-${i}`, T0 + MIN + i * 1_000, { createdAt: T0 - DAY - i * 60_000, ip: `45.77.12.${i + 2}`, model: 'V2227A' });
    for (let k = 0; k < 8; k++) shill.comment(`shill-${i}`, T0 + 3 * MIN + k * 30_000 + Math.round(random() * 300), `这个面霜真的好用，已经回购${2 + k}次了！`);
  }
  shill.end(T0 + 25 * MIN);

  // Several connections: merge by ts, then let up to 2 s of disorder creep in.
  const merged = [...honest.sorted(), ...farm.sorted(), ...shill.sorted()].sort((a, b) => a.ts - b.ts);
  const jitter = rng(25);
  const keyed = merged.map((event, i) => ({ event, key: event.ts + jitter() * 2_000, i }));
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map((k) => k.event);
}

/** Feeds the events, draining when `drainAfter(i)` says so; merges drains by finding key, as the report store does. */
function replay(events: readonly RoomEvent[], drainAfter: (i: number) => boolean): Finding[] {
  const engine = new DetectionEngine();
  const merged = new Map<string, Finding>();
  events.forEach((event, i) => {
    engine.process(event);
    if (drainAfter(i)) for (const finding of engine.drainFindings()) merged.set(findingKey(finding), finding);
  });
  engine.flush();
  for (const finding of engine.drainFindings()) merged.set(findingKey(finding), finding);
  return [...merged.values()];
}

describe('detection engine', () => {
  it('gives identical findings whatever the drain cadence', () => {
    const events = eveningTraffic();

    const onlyAtEnd = replay(events, () => false);
    const afterEveryEvent = replay(events, () => true);
    const everyPrime = replay(events, (i) => i % 97 === 0);
    const random = rng(5);
    const atRandom = replay(events, () => random() < 0.01);

    expect(onlyAtEnd.length).toBeGreaterThan(10);
    expect(onlyAtEnd.filter((f) => f.subjectType === 'room').map((f) => `${f.kind}:${f.roomId}`).sort()).toEqual(['injected_viewers:room-f', 'scripted_comments:room-s']);
    expect(JSON.stringify(afterEveryEvent)).toBe(JSON.stringify(onlyAtEnd));
    expect(JSON.stringify(everyPrime)).toBe(JSON.stringify(onlyAtEnd));
    expect(JSON.stringify(atRandom)).toBe(JSON.stringify(onlyAtEnd));
  });

  it('gives identical findings on a second replay of the same log (restart = replay)', () => {
    const events = eveningTraffic();
    expect(JSON.stringify(replay(events, (i) => i % 50 === 0))).toBe(JSON.stringify(replay(events, (i) => i % 50 === 0)));
  });

  it('releases out-of-order events to detectors in event-time order and counts late ones', () => {
    const seen: number[] = [];
    const recorder: Detector<null> = {
      name: 'recorder',
      createStreamState: () => null,
      onEvent: (_stream, _state, event) => void seen.push(event.ts),
      onWindowClose: () => undefined,
      onStreamEnd: () => undefined,
      trackedItems: () => 0,
    };
    const engine = new DetectionEngine({ allowedLatenessMs: 5_000 }, { extraDetectors: [recorder as Detector] });
    const room = new RoomTraffic();
    room.start(T0).comment('a', T0 + 3_000, 'hi').comment('b', T0 + 1_000, 'yo').comment('c', T0 + 2_000, 'ok');
    room.comment('d', T0 + 20_000, 'later').comment('e', T0 + 4_000, 'too late');
    for (const event of room.events) engine.process(event);

    expect(seen).toEqual([T0, T0 + 1_000, T0 + 2_000, T0 + 3_000, T0 + 4_000]);
    expect(engine.stats().lateEvents).toBe(1);
    expect(engine.stats().bufferedEvents).toBe(1);
  });

  it('never moves detectedAt later as evidence grows', () => {
    const events = eveningTraffic();
    const engine = new DetectionEngine();
    const firstSeen = new Map<string, number>();
    const versions = new Map<string, number>();
    for (const event of events) {
      engine.process(event);
      for (const finding of engine.drainFindings()) {
        const key = findingKey(finding);
        if (!firstSeen.has(key)) firstSeen.set(key, finding.detectedAt);
        expect(finding.detectedAt).toBe(firstSeen.get(key));
        versions.set(key, (versions.get(key) ?? 0) + 1);
      }
    }
    expect(firstSeen.size).toBeGreaterThan(10);
    expect(Math.max(...versions.values())).toBeGreaterThan(1);
  });

  it('evicts the state of ended streams once event time moves past them', () => {
    const engine = new DetectionEngine({ memoryValve: { endedStream: { eventTimeMs: MIN, events: 0 }, tombstone: { eventTimeMs: 10 * MIN, events: 0 } } });
    for (const event of eveningTraffic()) engine.process(event);
    const live = engine.stats();
    expect(live.trackedAccounts).toBeGreaterThan(100);

    // Another room keeps the evening going; the three ended rooms must be finalised and forgotten.
    const later = new RoomTraffic('room-later', 'later-1').start(T0 + 26 * MIN);
    for (let t = T0 + 26 * MIN; t <= T0 + 45 * MIN; t += 5_000) later.like('night-owl', t);
    for (const event of later.events) engine.process(event);
    engine.drainFindings();

    const after = engine.stats();
    expect(after.liveStreams).toBe(1);
    expect(after.trackedAccounts).toBe(1);
    expect(after.finalisedStreams).toBe(0);
    expect(after.evictedStreams).toBe(3);
    expect(after.findingsHeld).toBe(0);
    expect(after.bufferedEvents).toBeLessThanOrEqual(2);
  });

  it('finalises an idle stream that never ended after the idle timeout', () => {
    const engine = new DetectionEngine({ memoryValve: { idleStream: { eventTimeMs: 30 * MIN, events: 0 } } });
    const quiet = new RoomTraffic('room-q', 'q-1').start(T0).join('v', T0 + 1_000).comment('v', T0 + 2_000, 'hello');
    for (const event of quiet.events) engine.process(event);
    expect(engine.stats().liveStreams).toBe(1);

    const other = new RoomTraffic('room-o', 'o-1').start(T0 + 31 * MIN).comment('w', T0 + 32 * MIN, 'hi');
    for (const event of other.events) engine.process(event);

    expect(engine.stats().liveStreams).toBe(1);
    expect(engine.stats().evictedStreams).toBe(1);
    // The quiet stream's viewer is gone; the new stream's comment still waits in its reorder buffer.
    expect(engine.stats().trackedAccounts).toBe(0);
    expect(engine.stats().bufferedEvents).toBe(1);
  });

  it("keeps a stream open whose connection stalls behind others running hours ahead, refunds days later included", () => {
    // The farm room's first batch arrives, then its connection is held back while another connection carries
    // eight hours of a busy room and that room's refunds three days on; then the farm room's evening arrives.
    const farmRoom = eveningTraffic().filter((event) => event.roomId === 'room-f');
    const alone = replay(farmRoom, () => false);
    expect(alone.some((finding) => finding.kind === 'injected_viewers' && finding.subjectType === 'room')).toBe(true);

    const busy = new RoomTraffic('room-b', 'b-1').start(T0);
    for (let t = T0 + 1_000; t < T0 + 8 * 60 * MIN; t += 400) busy.like(`fan-${t % 97}`, t);
    busy.order('fan-1', T0 + 5 * MIN).end(T0 + 8 * 60 * MIN);
    const refunded = { id: 'b-1-refund', type: 'order.refunded', roomId: 'room-b', streamId: 'b-1', accountId: 'fan-1', ts: T0 + 3 * DAY, orderId: 'fan-1-o1', amount: 9_900, currency: 'CNY' } as RoomEvent;
    const stalled = [...farmRoom.slice(0, 20), ...busy.sorted(), refunded, ...farmRoom.slice(20)];
    expect(busy.events.length).toBeGreaterThan(60_000);

    expect(replay(stalled, () => false).filter((finding) => finding.roomId === 'room-f')).toEqual(alone);
  });

  it('forgets departed viewers after the retention while present ones stay', () => {
    const engine = new DetectionEngine({ departedViewerRetentionMs: 2 * MIN });
    const room = new RoomTraffic().start(T0);
    for (let i = 0; i < 50; i++) room.join(`v${i}`, T0 + i * 100);
    for (let i = 0; i < 40; i++) room.leave(`v${i}`, T0 + 10_000 + i * 100);
    for (let t = T0 + 20_000; t <= T0 + 5 * MIN; t += 1_000) room.like('v45', t);
    for (const event of room.sorted()) engine.process(event);

    expect(engine.stats().trackedAccounts).toBe(10);
  });

  it('keeps two rooms apart when they use the same stream id', () => {
    const engine = new DetectionEngine({ memoryValve: { endedStream: { eventTimeMs: 5_000, events: 0 }, tombstone: { eventTimeMs: 60 * MIN, events: 0 } } });
    const first = new RoomTraffic('room-a', 'live-1').start(T0).join('a1', T0 + 1_000).join('a2', T0 + 1_200).end(T0 + 60_000);
    const second = new RoomTraffic('room-b', 'live-1').start(T0 + 500).join('b1', T0 + 1_100).leave('b1', T0 + 2_000);
    const merged = [...first.events, ...second.events].sort((x, y) => x.ts - y.ts);
    for (const event of merged) engine.process(event);
    expect(engine.stats().liveStreams).toBe(2);

    // room-a's stream ends and is finalised; room-b's, under the same id, goes on taking events.
    const later = new RoomTraffic('room-b', 'live-1');
    for (let t = T0 + 70_000; t <= T0 + 80_000; t += 1_000) later.like('b2', t);
    for (const event of later.events) engine.process(event);
    expect(engine.stats().liveStreams).toBe(1);
    expect(engine.stats().finalisedStreams).toBe(1);
    expect(engine.stats().eventsAfterFinalisation).toBe(0);
    // b1 (joined before room-a ended) and b2: room-b's own viewers, none of room-a's.
    expect(engine.stats().trackedAccounts).toBe(2);
  });

  it('drains a finding again only when its content changed', () => {
    const events = eveningTraffic();
    const engine = new DetectionEngine();
    const drained = new Map<string, string[]>();
    for (const event of events) {
      engine.process(event);
      for (const finding of engine.drainFindings()) {
        const key = findingKey(finding);
        drained.set(key, [...(drained.get(key) ?? []), JSON.stringify(finding)]);
      }
    }
    expect(drained.size).toBeGreaterThan(10);
    for (const versions of drained.values()) {
      for (let i = 1; i < versions.length; i++) expect(versions[i]).not.toBe(versions[i - 1]);
    }
    expect(engine.stats().findingsHeld).toBe(drained.size);
  });

  it('counts events for a finalised stream without applying them', () => {
    const engine = new DetectionEngine({ memoryValve: { endedStream: { eventTimeMs: MIN, events: 0 }, tombstone: { eventTimeMs: 60 * MIN, events: 0 } } });
    const room = new RoomTraffic().start(T0).join('a', T0 + 1_000).end(T0 + 2_000);
    const other = new RoomTraffic('room-2', 's-2').start(T0 + 3 * MIN);
    for (const event of [...room.events, ...other.events]) engine.process(event);
    const straggler = new RoomTraffic().comment('a', T0 + 1_500, 'after the end');
    for (const event of straggler.events) engine.process({ ...event, id: 'straggler' });

    expect(engine.stats().eventsAfterFinalisation).toBe(1);
    expect(engine.stats().finalisedStreams).toBe(1);
  });
});

describe('event-time timers', () => {
  /** Records hooks in order; registers a timer at (ts + delay) for each comment whose text is a delay in ms. */
  function timerProbe(log: string[]): Detector<null> {
    const probe: Detector<null> = {
      name: 'timer-probe',
      createStreamState: () => null,
      onEvent: (stream, _state, event) => {
        if (stream.roomId !== 'room-t') return;
        log.push(`event ${event.ts - T0}`);
        if (event.type === 'comment') stream.registerTimer(probe, event.ts + Number(event.text));
      },
      onWindowClose: (stream, _state, window) => void (stream.roomId === 'room-t' && log.push(`window ${window.end - T0}`)),
      onTimer: (stream, _state, at) => void log.push(`timer ${at - T0} clock ${stream.watermark - T0}`),
      onStreamEnd: (stream, _state, at) => void (stream.roomId === 'room-t' && log.push(`end ${at - T0}`)),
      trackedItems: () => 0,
    };
    return probe;
  }

  function run(events: readonly RoomEvent[]): string[] {
    const log: string[] = [];
    const engine = new DetectionEngine({ windowMs: 10_000 }, { extraDetectors: [timerProbe(log) as Detector] });
    for (const event of events) engine.process(event);
    engine.flush();
    return log;
  }

  const room = new RoomTraffic('room-t', 't-1').start(T0);
  room.comment('a', T0 + 1_000, '8000').comment('b', T0 + 2_000, '3000').comment('c', T0 + 3_000, '2000');
  room.comment('d', T0 + 5_000, '0').comment('e', T0 + 9_000, '50000').like('f', T0 + 12_000).like('f', T0 + 20_000);

  it('fires in ts order as the stream clock passes, before events at or after their time, deduplicated', () => {
    expect(run(room.sorted())).toEqual([
      'event 0', 'event 1000', 'event 2000', 'event 3000',
      // b's and c's timers both fall at 5 s: registration order, and one each; d's own at 5 s fires at the next step.
      'timer 5000 clock 5000', 'event 5000', 'timer 5000 clock 5000',
      'timer 9000 clock 9000', 'event 9000',
      'window 10000', 'event 12000', 'window 20000', 'event 20000',
      // flush: the open window closes; e's timer at 59 s lies past the stream's newest ts and is dropped.
      'window 30000', 'end 20000',
    ]);
  });

  it('fires identically whatever the arrival order within the lateness and whatever other streams do', () => {
    const reference = run(room.sorted());
    const random = rng(7);
    const jittered = [...room.events].map((event) => ({ event, key: event.ts + random() * 3_000 })).sort((a, b) => a.key - b.key).map((k) => k.event);
    // Another stream hours ahead in event time, interleaved.
    const ahead = new RoomTraffic('room-x', 'x-1').start(T0 + 5 * 3_600_000);
    for (let i = 0; i < 40; i++) ahead.like(`x${i}`, T0 + 5 * 3_600_000 + i * 1_000);
    const mixed: RoomEvent[] = [];
    jittered.forEach((event, i) => mixed.push(event, ...ahead.events.slice(i * 4, i * 4 + 4)));
    expect(run(mixed)).toEqual(reference);
  });
});
