import { Logger } from '@nestjs/common';
import type pg from 'pg';
import type { RoomEvent } from '../events/event.schema.js';

/** An event as the log holds it: its commit-order position and the event. */
export interface CommittedEvent {
  seq: number;
  event: RoomEvent;
}

/** Per input event: its log position when newly stored, or null for a duplicate id. */
export type AppendOutcome = Array<number | null>;

export interface EventLogWriterOptions {
  /** Rows in one INSERT. Larger amortises the round trip; 4000 × ~300 B stays well under a few MB per statement. */
  maxRowsPerFlush: number;
  /**
   * Concurrent INSERTs. One keeps commit order = seq order = the order the
   * engine sees live, which is what makes a replay after restart identical;
   * Node prepares the next flush while PostgreSQL commits this one.
   */
  flushConcurrency: number;
  /** Rows waiting for a flush before append() makes callers wait: the memory bound of ingest. */
  maxQueuedRows: number;
}

export const DEFAULT_WRITER_OPTIONS: EventLogWriterOptions = {
  maxRowsPerFlush: 4000,
  flushConcurrency: 1,
  maxQueuedRows: 40_000,
};

/** PostgreSQL could not store the batch; nothing of it was accepted, the sender should retry. */
export class StorageUnavailableError extends Error {
  readonly retryable = true;
}

interface PendingAppend {
  events: RoomEvent[];
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: Error) => void;
}

type CommitListener = (committed: CommittedEvent[]) => void;

// Below the ORM on purpose: one multi-row INSERT ... SELECT FROM unnest() per
// flush moves thousands of events in one round trip, which TypeORM's
// per-entity save cannot. ON CONFLICT on the primary key is the dedupe.
const INSERT_EVENTS = `
  INSERT INTO events (event_id, type, room_id, stream_id, account_id, ts, payload)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::jsonb[])
  ON CONFLICT (event_id) DO NOTHING
  RETURNING seq, event_id`;

/**
 * Group commit for the event log. Every connection's batches queue here; a
 * flush takes as many queued batches as fit in one INSERT, so a thousand
 * small sends cost a handful of commits. A batch's promise settles only after
 * its rows are committed: the ack a client gets means durable.
 */
export class EventLogWriter {
  private readonly logger = new Logger(EventLogWriter.name);
  private readonly queue: PendingAppend[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly listeners = new Set<CommitListener>();
  private queuedRows = 0;
  private activeFlushes = 0;
  private closed = false;
  private committedTotal = 0;
  private failedFlushes = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: EventLogWriterOptions = DEFAULT_WRITER_OPTIONS,
  ) {}

  onCommitted(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores the events and resolves once they are committed. While the queue
   * is full the caller waits for room (backpressure: a fast sender is slowed,
   * memory stays bounded).
   */
  async append(events: RoomEvent[]): Promise<AppendOutcome> {
    if (events.length === 0) return [];
    if (this.closed) throw new StorageUnavailableError('storage: the service is shutting down; retry');
    while (this.queuedRows > 0 && this.queuedRows + events.length > this.options.maxQueuedRows) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (this.closed) throw new StorageUnavailableError('storage: the service is shutting down; retry');
    }
    return new Promise<AppendOutcome>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queuedRows += events.length;
      this.pump();
    });
  }

  stats(): { queuedRows: number; activeFlushes: number; committedTotal: number; failedFlushes: number } {
    return {
      queuedRows: this.queuedRows,
      activeFlushes: this.activeFlushes,
      committedTotal: this.committedTotal,
      failedFlushes: this.failedFlushes,
    };
  }

  /** Stops taking work and waits for the flushes in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    while (this.activeFlushes > 0 || this.queue.length > 0) {
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && this.activeFlushes < this.options.flushConcurrency) {
      const batch = this.takeBatch();
      this.activeFlushes++;
      void this.flush(batch).finally(() => {
        this.activeFlushes--;
        this.pump();
      });
    }
  }

  private takeBatch(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && rows + next.events.length > this.options.maxRowsPerFlush) break;
      batch.push(this.queue.shift()!);
      rows += next.events.length;
    }
    this.queuedRows -= rows;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    return batch;
  }

  private async flush(batch: PendingAppend[]): Promise<void> {
    // The first occurrence of an id in the flush is the one offered to the
    // database; later ones in the same flush are duplicates of it.
    const firstIndex = new Map<string, RoomEvent>();
    for (const pending of batch) {
      for (const event of pending.events) if (!firstIndex.has(event.id)) firstIndex.set(event.id, event);
    }
    const unique = [...firstIndex.values()];
    let inserted: Map<string, number>;
    try {
      const result = await this.pool.query<{ seq: string; event_id: string }>(INSERT_EVENTS, [
        unique.map((event) => event.id),
        unique.map((event) => event.type),
        unique.map((event) => event.roomId),
        unique.map((event) => event.streamId),
        unique.map((event) => event.accountId ?? null),
        unique.map((event) => event.ts),
        unique.map((event) => JSON.stringify(event)),
      ]);
      inserted = new Map(result.rows.map((row) => [row.event_id, Number(row.seq)]));
    } catch (error) {
      this.failedFlushes++;
      this.logger.warn(`event log append failed, ${unique.length} events not stored: ${(error as Error).message}`);
      const failure = new StorageUnavailableError('storage: PostgreSQL is unavailable, nothing was stored; retry');
      for (const pending of batch) pending.reject(failure);
      return;
    }

    const claimed = new Set<string>();
    for (const pending of batch) {
      pending.resolve(
        pending.events.map((event) => {
          const seq = inserted.get(event.id);
          if (seq === undefined || claimed.has(event.id)) return null;
          claimed.add(event.id);
          return seq;
        }),
      );
    }
    this.committedTotal += inserted.size;
    if (inserted.size > 0 && this.listeners.size > 0) {
      const committed: CommittedEvent[] = [];
      for (const event of unique) {
        const seq = inserted.get(event.id);
        if (seq !== undefined) committed.push({ seq, event });
      }
      committed.sort((a, b) => a.seq - b.seq);
      for (const listener of this.listeners) listener(committed);
    }
  }
}
