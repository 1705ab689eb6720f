import { Logger } from '@nestjs/common';
import { isLiveActivity } from '../events/event.schema.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import type { LogFollower, LogSource } from '../log/log-source.js';
import type { StreamRepository } from '../state/streams/stream.repository.js';
import type { CheckpointRepository } from './checkpoint.repository.js';
import type { HeldLease } from './partition-leases.repository.js';
import type { PartitionScope } from './partition-ownership.js';
import { DEFAULT_MONITOR_CONFIG, type MonitorConfig } from './pipeline.config.js';
import type { Pipeline } from './pipeline.js';
import type { QuarantineRepository } from './quarantine.repository.js';

/** The checkpoint's consumer name (engine_checkpoints.consumer). */
export const CHECKPOINT_CONSUMER = 'detection';

/**
 * - `recovering`: rebuilding the live detectors from the log, muted, up to the checkpoint;
 * - `catching-up`: processing the log after the checkpoint, page by page;
 * - `live`: processing batches as they are handed over (local) or announced (remote);
 * - `stopped`: shut down.
 */
export type MonitorMode = 'recovering' | 'live' | 'catching-up' | 'stopped';

export interface MonitorParts {
  source: LogSource;
  pipeline: Pick<Pipeline, 'run' | 'rebuild' | 'replay'>;
  /**
   * A detect worker's leased partitions: it reads, processes and
   * checkpoints only those, each from its own checkpoint, and rebuilds
   * whenever the held set changes. Absent: this process runs every room
   * under the one `detection` checkpoint (ROOMWATCH_ROLE=all).
   */
  partitions?: PartitionScope;
  checkpoints: Pick<CheckpointRepository, 'processedSeq' | 'advance' | 'partitionSeqs' | 'advancePartitions' | 'lowestOtherSeq'>;
  /** Where streams sit in the log: the restart replay starts at the first recent one. */
  streams: Pick<StreamRepository, 'highestLastSeq' | 'firstSeqActiveWithin'>;
  quarantine: Pick<QuarantineRepository, 'openSeqs'>;
  config?: MonitorConfig;
  /** Waits out a pause (after an outage, for a flush in flight); specs pass a quicker clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** Pause after a dependency went away mid-batch, before rebuilding from the log. */
const OUTAGE_PAUSE_MS = 1_000;
/** Wait for a flush below everything newer to commit, before reading past it. */
const FLUSH_WAIT_MS = 5;
/**
 * Events of queued hand-overs processed as one batch at most: a writer's
 * flush is up to 4,000 rows, so a batch of a few flushes, the size a
 * catch-up page's stages already take.
 */
const LIVE_BATCH_EVENTS = 8_192;
/** A detect worker too far ahead of the others looks again after this (a checkpoint read). */
const LEAD_WAIT_MS = 50;

/**
 * Feeds what ingest durably committed to the pipeline, in commit order. Live,
 * it is given each batch right after its commit (no polling). At start, and
 * whenever it falls too far behind, it reads the log instead: first
 * replaying, muted, the recent streams up to its checkpoint (to rebuild the
 * live detectors' memory), then processing what came after. The checkpoint
 * moves only after a batch's side effects and findings are stored, so a crash
 * at any point loses nothing and repeats at most one batch, which every stage
 * and the report store absorb idempotently.
 */
export class Monitor implements LogFollower {
  private readonly logger = new Logger(Monitor.name);
  private readonly source: LogSource;
  private readonly config: MonitorConfig;
  private readonly sleep: (ms: number) => Promise<void>;
  private currentMode: MonitorMode = 'recovering';
  private readonly queue: Array<readonly CommittedEvent[]> = [];
  private queued = 0;
  private processed = 0;
  private highestCommittedSeq = 0;
  private draining: Promise<void> | null = null;
  private stopFollowing: (() => void) | null = null;
  private error: string | null = null;
  /** Newest ts among committed events handed to this process (live hand-over only). */
  private newestCommittedTs = Number.NEGATIVE_INFINITY;
  /** Partitioned: the held set the live detectors were rebuilt for, and each one's checkpoint. */
  private scopeGeneration = -1;
  private leases: readonly HeldLease[] = [];
  private readonly partitionSeqs = new Map<number, number>();
  /** Quarantined seqs below the highest partition checkpoint: kept out of the muted part of catch-up pages. */
  private mutedSkip: ReadonlySet<number> = new Set();
  private stopScope: (() => void) | null = null;

  constructor(private readonly parts: MonitorParts) {
    this.source = parts.source;
    this.config = parts.config ?? DEFAULT_MONITOR_CONFIG;
    this.sleep = parts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get mode(): MonitorMode {
    return this.currentMode;
  }

  get processedSeq(): number {
    return this.processed;
  }

  get queuedEvents(): number {
    return this.queued;
  }

  /** Why detection last paused, until it is live again. */
  get lastError(): string | null {
    return this.error;
  }

  /** Follows the log and starts recovering. */
  start(): void {
    this.stopFollowing = this.source.follow(this);
    this.stopScope = this.parts.partitions?.onChange(() => this.kick()) ?? null;
    this.kick();
  }

  /** How far the log may be read now (remote: what the writers vouch for). */
  readBound(): number {
    const bound = this.source.readBound();
    return Number.isFinite(bound) && bound < Number.MAX_SAFE_INTEGER ? bound : this.highestCommittedSeq;
  }

  /** Partitioned: the partitions the live detectors hold, each with its checkpoint (null: every room, one checkpoint). */
  partitionProgress(): Array<{ partition: number; processedSeq: number }> | null {
    if (!this.parts.partitions) return null;
    return this.leases.map(({ partition }) => ({ partition, processedSeq: this.partitionSeqs.get(partition) ?? 0 }));
  }

  async stop(): Promise<void> {
    this.stopFollowing?.();
    this.stopScope?.();
    this.currentMode = 'stopped';
    await this.draining;
  }

  /** Settles once nothing is in hand: caught up and live with an empty queue, or stopped. */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Accepted events not yet fully processed; 0 means every finding they
   * justify is stored. Live, the hand-overs in hand; otherwise also the
   * committed events past the checkpoint (this worker's partitions, each past
   * its own), counted in the log up to `maxCountedBacklog`, and at least 1
   * until the monitor is live: seqs come in blocks per flush, so their span
   * is not a count.
   */
  async backlog(): Promise<number> {
    if (this.currentMode === 'live') return this.queued;
    const cap = this.config.maxCountedBacklog;
    const upTo = this.highestCommittedSeq;
    const behind = this.parts.partitions
      ? await this.source.countPartitions(this.leases.map(({ partition }) => ({ partition, afterSeq: this.partitionSeqs.get(partition) ?? 0 })), upTo, cap)
      : await this.source.count(this.processed, upTo, cap);
    return this.queued + Math.max(1, behind);
  }

  /** Event time between the newest committed event handed over and the newest the live detectors processed. */
  lagSeconds(processedEventTime: number | null): number {
    if (processedEventTime === null || this.newestCommittedTs <= processedEventTime) return 0;
    return (this.newestCommittedTs - processedEventTime) / 1000;
  }

  committed(batch: readonly CommittedEvent[]): void {
    // As the engine's own clock (live activity): announcements, events of no stream and refunds days later do not
    // move it, so they cannot show as lag.
    for (const { event } of batch) if (event.ts > this.newestCommittedTs && isLiveActivity(event)) this.newestCommittedTs = event.ts;
    const last = batch[batch.length - 1];
    if (last) this.highestCommittedSeq = Math.max(this.highestCommittedSeq, last.seq);
    if (this.currentMode !== 'live') return; // the log has it; recovery or catch-up will read it
    if (this.queued + batch.length > this.config.maxQueuedEvents) {
      // Falling behind: stop holding batches in memory and read them back later.
      this.logger.warn(`detection is ${this.queued} events behind ingest; catching up from the log`);
      this.dropQueue();
      this.currentMode = 'catching-up';
    } else {
      this.queue.push(batch);
      this.queued += batch.length;
    }
    this.kick();
  }

  /** Rows may have been committed without a hand-over: read the log from the checkpoint. */
  gap(): void {
    if (this.currentMode !== 'live') return;
    this.dropQueue();
    this.currentMode = 'catching-up';
    this.kick();
  }

  /** Another process committed more: read the log up to the new bound. */
  advanced(): void {
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, this.source.readBound());
    if (this.currentMode === 'live') this.currentMode = 'catching-up';
    this.kick();
  }

  private dropQueue(): void {
    this.queue.length = 0;
    this.queued = 0;
  }

  private kick(): void {
    if (this.draining || this.currentMode === 'stopped') return;
    this.draining = this.drain()
      .catch((error: Error) => {
        // A dependency went away mid-batch. The live detectors may hold half
        // of that batch, so rebuild them from the log once it is back:
        // nothing past the checkpoint is lost, nothing is counted twice.
        this.error = error.message;
        this.logger.error(`detection paused: ${error.message}`);
        this.dropQueue();
        if (this.currentMode !== 'stopped') this.currentMode = 'recovering';
        return this.sleep(OUTAGE_PAUSE_MS);
      })
      .finally(() => {
        this.draining = null;
        if (this.currentMode !== 'stopped' && (this.currentMode !== 'live' || this.queue.length > 0)) this.kick();
      });
  }

  /** The held partitions changed since the live detectors were rebuilt. */
  private rescoped(): boolean {
    const scope = this.parts.partitions;
    return scope !== undefined && scope.generation !== this.scopeGeneration;
  }

  private async drain(): Promise<void> {
    if (this.rescoped() && this.currentMode !== 'stopped') this.currentMode = 'recovering';
    if (this.currentMode === 'recovering') await this.recover();
    while (this.currentMode === 'catching-up') {
      const caughtUp = this.parts.partitions ? await this.catchUpPartitions() : await this.catchUpPage();
      if (this.rescoped()) {
        this.currentMode = 'recovering';
        return;
      }
      if (caughtUp && this.processed >= this.highestCommittedSeq) {
        this.currentMode = 'live';
        this.error = null;
      }
    }
    while (this.currentMode === 'live' && this.queue.length > 0) {
      // The hand-overs waiting, as one batch up to a page: each stage's cost is mostly per batch (a
      // few queries), so detection that fell behind catches up in large batches, not flush by flush.
      const taken = [this.queue[0]!];
      let events = taken[0]!.length;
      while (taken.length < this.queue.length && events + this.queue[taken.length]!.length <= LIVE_BATCH_EVENTS) {
        events += this.queue[taken.length]!.length;
        taken.push(this.queue[taken.length]!);
      }
      // Counted in the backlog until its findings are stored, not just dequeued.
      const batch = taken.flat().filter((committed) => committed.seq > this.processed);
      if (batch.length > 0) await this.process(batch.sort((a, b) => a.seq - b.seq));
      if (taken.every((handedOver, index) => this.queue[index] === handedOver)) {
        this.queue.splice(0, taken.length);
        this.queued -= events;
      }
    }
  }

  /** Rebuilds the live detectors from the log: muted up to the checkpoint, then catch-up. */
  private async recover(): Promise<void> {
    if (this.parts.partitions) return this.recoverPartitions(this.parts.partitions);
    const { pipeline, checkpoints, streams, quarantine } = this.parts;
    this.processed = await checkpoints.processedSeq(CHECKPOINT_CONSUMER);
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, await streams.highestLastSeq());
    const replayFrom = await streams.firstSeqActiveWithin(this.config.replayHorizonMs, this.config.unendedReplayHorizonMs);
    const replaying = replayFrom !== null && replayFrom <= this.processed;
    // What the live detectors keep durably (sightings) comes back from before
    // where the replay starts; the replay records the rest itself, in log order.
    await pipeline.rebuild(replaying ? replayFrom : this.processed + 1);
    let replayed = 0;
    if (replaying) {
      // Quarantined events were kept out of the live detectors: keep them out of the rebuild too.
      const quarantined = await quarantine.openSeqs(this.processed);
      for (let from = replayFrom - 1; from < this.processed; from += this.config.replayPageSpan) {
        const to = Math.min(from + this.config.replayPageSpan, this.processed);
        pipeline.replay((await this.source.read(from, to)).filter(({ seq }) => !quarantined.has(seq)));
        replayed += to - from;
      }
    }
    this.logger.log(
      `detection recovered: checkpoint seq ${this.processed}, replayed ${replayed > 0 ? `seq ${replayFrom}..${this.processed}` : 'nothing'}`,
    );
    this.currentMode = 'catching-up';
  }

  /**
   * A detect worker's recovery, for the partitions it holds now: the live
   * detectors are rebuilt from the log, muted, up to the lowest of their
   * checkpoints; catch-up then replays, muted, each partition's events up to
   * its own checkpoint and processes the rest (a partition taken over from a
   * dead worker is behind the others, or ahead of them).
   */
  private async recoverPartitions(scope: PartitionScope): Promise<void> {
    const { pipeline, checkpoints, streams, quarantine } = this.parts;
    this.scopeGeneration = scope.generation;
    this.leases = [...scope.held()];
    const owned = this.leases.map((lease) => lease.partition);
    const seqs = await checkpoints.partitionSeqs(owned, CHECKPOINT_CONSUMER);
    this.partitionSeqs.clear();
    for (const [partition, seq] of seqs) this.partitionSeqs.set(partition, seq);
    const highest = await streams.highestLastSeq();
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, highest);
    this.processed = owned.length > 0 ? Math.min(...seqs.values()) : Math.max(this.processed, highest);
    const replayFrom = owned.length > 0 ? await streams.firstSeqActiveWithin(this.config.replayHorizonMs, this.config.unendedReplayHorizonMs) : null;
    const replaying = replayFrom !== null && replayFrom <= this.processed;
    await pipeline.rebuild(replaying ? replayFrom : this.processed + 1, owned);
    const highestCheckpoint = Math.max(this.processed, ...seqs.values());
    const quarantined = owned.length > 0 ? await quarantine.openSeqs(highestCheckpoint) : new Set<number>();
    this.mutedSkip = quarantined;
    let replayed = 0;
    if (replaying) {
      for (let from = replayFrom - 1; from < this.processed; from += this.config.replayPageSpan) {
        const to = Math.min(from + this.config.replayPageSpan, this.processed);
        const page = await this.source.readPartitions(from, to, owned);
        pipeline.replay(page.filter(({ seq }) => !quarantined.has(seq)));
        replayed += page.length;
      }
    }
    this.logger.log(
      `detection recovered ${owned.length} partitions (${scope.worker}): checkpoints seq ${this.processed}..${highestCheckpoint}, replayed ${replayed} events`,
    );
    this.currentMode = 'catching-up';
  }

  /**
   * One page of the held partitions' log after the lowest checkpoint: each
   * event at or below its partition's checkpoint is replayed muted (its
   * findings are stored), the others are processed; then every held
   * partition's checkpoint moves to the page's end, fenced by its lease.
   * True when the log had nothing more.
   */
  private async catchUpPartitions(): Promise<boolean> {
    const scope = this.parts.partitions!;
    const bound = this.source.readBound();
    const owned = this.leases.map((lease) => lease.partition);
    let to = Math.min(this.processed + this.config.replayPageSpan, bound);
    if (to <= this.processed) {
      // Everything announced so far is processed; the next notice wakes us.
      this.highestCommittedSeq = this.processed;
      return true;
    }
    const others = await this.parts.checkpoints.lowestOtherSeq(owned, scope.partitionCount, CHECKPOINT_CONSUMER);
    if (others !== null) to = Math.min(to, others + this.config.maxLeadSeqs);
    if (to <= this.processed) {
      // Too far ahead of the slowest other worker: wait for it (see maxLeadSeqs).
      await this.sleep(LEAD_WAIT_MS);
      return false;
    }
    const page = await this.source.readPartitions(this.processed, to, owned);
    const muted: CommittedEvent[] = [];
    const fresh: CommittedEvent[] = [];
    for (const committed of page) {
      if (committed.seq > (this.partitionSeqs.get(committed.partition) ?? 0)) fresh.push(committed);
      else if (!this.mutedSkip.has(committed.seq)) muted.push(committed);
    }
    if (muted.length > 0) this.parts.pipeline.replay(muted);
    if (fresh.length > 0) await this.parts.pipeline.run(fresh);
    const moved = await this.parts.checkpoints.advancePartitions(scope.worker, this.leases, to);
    const lost = owned.filter((partition) => !moved.has(partition));
    for (const partition of moved) this.partitionSeqs.set(partition, Math.max(to, this.partitionSeqs.get(partition) ?? 0));
    if (lost.length > 0) {
      this.logger.warn(`detection lost the leases of partitions ${lost.join(', ')}; rebuilding for the rest`);
      scope.lost(lost);
    }
    this.processed = to;
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, to);
    this.source.publishProcessed(this.processed);
    return to >= bound;
  }

  /** Processes one page of the log after the checkpoint; true when the log had nothing more. */
  private async catchUpPage(): Promise<boolean> {
    const remote = this.source.kind === 'remote';
    const bound = this.source.readBound();
    const to = Math.min(this.processed + this.config.replayPageSpan, bound);
    if (remote && to <= this.processed) {
      // Everything announced so far is processed; the next notice wakes us.
      this.highestCommittedSeq = this.processed;
      return true;
    }
    if (to <= this.processed) {
      // A flush below everything newer is still committing; its rows come next.
      await this.sleep(FLUSH_WAIT_MS);
      return false;
    }
    const page = await this.source.read(this.processed, to);
    if (page.length > 0) {
      await this.process(page);
      return false;
    }
    // An empty span below a known commit is a run of seqs burnt by duplicates.
    if (to < this.highestCommittedSeq) {
      this.processed = to;
      return false;
    }
    if (remote) {
      // The writers vouch for everything up to the bound: nothing more will appear below it.
      this.processed = to;
      this.highestCommittedSeq = Math.max(this.highestCommittedSeq, to);
      this.source.publishProcessed(this.processed);
      return to >= bound;
    }
    return true;
  }

  private async process(batch: CommittedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    await this.parts.pipeline.run(batch);
    const lastSeq = batch[batch.length - 1]!.seq;
    await this.parts.checkpoints.advance(CHECKPOINT_CONSUMER, lastSeq);
    this.processed = lastSeq;
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, lastSeq);
    this.source.publishProcessed(lastSeq);
  }
}
