import type { CohortSighting, JournalledSighting } from '../../detection/engine/cohort-directory.js';
import type { EngineStats } from '../../detection/engine/engine.js';
import type { Finding } from '../../detection/engine/finding.js';
import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { BatchContext } from '../stage.js';
import { type LiveDetection, LiveEngineStage, newLiveDetection } from './live-engine.stage.js';

const committed = (seq: number, type = 'like'): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, type, roomId: 'room', streamId: 'stream', accountId: `a-${seq}`, ts: 1_764_000_000_000 + seq * 1_000, count: 1 } as RoomEvent,
});

/** An engine that records what it processed at which log position, and throws on the events it is told to. */
function fakeDetection(generation: number, throwOn: Set<number>) {
  const processed: Array<{ id: string; position: number }> = [];
  const journal: JournalledSighting[] = [];
  const restored: CohortSighting[][] = [];
  const live: LiveDetection & { processed: typeof processed; restored: typeof restored } = {
    processed,
    restored,
    engine: {
      process(event: RoomEvent) {
        const seq = Number(event.id.slice(2));
        if (throwOn.has(seq)) throw new TypeError(`engine bug on ${event.id}`);
        processed.push({ id: event.id, position: live.cohorts.position });
        journal.push({ position: live.cohorts.position, ordinal: 0, roomId: 'room', streamId: 'stream', at: event.ts, accounts: [event.accountId!] });
      },
      drainFindings: () => processed.splice(0).map(({ id }) => ({ subjectId: `${generation}:${id}` }) as Finding),
      stats: () => ({ eventsProcessed: generation }) as EngineStats,
    },
    cohorts: {
      position: 0,
      takeJournal: () => journal.splice(0),
      restore: (sightings) => void restored.push([...sightings]),
      horizonMs: 6 * 3_600_000,
    },
  };
  return live;
}

function stage(throwOn = new Set<number>()) {
  const built: ReturnType<typeof fakeDetection>[] = [];
  const appended: JournalledSighting[][] = [];
  const loads: Array<[number, number, number]> = [];
  const subject = new LiveEngineStage(
    () => {
      const live = fakeDetection(built.length, throwOn);
      built.push(live);
      return live;
    },
    {
      append: (sightings) => {
        appended.push([...sightings]);
        return Promise.resolve();
      },
      loadRecent: (before, horizonMs, limit) => {
        loads.push([before, horizonMs, limit]);
        return Promise.resolve([{ roomId: 'old-room', streamId: 'old', at: 1, accounts: ['x'] }]);
      },
      loadRecentOf: () => Promise.reject(new Error('not partitioned')),
      loadForeign: () => Promise.reject(new Error('not partitioned')),
    },
  );
  return { subject, built, appended, loads };
}

describe('the live engine stage', () => {
  it('feeds each event at its log position, hands on the findings and writes the sightings through', async () => {
    const { subject, appended } = stage();
    const context = new BatchContext([committed(7), committed(8)]);
    await subject.run(context);
    expect(context.findings.map((f) => f.subjectId)).toEqual(['0:e-7', '0:e-8']);
    expect(appended).toEqual([[expect.objectContaining({ position: 7 }), expect.objectContaining({ position: 8 })]]);
  });

  it('rejects the event the engine throws on and goes on with the rest', async () => {
    const { subject } = stage(new Set([8]));
    const context = new BatchContext([committed(7), committed(8), committed(9)]);
    await subject.run(context);
    expect(context.rejected.map(({ committed: c, error }) => [c.seq, (error as Error).message])).toEqual([[8, 'engine bug on e-8']]);
    expect(context.findings.map((f) => f.subjectId)).toEqual(['0:e-7', '0:e-9']);
  });

  it('rebuilds from empty, with the sightings recorded before the replay start restored', async () => {
    const { subject, built, loads } = stage();
    await subject.run(new BatchContext([committed(1)]));
    await subject.rebuild(500);
    expect(built).toHaveLength(2);
    expect(loads).toEqual([[500, 6 * 3_600_000, expect.any(Number) as number]]);
    expect(built[1]!.restored).toEqual([[{ roomId: 'old-room', streamId: 'old', at: 1, accounts: ['x'] }]]);
    expect(subject.stats()).toEqual({ eventsProcessed: 1 });
  });

  it('replays muted: what the replayed events yield is stored already, so nothing is handed on or journalled', async () => {
    const { subject, built, appended } = stage();
    subject.replay([committed(3), committed(4)]);
    const context = new BatchContext([committed(5)]);
    await subject.run(context);
    expect(context.findings.map((f) => f.subjectId)).toEqual(['0:e-5']);
    expect(appended).toEqual([[expect.objectContaining({ position: 5 })]]);
    expect(built).toHaveLength(1);
  });

  it('runs the real engine by default, with a journalling cohort directory', () => {
    const live = newLiveDetection();
    live.cohorts.position = 1;
    live.engine.process(committed(1, 'stream.started').event);
    expect(live.engine.stats().eventsProcessed).toBe(1);
    expect(live.cohorts.horizonMs).toBeGreaterThan(0);
  });
});
