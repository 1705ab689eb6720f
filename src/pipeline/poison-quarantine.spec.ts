import type pg from 'pg';
import type { Finding } from '../detection/engine/finding.js';
import type { RoomEvent } from '../events/event.schema.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { CommittedBatchHandler } from './batch-handlers.js';
import { PoisonQuarantine, isDependencyError } from './poison-quarantine.js';

const like = (seq: number): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, type: 'like', roomId: 'r', streamId: `s-${seq % 3}`, ts: 1_764_000_000_000 + seq, accountId: 'a', count: 1 } as RoomEvent,
});

/** A handler that fails on any batch holding one of `poison`, and records what it handled. */
function handler(poison: Set<number>, error: () => Error = () => new RangeError('money: beyond the exact range')) {
  const handled = new Set<number>();
  const subject: CommittedBatchHandler = {
    name: 'test',
    handle(batch) {
      if (batch.some(({ seq }) => poison.has(seq))) return Promise.reject(error());
      for (const { seq } of batch) handled.add(seq);
      return Promise.resolve([{ subjectId: `found-${batch[0]!.seq}` } as Finding]);
    },
  };
  return { subject, handled };
}

function quarantine() {
  const inserted: unknown[][] = [];
  const pool = {
    query: (sql: string, params: unknown[]) => {
      if (sql.startsWith('INSERT INTO quarantined_events')) inserted.push(params);
      return Promise.resolve({ rows: [], rowCount: 0 });
    },
  } as unknown as pg.Pool;
  const subject = new PoisonQuarantine(pool, new StatusRegistry());
  (subject as unknown as { config: { attempts: number; backoffMs: number } }).config = { attempts: 3, backoffMs: 0 };
  return { subject, inserted };
}

describe('poison quarantine', () => {
  it('sets aside exactly the failing events of a batch, after retries, and handles all the others', async () => {
    const batch = Array.from({ length: 37 }, (_, i) => like(i + 1));
    const { subject: failing, handled } = handler(new Set([5, 29]));
    const { subject, inserted } = quarantine();
    const result = await subject.handle(batch, [failing]);
    expect([...result.quarantined].sort((a, b) => a - b)).toEqual([5, 29]);
    expect(inserted.map((params) => params[1])).toEqual(['e-5', 'e-29']);
    expect(String(inserted[0]![4])).toContain('RangeError: money');
    expect([...handled].sort((a, b) => a - b)).toEqual(batch.map((c) => c.seq).filter((seq) => seq !== 5 && seq !== 29));
    expect(result.findings.length).toBeGreaterThan(0);
  });

  it('passes a batch whose failure is transient on a retry, quarantining nothing', async () => {
    let failures = 1;
    const flaky: CommittedBatchHandler = {
      name: 'flaky',
      handle: () => (failures-- > 0 ? Promise.reject(new Error('could not serialize access')) : Promise.resolve([])),
    };
    const { subject, inserted } = quarantine();
    expect((await subject.handle([like(1), like(2)], [flaky])).quarantined.size).toBe(0);
    expect(inserted).toEqual([]);
  });

  it('never quarantines for an unreachable dependency: it throws for the monitor to pause and retry', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { subject: failing } = handler(new Set([1]), () => down);
    const { subject, inserted } = quarantine();
    await expect(subject.handle([like(1), like(2)], [failing])).rejects.toBe(down);
    expect(inserted).toEqual([]);
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
