import type { RoomEvent } from '../events/event.schema.js';
import type { PartitionCheckpoint, PartitionedEvent } from '../log/event-log.repository.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import type { LogFollower, LogSource } from '../log/log-source.js';
import { Monitor, type MonitorParts } from './monitor.js';
import { DEFAULT_MONITOR_CONFIG, type MonitorConfig } from './pipeline.config.js';

const T0 = 1_764_000_000_000;

const committed = (seq: number): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, type: 'like', roomId: 'room', streamId: 'stream', accountId: 'a', ts: T0 + seq * 1_000, count: 1 } as RoomEvent,
});
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The log as the monitor sees it: rows in a table, and, for a local source, hand-overs as they commit. */
class FakeLog implements LogSource {
  readonly rows: CommittedEvent[] = [];
  bound = Number.MAX_SAFE_INTEGER;
  follower: LogFollower | null = null;
  readonly published: number[] = [];
  reads = 0;

  constructor(readonly kind: 'local' | 'remote') {}

  follow(follower: LogFollower): () => void {
    this.follower = follower;
    return () => {
      this.follower = null;
    };
  }

  readBound(): number {
    return this.bound;
  }

  read(afterSeq: number, upToSeq: number): Promise<CommittedEvent[]> {
    this.reads++;
    return Promise.resolve(this.rows.filter(({ seq }) => seq > afterSeq && seq <= upToSeq));
  }

  /** Partition of an event in this fake: its seq modulo 4. */
  readPartitions(afterSeq: number, upToSeq: number, partitions: readonly number[]): Promise<PartitionedEvent[]> {
    this.reads++;
    return Promise.resolve(
      this.rows.filter(({ seq }) => seq > afterSeq && seq <= upToSeq && partitions.includes(seq % 4)).map((row) => ({ ...row, partition: row.seq % 4 })),
    );
  }

  count(afterSeq: number, upToSeq: number, cap: number): Promise<number> {
    return Promise.resolve(Math.min(cap, this.rows.filter(({ seq }) => seq > afterSeq && seq <= upToSeq).length));
  }

  countPartitions(after: readonly PartitionCheckpoint[], upToSeq: number, cap: number): Promise<number> {
    const behind = this.rows.filter(({ seq }) => seq <= upToSeq && after.some((p) => p.partition === seq % 4 && seq > p.afterSeq));
    return Promise.resolve(Math.min(cap, behind.length));
  }

  publishProcessed(processedSeq: number): void {
    this.published.push(processedSeq);
  }

  /** Rows committed; handed over too unless `silently` (a flush whose outcome was unknown). */
  commit(seqs: number[], { silently = false } = {}): void {
    const batch = seqs.map(committed);
    this.rows.push(...batch);
    if (this.kind === 'local' && !silently) this.follower?.committed(batch);
  }
}

/** The stages as the monitor drives them, recording what they were given. */
class FakePipeline {
  readonly runs: number[][] = [];
  readonly rebuilds: number[] = [];
  readonly replayed: number[] = [];
  /** Thrown by the next run(s), then cleared. */
  failures: Error[] = [];
  /** While set, run() waits for it: a batch whose findings are not stored yet. */
  gate: Promise<void> | null = null;

  async run(batch: CommittedEvent[]): Promise<void> {
    if (this.gate) await this.gate;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.runs.push(batch.map(({ seq }) => seq));
  }

  rebuild(beforeSeq: number): Promise<void> {
    this.rebuilds.push(beforeSeq);
    return Promise.resolve();
  }

  replay(events: readonly CommittedEvent[]): void {
    this.replayed.push(...events.map(({ seq }) => seq));
  }

  processed(): number[] {
    return this.runs.flat();
  }
}

function monitorOver(
  log: FakeLog,
  {
    checkpoint = 0,
    firstRecentSeq = null,
    quarantined = [],
    config = {},
    sleep = () => Promise.resolve(),
  }: {
    checkpoint?: number;
    firstRecentSeq?: number | null;
    quarantined?: number[];
    config?: Partial<MonitorConfig>;
    /** How a pause passes: at once unless told otherwise. */
    sleep?: (ms: number) => Promise<void>;
  } = {},
) {
  const pipeline = new FakePipeline();
  const checkpoints = { seq: checkpoint, advances: 0 };
  const pauses: number[] = [];
  const parts: MonitorParts = {
    source: log,
    pipeline,
    checkpoints: {
      processedSeq: () => Promise.resolve(checkpoints.seq),
      partitionSeqs: () => Promise.reject(new Error('not partitioned')),
      advancePartitions: () => Promise.reject(new Error('not partitioned')),
      lowestOtherSeq: () => Promise.reject(new Error('not partitioned')),
      advance: (_consumer, seq) => {
        checkpoints.seq = Math.max(checkpoints.seq, seq);
        checkpoints.advances++;
        return Promise.resolve();
      },
    },
    streams: {
      highestLastSeq: () => Promise.resolve(log.rows.reduce((max, { seq }) => Math.max(max, seq), 0)),
      firstSeqActiveWithin: () => Promise.resolve(firstRecentSeq),
    },
    quarantine: { openSeqs: (upTo) => Promise.resolve(new Set(quarantined.filter((seq) => seq <= upTo))) },
    config: { ...DEFAULT_MONITOR_CONFIG, ...config },
    sleep: (ms) => {
      pauses.push(ms);
      return sleep(ms);
    },
  };
  return { monitor: new Monitor(parts), pipeline, checkpoints, pauses };
}

/** Lets the monitor's promise chain run until it has nothing in hand. */
async function settle(monitor: Monitor): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await monitor.settled();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the monitor', () => {
  describe('at start (replay, muted)', () => {
    it('rebuilds the live detectors from the recent streams up to the checkpoint, muted, then processes the rest and goes live', async () => {
      const log = new FakeLog('local');
      log.commit(range(1, 20), { silently: true });
      const { monitor, pipeline, checkpoints } = monitorOver(log, { checkpoint: 12, firstRecentSeq: 5, quarantined: [8, 15] });
      monitor.start();
      expect(monitor.mode).toBe('recovering');
      await settle(monitor);

      expect(pipeline.rebuilds).toEqual([5]);
      // Muted: seq 5..12 but the quarantined 8, kept out of the live run too.
      expect(pipeline.replayed).toEqual([5, 6, 7, 9, 10, 11, 12]);
      // Processed: everything after the checkpoint (a quarantine after it is the pipeline's to repeat).
      expect(pipeline.processed()).toEqual(range(13, 20));
      expect(checkpoints.seq).toBe(20);
      expect(monitor.mode).toBe('live');
      expect(await monitor.backlog()).toBe(0);
      expect(monitor.processedSeq).toBe(20);
    });

    it('replays nothing when no recent stream starts at or below the checkpoint, and restores sightings from after it', async () => {
      const log = new FakeLog('local');
      log.commit(range(1, 6), { silently: true });
      const { monitor, pipeline } = monitorOver(log, { checkpoint: 3, firstRecentSeq: 4 });
      monitor.start();
      await settle(monitor);
      expect(pipeline.rebuilds).toEqual([4]);
      expect(pipeline.replayed).toEqual([]);
      expect(pipeline.processed()).toEqual([4, 5, 6]);
    });

    it('reads the replay in pages of the configured span', async () => {
      const log = new FakeLog('local');
      log.commit(range(1, 10), { silently: true });
      const { monitor, pipeline } = monitorOver(log, { checkpoint: 10, firstRecentSeq: 1, config: { replayPageSpan: 3 } });
      monitor.start();
      await settle(monitor);
      expect(pipeline.replayed).toEqual(range(1, 10));
      // Four replay pages (0..3, 3..6, 6..9, 9..10) and one catch-up read that found nothing.
      expect(log.reads).toBe(5);
      expect(monitor.mode).toBe('live');
    });

    it('counts a backlog of at least one while recovering, so no one reads a quiet monitor as caught up', async () => {
      const { monitor } = monitorOver(new FakeLog('local'));
      expect(await monitor.backlog()).toBe(1);
    });
  });

  describe('live (local hand-over)', () => {
    it('processes each committed batch as it is handed over and moves the checkpoint after it', async () => {
      const log = new FakeLog('local');
      const { monitor, pipeline, checkpoints } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      expect(monitor.mode).toBe('live');

      let release!: () => void;
      pipeline.gate = new Promise((resolve) => (release = resolve));
      log.commit([1, 2, 3]);
      await new Promise((resolve) => setImmediate(resolve));
      // Counted until its findings are stored, not just dequeued.
      expect(monitor.queuedEvents).toBe(3);
      expect(await monitor.backlog()).toBe(3);
      expect(checkpoints.seq).toBe(0);

      pipeline.gate = null;
      release();
      await settle(monitor);
      expect(pipeline.runs).toEqual([[1, 2, 3]]);
      expect(checkpoints.seq).toBe(3);
      expect(await monitor.backlog()).toBe(0);
      expect(log.reads).toBe(1); // the catch-up at start only: live batches are never read back
    });

    it('processes the hand-overs that waited behind a slow batch as one batch, in seq order', async () => {
      const log = new FakeLog('local');
      const { monitor, pipeline, checkpoints } = monitorOver(log);
      monitor.start();
      await settle(monitor);

      let release!: () => void;
      pipeline.gate = new Promise((resolve) => (release = resolve));
      log.commit([1, 2]);
      await new Promise((resolve) => setImmediate(resolve));
      log.commit([3]);
      log.commit([4, 5]);
      expect(await monitor.backlog()).toBe(5);

      pipeline.gate = null;
      release();
      await settle(monitor);
      expect(pipeline.runs).toEqual([[1, 2], [3, 4, 5]]);
      expect(checkpoints.seq).toBe(5);
      expect(await monitor.backlog()).toBe(0);
    });

    it('shows the event-time lag between the newest committed event and the newest processed one', async () => {
      const log = new FakeLog('local');
      const { monitor } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      log.commit([1, 2, 3]);
      expect(monitor.lagSeconds(T0 + 1_000)).toBe(2);
      expect(monitor.lagSeconds(T0 + 3_000)).toBe(0);
      expect(monitor.lagSeconds(null)).toBe(0);
    });
  });

  describe('catching up', () => {
    it('counts the events behind, not the seqs: each flush reserves a block of seqs', async () => {
      const log = new FakeLog('local');
      const { monitor, pipeline } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      let release!: () => void;
      pipeline.gate = new Promise((resolve) => (release = resolve));
      // Three flushes of two events, one 4096-seq block each, committed while detection was away.
      log.commit([1, 2, 4097, 4098, 8193, 8194], { silently: true });
      log.follower!.gap();
      await new Promise((resolve) => setImmediate(resolve));
      expect(monitor.mode).toBe('catching-up');
      log.commit([8195]);
      expect(await monitor.backlog()).toBe(7);
      pipeline.gate = null;
      release();
      await settle(monitor);
      expect(await monitor.backlog()).toBe(0);
    });

    it('stops holding batches in memory past the queue bound and reads them back from the log instead', async () => {
      const log = new FakeLog('local');
      const { monitor, pipeline, checkpoints } = monitorOver(log, { config: { maxQueuedEvents: 4 } });
      monitor.start();
      await settle(monitor);

      let release!: () => void;
      pipeline.gate = new Promise((resolve) => (release = resolve));
      log.commit([1, 2, 3]);
      await new Promise((resolve) => setImmediate(resolve));
      log.commit([4, 5]);
      expect(monitor.mode).toBe('catching-up');
      expect(monitor.queuedEvents).toBe(0);
      expect(await monitor.backlog()).toBe(5);

      pipeline.gate = null;
      release();
      await settle(monitor);
      // The batch in hand finishes; the rest comes from the log, nothing twice, nothing lost.
      expect(pipeline.processed()).toEqual([1, 2, 3, 4, 5]);
      expect(checkpoints.seq).toBe(5);
      expect(monitor.mode).toBe('live');
    });

    it('reads the log after a flush whose rows may have been committed without a hand-over', async () => {
      const log = new FakeLog('local');
      const { monitor, pipeline } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      log.commit([1, 2], { silently: true });
      log.follower!.gap();
      expect(monitor.mode).toBe('catching-up');
      await settle(monitor);
      expect(pipeline.processed()).toEqual([1, 2]);
      expect(monitor.mode).toBe('live');
    });

    it('waits for a flush still committing below the read bound instead of reading past it', async () => {
      const log = new FakeLog('local');
      log.commit([1, 2, 3], { silently: true });
      log.bound = 0; // a flush below seq 1 is in flight
      let waits = 0;
      const { monitor, pipeline, pauses } = monitorOver(log, {
        sleep: () => {
          if (++waits === 3) log.bound = Number.MAX_SAFE_INTEGER;
          return Promise.resolve();
        },
      });
      monitor.start();
      await settle(monitor);
      expect(pauses).toEqual([5, 5, 5]);
      expect(pipeline.processed()).toEqual([1, 2, 3]);
    });

    it('steps over a run of seqs burnt by duplicates below a known commit', async () => {
      const log = new FakeLog('local');
      log.commit([1, 2, 9, 10], { silently: true });
      const { monitor, pipeline, checkpoints } = monitorOver(log, { config: { replayPageSpan: 3 } });
      monitor.start();
      await settle(monitor);
      // Pages of three after the checkpoint: 0..3, then 2..5 and 5..8 empty below the known seq 10, then 8..11.
      expect(pipeline.runs).toEqual([
        [1, 2],
        [9, 10],
      ]);
      expect(monitor.processedSeq).toBe(10);
      expect(checkpoints.seq).toBe(10);
      expect(monitor.mode).toBe('live');
    });
  });

  describe('after an outage', () => {
    it('pauses, keeps the checkpoint where it was, rebuilds from the log and processes the batch again', async () => {
      const log = new FakeLog('local');
      log.commit([1, 2, 3], { silently: true });
      const { monitor, pipeline, checkpoints, pauses } = monitorOver(log, { firstRecentSeq: 1 });
      const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      pipeline.failures = [outage];
      monitor.start();
      await settle(monitor);

      expect(pauses).toEqual([1_000]);
      expect(pipeline.rebuilds).toEqual([1, 1]);
      expect(pipeline.processed()).toEqual([1, 2, 3]);
      expect(checkpoints.advances).toBe(1);
      expect(monitor.mode).toBe('live');
      expect(monitor.lastError).toBeNull();
    });

    it('shows why detection paused while it recovers', async () => {
      const log = new FakeLog('local');
      log.commit([1], { silently: true });
      // The pause never ends: the monitor stays where the outage left it.
      const { monitor, pipeline } = monitorOver(log, { sleep: () => new Promise(() => undefined) });
      pipeline.failures = [new Error('Connection terminated unexpectedly')];
      monitor.start();
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(monitor.mode).toBe('recovering');
      expect(monitor.lastError).toBe('Connection terminated unexpectedly');
      expect(await monitor.backlog()).toBeGreaterThan(0);
    });
  });

  describe('following a remote log (detect role)', () => {
    it('reads up to the bound the writers announced, publishes its progress, and wakes on the next notice', async () => {
      const log = new FakeLog('remote');
      log.commit(range(1, 10));
      log.bound = 10;
      const { monitor, pipeline, checkpoints } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      expect(pipeline.processed()).toEqual(range(1, 10));
      expect(log.published.at(-1)).toBe(10);
      expect(monitor.mode).toBe('live');

      log.commit(range(11, 15));
      log.bound = 15;
      log.follower!.advanced();
      expect(monitor.mode).toBe('catching-up');
      await settle(monitor);
      expect(pipeline.processed()).toEqual(range(1, 15));
      expect(checkpoints.seq).toBe(15);
      expect(log.published.at(-1)).toBe(15);
      expect(monitor.mode).toBe('live');
      expect(await monitor.backlog()).toBe(0);
    });

    it('moves past an announced span with no rows: the writers vouch that nothing more will appear below the bound', async () => {
      const log = new FakeLog('remote');
      log.commit([1, 2]);
      log.bound = 2;
      const { monitor, checkpoints } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      log.bound = 4096;
      log.follower!.advanced();
      await settle(monitor);
      expect(monitor.processedSeq).toBe(4096);
      expect(log.published.at(-1)).toBe(4096);
      // Nothing was processed there, so the checkpoint stays at the last batch (a restart reads the empty span again).
      expect(checkpoints.seq).toBe(2);
      expect(monitor.mode).toBe('live');
    });
  });

  describe('at shutdown', () => {
    it('stops following the log and ignores what is committed after', async () => {
      const log = new FakeLog('local');
      const { monitor, pipeline } = monitorOver(log);
      monitor.start();
      await settle(monitor);
      await monitor.stop();
      expect(monitor.mode).toBe('stopped');
      expect(log.follower).toBeNull();
      monitor.committed([committed(1)]);
      await settle(monitor);
      expect(pipeline.runs).toEqual([]);
    });
  });

  describe('as a detect worker holding some partitions (partition of seq n: n % 4 in these fakes)', () => {
    /** A worker holding partitions 0 and 1 of 4, whose checkpoints are at 20 and 8. */
    function partitioned({ others = null as number | null, fenced = new Set<number>() } = {}) {
      const log = new FakeLog('remote');
      log.commit(range(1, 40), { silently: true });
      log.bound = 40;
      const pipeline = new FakePipeline();
      const rebuiltFor: Array<readonly number[] | null> = [];
      pipeline.rebuild = (beforeSeq: number, partitions?: readonly number[] | null) => {
        pipeline.rebuilds.push(beforeSeq);
        rebuiltFor.push(partitions ?? null);
        return Promise.resolve();
      };
      const seqs = new Map([
        [0, 20],
        [1, 8],
      ]);
      const advances: Array<{ partitions: number[]; seq: number }> = [];
      let held = [
        { partition: 0, token: 3 },
        { partition: 1, token: 1 },
      ];
      let generation = 1;
      const listeners: Array<() => void> = [];
      const scope = {
        worker: 'w1',
        partitionCount: 4,
        get generation() {
          return generation;
        },
        held: () => held,
        onChange: (listener: () => void) => {
          listeners.push(listener);
          return () => undefined;
        },
        lost: (partitions: readonly number[]) => {
          held = held.filter((lease) => !partitions.includes(lease.partition));
          generation++;
          for (const listener of listeners) listener();
        },
      };
      const monitor = new Monitor({
        source: log,
        pipeline,
        partitions: scope,
        checkpoints: {
          processedSeq: () => Promise.reject(new Error('one checkpoint per partition here')),
          advance: () => Promise.reject(new Error('one checkpoint per partition here')),
          partitionSeqs: (partitions) => Promise.resolve(new Map(partitions.map((partition) => [partition, seqs.get(partition) ?? 0]))),
          advancePartitions: (_worker, leases, seq) => {
            const moved = leases.map((lease) => lease.partition).filter((partition) => !fenced.has(partition));
            advances.push({ partitions: moved, seq });
            for (const partition of moved) seqs.set(partition, Math.max(seqs.get(partition) ?? 0, seq));
            return Promise.resolve(new Set(moved));
          },
          lowestOtherSeq: () => Promise.resolve(others),
        },
        streams: { highestLastSeq: () => Promise.resolve(40), firstSeqActiveWithin: () => Promise.resolve(5) },
        quarantine: { openSeqs: () => Promise.resolve(new Set<number>()) },
        config: { ...DEFAULT_MONITOR_CONFIG, replayPageSpan: 100, maxLeadSeqs: 16 },
        sleep: () => new Promise((resolve) => setImmediate(resolve)),
      });
      return { log, monitor, pipeline, rebuiltFor, advances, seqs };
    }

    it('reads only its partitions, replays muted each one up to its own checkpoint, processes the rest and checkpoints each', async () => {
      const { monitor, pipeline, rebuiltFor, advances } = partitioned();
      monitor.start();
      await settle(monitor);
      expect(pipeline.rebuilds).toEqual([5]);
      expect(rebuiltFor).toEqual([[0, 1]]);
      // Muted: up to the lowest checkpoint (8) at recovery, then partition 0's events up to its own (20).
      expect(pipeline.replayed).toEqual([5, 8, 12, 16, 20]);
      expect(pipeline.processed()).toEqual([9, 13, 17, 21, 24, 25, 28, 29, 32, 33, 36, 37, 40]);
      expect(advances).toEqual([{ partitions: [0, 1], seq: 40 }]);
      expect(monitor.partitionProgress()).toEqual([
        { partition: 0, processedSeq: 40 },
        { partition: 1, processedSeq: 40 },
      ]);
      expect(monitor.mode).toBe('live');
      await monitor.stop();
    });

    it('runs at most maxLeadSeqs ahead of the slowest other partition', async () => {
      const { monitor, pipeline, advances } = partitioned({ others: 10 });
      monitor.start();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      // The others are at 10: this worker goes no further than 26 and waits there.
      expect(Math.max(...pipeline.processed())).toBe(25);
      expect(advances.map(({ seq }) => seq)).toEqual([26]);
      expect(monitor.mode).toBe('catching-up');
      await monitor.stop();
    });

    it('rebuilds for the partitions it still holds when a checkpoint is fenced off (its lease was lost)', async () => {
      const { monitor, pipeline, rebuiltFor } = partitioned({ fenced: new Set([1]) });
      monitor.start();
      await settle(monitor);
      expect(rebuiltFor).toEqual([[0, 1], [0]]);
      expect(monitor.partitionProgress()).toEqual([{ partition: 0, processedSeq: 40 }]);
      expect(pipeline.rebuilds).toHaveLength(2);
      await monitor.stop();
    });
  });
});
