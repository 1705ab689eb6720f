import type { AppConfig } from '../platform/config/config.js';
import type { CommitNotices } from './commit-notices.js';
import type { EventLogRepository, PartitionCheckpoint, PartitionedEvent } from './event-log.repository.js';
import type { CommittedEvent, EventLogWriter } from './event-log.writer.js';

/** What a reader of the log hears as it grows. */
export interface LogFollower {
  /** A batch this process just committed, in seq order (local only): it can be processed without reading it back. */
  committed(batch: readonly CommittedEvent[]): void;
  /** Rows may have been committed without a hand-over (local only): the follower must read the log instead. */
  gap(): void;
  /** Another process committed more (remote only): readBound() moved. */
  advanced(): void;
}

/**
 * The log as a reader in this process sees it: where its commits come from
 * and how far it may read. `local`: this process's own writer hands each
 * committed batch over in seq order. `remote`: ingest runs in other
 * processes, which announce their commits (CommitNotices); the batches
 * themselves are read back from the `events` table.
 */
export interface LogSource {
  readonly kind: 'local' | 'remote';
  follow(follower: LogFollower): () => void;
  /**
   * Every seq at or below this is committed or never will be: a reader must
   * not read past it, or it could miss a lower seq committed later. Local, it
   * is unbounded while no flush is in flight.
   */
  readBound(): number;
  /** The committed events with afterSeq < seq <= upToSeq, in seq order. */
  read(afterSeq: number, upToSeq: number): Promise<CommittedEvent[]>;
  /** The same of some partitions only (a detect worker's), each with its partition. */
  readPartitions(afterSeq: number, upToSeq: number, partitions: readonly number[]): Promise<PartitionedEvent[]>;
  /** How many committed events lie at afterSeq < seq <= upToSeq, up to `cap`. */
  count(afterSeq: number, upToSeq: number, cap: number): Promise<number>;
  /** The same of some partitions, each after its own checkpoint. */
  countPartitions(after: readonly PartitionCheckpoint[], upToSeq: number, cap: number): Promise<number>;
  /** Tells the ingest processes how far the reader has processed (remote only: local ingest sees it in-process). */
  publishProcessed(processedSeq: number): void;
}

type LogReader = Pick<EventLogRepository, 'readRange' | 'readPartitions' | 'countRange' | 'countPartitions'>;

/** What both sources read the same way: the `events` table; they differ in how they hear of commits. */
abstract class TableLogSource {
  constructor(private readonly log: LogReader) {}

  read(afterSeq: number, upToSeq: number): Promise<CommittedEvent[]> {
    return this.log.readRange(afterSeq, upToSeq);
  }

  readPartitions(afterSeq: number, upToSeq: number, partitions: readonly number[]): Promise<PartitionedEvent[]> {
    return this.log.readPartitions(afterSeq, upToSeq, partitions);
  }

  count(afterSeq: number, upToSeq: number, cap: number): Promise<number> {
    return this.log.countRange(afterSeq, upToSeq, cap);
  }

  countPartitions(after: readonly PartitionCheckpoint[], upToSeq: number, cap: number): Promise<number> {
    return this.log.countPartitions(after, upToSeq, cap);
  }
}

/** Ingest and the pipeline in one process: batches handed over as they commit. */
export class LocalLogSource extends TableLogSource implements LogSource {
  readonly kind = 'local';

  constructor(
    private readonly writer: Pick<EventLogWriter, 'onCommitted' | 'onGap' | 'safeSeq'>,
    log: LogReader,
  ) {
    super(log);
  }

  follow(follower: LogFollower): () => void {
    const stops = [this.writer.onCommitted((batch) => follower.committed(batch)), this.writer.onGap(() => follower.gap())];
    return () => {
      for (const stop of stops) stop();
    };
  }

  readBound(): number {
    return this.writer.safeSeq();
  }

  /** Ingest in this process sees the progress in-process. */
  publishProcessed(_processedSeq: number): void {}
}

/** The pipeline in a detect process: woken by other processes' commit notices, reading the table. */
export class RemoteLogSource extends TableLogSource implements LogSource {
  readonly kind = 'remote';

  constructor(
    private readonly notices: Pick<CommitNotices, 'onAdvance' | 'readBound' | 'publishProcessed'>,
    log: LogReader,
  ) {
    super(log);
  }

  follow(follower: LogFollower): () => void {
    return this.notices.onAdvance(() => follower.advanced());
  }

  readBound(): number {
    return this.notices.readBound();
  }

  publishProcessed(processedSeq: number): void {
    void this.notices.publishProcessed(processedSeq);
  }
}

/** The source a process of this role follows; null for an ingest-only process, which follows nothing. */
export function logSourceFor(
  role: AppConfig['ROOMWATCH_ROLE'],
  parts: {
    writer: Pick<EventLogWriter, 'onCommitted' | 'onGap' | 'safeSeq'>;
    notices: Pick<CommitNotices, 'onAdvance' | 'readBound' | 'publishProcessed'>;
    log: LogReader;
  },
): LogSource | null {
  switch (role) {
    case 'ingest':
      return null;
    case 'detect':
      return new RemoteLogSource(parts.notices, parts.log);
    case 'all':
      return new LocalLogSource(parts.writer, parts.log);
  }
}
