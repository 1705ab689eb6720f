import type { HeldLease } from './partition-leases.repository.js';
import { PartitionOwnership } from './partition-ownership.js';

/** The leases table and the workers' heartbeats in memory, on a clock the spec moves. */
class FakeLeases {
  clock = 0;
  readonly rows: Array<{ owner: string | null; token: number; expiresAt: number }>;
  readonly workers = new Map<string, { started: number; expiresAt: number }>();
  private started = 0;

  constructor(readonly partitions: number) {
    this.rows = Array.from({ length: partitions }, () => ({ owner: null, token: 0, expiresAt: 0 }));
  }

  partitionCount(): Promise<number> {
    return Promise.resolve(this.partitions);
  }

  heartbeat(worker: string, ttlMs: number): Promise<string[]> {
    const known = this.workers.get(worker);
    this.workers.set(worker, { started: known?.started ?? this.started++, expiresAt: this.clock + ttlMs });
    for (const [id, state] of this.workers) if (state.expiresAt < this.clock) this.workers.delete(id);
    return Promise.resolve([...this.workers].sort((a, b) => a[1].started - b[1].started).map(([id]) => id));
  }

  renew(worker: string, ttlMs: number): Promise<HeldLease[]> {
    const held: HeldLease[] = [];
    this.rows.forEach((row, partition) => {
      if (row.owner === worker && row.expiresAt >= this.clock) {
        row.expiresAt = this.clock + ttlMs;
        held.push({ partition, token: row.token });
      }
    });
    return Promise.resolve(held);
  }

  acquire(worker: string, count: number, ttlMs: number): Promise<HeldLease[]> {
    const taken: HeldLease[] = [];
    this.rows.forEach((row, partition) => {
      if (taken.length < count && (row.owner === null || row.expiresAt < this.clock)) {
        row.owner = worker;
        row.token++;
        row.expiresAt = this.clock + ttlMs;
        taken.push({ partition, token: row.token });
      }
    });
    return Promise.resolve(taken);
  }

  release(worker: string, partitions: readonly number[]): Promise<void> {
    for (const partition of partitions) {
      const row = this.rows[partition]!;
      if (row.owner === worker) {
        row.owner = null;
        row.expiresAt = this.clock;
      }
    }
    return Promise.resolve();
  }

  leave(worker: string): Promise<void> {
    this.workers.delete(worker);
    return Promise.resolve();
  }

  /** Who holds what, expired leases as nobody's. */
  owners(): Array<string | null> {
    return this.rows.map((row) => (row.expiresAt >= this.clock ? row.owner : null));
  }
}

const TIMING = { ttlMs: 3_000, renewMs: 1_000 };

const started: PartitionOwnership[] = [];
afterEach(async () => {
  for (const subject of started.splice(0)) await subject.stop();
});

function worker(store: FakeLeases) {
  const subject = new PartitionOwnership(store, TIMING, () => store.clock);
  started.push(subject);
  const changes: number[] = [];
  subject.onChange(() => changes.push(subject.held().length));
  return { subject, changes };
}

/** One renewal of every worker, then the clock moves one renewal on. */
async function round(store: FakeLeases, workers: Array<{ subject: PartitionOwnership }>): Promise<void> {
  for (const { subject } of workers) await subject.tick();
  store.clock += TIMING.renewMs;
}

const shares = (store: FakeLeases, workers: Array<{ subject: PartitionOwnership }>) =>
  workers.map(({ subject }) => store.owners().filter((owner) => owner === subject.worker).length);

describe('partition ownership', () => {
  it('a first worker takes every partition; a second and a third share them, at most ceil(64 / workers) each', async () => {
    const store = new FakeLeases(64);
    const a = worker(store);
    await a.subject.start();
    expect(shares(store, [a])).toEqual([64]);
    const b = worker(store);
    await b.subject.start();
    // b heard of no free partition yet; a sheds 32 at its next renewal and b takes them at its next.
    await round(store, [a, b]);
    await round(store, [a, b]);
    expect(shares(store, [a, b])).toEqual([32, 32]);
    const c = worker(store);
    await c.subject.start();
    await round(store, [a, b, c]);
    await round(store, [a, b, c]);
    expect(shares(store, [a, b, c])).toEqual([22, 22, 20]);
    expect(store.owners()).not.toContain(null);
    // The monitor sees each change of its set.
    expect(a.changes).toEqual([64, 32, 22]);
    for (const w of [a, b, c]) await w.subject.stop();
  });

  it('a worker that stops renewing loses its partitions after the TTL, and the others take them with new tokens', async () => {
    const store = new FakeLeases(64);
    const [a, b, c] = [worker(store), worker(store), worker(store)];
    for (const w of [a, b, c]) await w.subject.start();
    for (let i = 0; i < 3; i++) await round(store, [a, b, c]);
    const victim = b.subject.held().map((lease) => lease.partition);
    const tokens = new Map(b.subject.held().map((lease) => [lease.partition, lease.token]));
    expect(victim.length).toBeGreaterThan(0);
    // b dies: it renews no more. Until its leases lapse nobody else may take them.
    await round(store, [a, c]);
    expect(victim.every((partition) => store.owners()[partition] === b.subject.worker)).toBe(true);
    for (let i = 0; i < 3; i++) await round(store, [a, c]);
    expect(shares(store, [a, c])).toEqual([32, 32]);
    const heldNow = [...a.subject.held(), ...c.subject.held()];
    for (const partition of victim) {
      const lease = heldNow.find((held) => held.partition === partition)!;
      expect(lease.token).toBeGreaterThan(tokens.get(partition)!);
    }
  });

  it('gives every lease back at a clean stop, so the others take them at their next renewal', async () => {
    const store = new FakeLeases(8);
    const [a, b] = [worker(store), worker(store)];
    for (const w of [a, b]) await w.subject.start();
    for (let i = 0; i < 2; i++) await round(store, [a, b]);
    expect(shares(store, [a, b])).toEqual([4, 4]);
    await a.subject.stop();
    expect(a.subject.held()).toEqual([]);
    await round(store, [b]);
    expect(shares(store, [b])).toEqual([8]);
  });

  it('holds nothing once it could not renew for a whole TTL (another worker may hold them by then)', async () => {
    const store = new FakeLeases(4);
    const a = worker(store);
    await a.subject.start();
    expect(a.subject.held()).toHaveLength(4);
    store.heartbeat = () => Promise.reject(new Error('connection refused'));
    store.clock += 1_000;
    await a.subject.tick();
    expect(a.subject.held()).toHaveLength(4);
    store.clock += 2_500;
    await a.subject.tick();
    expect(a.subject.held()).toEqual([]);
  });

  it('drops leases the monitor found fenced off at once', async () => {
    const store = new FakeLeases(4);
    const a = worker(store);
    await a.subject.start();
    const generation = a.subject.generation;
    a.subject.lost([1, 2]);
    expect(a.subject.held().map((lease) => lease.partition)).toEqual([0, 3]);
    expect(a.subject.generation).toBe(generation + 1);
  });
});
