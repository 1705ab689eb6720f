import type { Finding } from '../detection/engine/finding.js';
import type { RoomEvent } from '../events/event.schema.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { isDependencyError } from './dependency-error.js';
import { PoisonQuarantine, type RetriedRun } from './poison-quarantine.js';
import type { QuarantinedEvent } from './quarantine.repository.js';

const like = (seq: number): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, type: 'like', roomId: 'r', streamId: `s-${seq % 3}`, ts: 1_764_000_000_000 + seq, accountId: 'a', count: 1 } as RoomEvent,
});

/** Retried stages that fail on any batch holding one of `poison`, recording what they handled. */
function stages(poison: Set<number>, error: () => Error = () => new RangeError('money: beyond the exact range')) {
  const handled = new Set<number>();
  const run: RetriedRun = (batch) => {
    if (batch.some(({ seq }) => poison.has(seq))) return Promise.reject(error());
    for (const { seq } of batch) handled.add(seq);
    return Promise.resolve([{ subjectId: `found-${batch[0]!.seq}` } as Finding]);
  };
  return { run, handled };
}

const entry = (seq: number): QuarantinedEvent => ({
  seq,
  eventId: `e-${seq}`,
  type: 'like',
  streamId: 's',
  error: 'RangeError: money',
  attempts: 4,
  quarantinedAt: '2025-11-24T16:00:00.000Z',
  replayedAt: '2025-11-24T17:00:00.000Z',
  lastReplayError: null,
});

/** A quarantine over an in-memory table and log. */
function quarantine(log: CommittedEvent[] = []) {
  const rows = new Map<number, { error: string; attempts: number; replayed: boolean; lastReplayError: string | null }>();
  const inserted: Array<{ eventId: string; error: string; attempts: number }> = [];
  const subject = new PoisonQuarantine(
    {
      quarantine: ({ seq, event }, error, attempts) => {
        inserted.push({ eventId: event.id, error, attempts });
        rows.set(seq, { error, attempts: (rows.get(seq)?.attempts ?? 0) + attempts, replayed: false, lastReplayError: null });
        return Promise.resolve();
      },
      openCount: () => Promise.resolve([...rows.values()].filter((row) => !row.replayed).length),
      has: (seq) => Promise.resolve(rows.has(seq)),
      markReplayed: (seq) => {
        rows.get(seq)!.replayed = true;
        return Promise.resolve(entry(seq));
      },
      recordReplayFailure: (seq, error) => {
        const row = rows.get(seq)!;
        row.lastReplayError = error;
        row.attempts++;
        return Promise.resolve();
      },
    },
    { readOne: (seq) => Promise.resolve(log.find((committed) => committed.seq === seq) ?? null) },
    new StatusRegistry(),
  );
  (subject as unknown as { config: { attempts: number; backoffMs: number } }).config = { attempts: 3, backoffMs: 0 };
  return { subject, inserted, rows };
}

describe('poison quarantine', () => {
  it('sets aside exactly the failing events of a batch, after retries, and handles all the others', async () => {
    const batch = Array.from({ length: 37 }, (_, i) => like(i + 1));
    const { run, handled } = stages(new Set([5, 29]));
    const { subject, inserted } = quarantine();
    const result = await subject.handle(batch, run);
    expect([...result.quarantined].sort((a, b) => a - b)).toEqual([5, 29]);
    expect(inserted.map((row) => row.eventId)).toEqual(['e-5', 'e-29']);
    expect(inserted[0]!.error).toContain('RangeError: money');
    expect(inserted[0]!.attempts).toBe(4);
    expect([...handled].sort((a, b) => a - b)).toEqual(batch.map((c) => c.seq).filter((seq) => seq !== 5 && seq !== 29));
    expect(result.findings.length).toBeGreaterThan(0);
  });

  it('passes a batch whose failure is transient on a retry, quarantining nothing', async () => {
    let failures = 1;
    const flaky: RetriedRun = () => (failures-- > 0 ? Promise.reject(new Error('could not serialize access')) : Promise.resolve([]));
    const { subject, inserted } = quarantine();
    expect((await subject.handle([like(1), like(2)], flaky)).quarantined.size).toBe(0);
    expect(inserted).toEqual([]);
  });

  it('never quarantines for an unreachable dependency: it throws for the monitor to pause and retry', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { run } = stages(new Set([1]), () => down);
    const { subject, inserted } = quarantine();
    await expect(subject.handle([like(1), like(2)], run)).rejects.toBe(down);
    expect(inserted).toEqual([]);
  });

  it('replays a quarantined event once its cause is gone, and keeps the error while it stands', async () => {
    const poison = new Set([7]);
    const { run, handled } = stages(poison);
    const { subject, rows } = quarantine([like(6), like(7)]);
    await subject.handle([like(6), like(7)], run);
    expect(rows.get(7)).toMatchObject({ replayed: false, attempts: 4 });

    await expect(subject.replay(7, run)).rejects.toThrow('money');
    expect(rows.get(7)).toMatchObject({ replayed: false, attempts: 5, lastReplayError: 'RangeError: money: beyond the exact range' });

    poison.clear();
    const replayed = await subject.replay(7, run);
    expect(replayed).toMatchObject({ entry: { seq: 7 }, event: { seq: 7 }, findings: [{ subjectId: 'found-7' }] });
    expect(handled.has(7)).toBe(true);
    expect(rows.get(7)!.replayed).toBe(true);
    // Never quarantined, or nothing at that seq: nothing to replay.
    expect(await subject.replay(6, run)).toBeNull();
  });

  it('tells an outage from a poison event', () => {
    expect(isDependencyError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDependencyError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isDependencyError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyError(Object.assign(new Error('bigint out of range'), { code: '22003' }))).toBe(false);
    expect(isDependencyError(new RangeError('money: beyond the exact range of a JSON number'))).toBe(false);
    expect(isDependencyError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
  });
});
