import { type FactoryProvider, Logger } from '@nestjs/common';
import type pg from 'pg';
import type { RoomEvent } from '../events/event.schema.js';
import { LOG_PG_POOL } from '../platform/database/database.module.js';
import { toStoredRow } from './stored-event.js';

/** Seqs one flush reserves: the INCREMENT of the events_seq sequence (migration InitialSchema). */
export const EVENT_SEQ_BLOCK = 4096;

/** An event as the log holds it: its commit-order position and the event. */
export interface CommittedEvent {
  seq: number;
  event: RoomEvent;
}

/** Per input event: its log position when newly stored, or null for a duplicate id. */
export type AppendOutcome = Array<number | null>;

export type FlushListener = (rows: number, seconds: number, committed: boolean) => void;

export interface EventLogWriterOptions {
  /** Rows in one INSERT (at most EVENT_SEQ_BLOCK). Larger amortises the round trip and the commit's fsync. */
  maxRowsPerFlush: number;
  /**
   * INSERTs in flight at once. Two keep PostgreSQL busy on two cores while
   * Node prepares the next; seq blocks keep their order (see flush()).
   */
  flushConcurrency: number;
  /** Rows waiting for a flush before append() makes callers wait: the memory bound of ingest. */
  maxQueuedRows: number;
  /**
   * Rows in one urgent flush (see append's `urgent`). Small: an urgent flush
   * is a few decisions' events, and its INSERT time is their wait.
   */
  maxUrgentRowsPerFlush: number;
}

export const DEFAULT_WRITER_OPTIONS: EventLogWriterOptions = {
  maxRowsPerFlush: 4000,
  flushConcurrency: 2,
  maxQueuedRows: 40_000,
  maxUrgentRowsPerFlush: 500,
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

/** One flush in flight: its reserved seq block and, once committed, its rows. */
interface FlushSlot {
  base: number | null;
  committed: CommittedEvent[] | null;
}

type CommitListener = (committed: CommittedEvent[]) => void;

// Below the ORM on purpose: one multi-row INSERT per flush moves thousands
// of events in one round trip, which TypeORM's per-entity save cannot. The
// rows travel as one JSON array: PostgreSQL's JSON parser takes it in one
// pass, where eight array literals would be escaped element by element in
// JS and parsed again on the server (measured ~13% faster end to end).
// ON CONFLICT on the primary key is the dedupe.
const INSERT_EVENTS = `
  INSERT INTO events (seq, event_id, type, room_id, stream_id, account_id, ts, payload)
  SELECT seq, event_id, type, room_id, stream_id, account_id, ts, payload
    FROM jsonb_to_recordset($1::jsonb)
      AS row(seq bigint, event_id text, type text, room_id text, stream_id text, account_id text, ts bigint, payload jsonb)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING seq, event_id`;

/**
 * Group commit for the event log. Every connection's batches queue here; a
 * flush takes as many queued batches as fit in one INSERT, so a thousand
 * small sends cost a handful of commits. A batch's promise settles only after
 * its rows are committed: the ack a client gets means durable.
 *
 * Commit listeners hear flushes in seq order, never a lower seq after a
 * higher one, so the engine's live input is the log's order.
 *
 * The one place outside a *.repository.ts that queries the pool, on
 * purpose: the append and the seq-block reservations are the log's hot
 * path and its ordering protocol (see INSERT_EVENTS and flush()); every
 * read of the log goes through EventLogRepository.
 */
export class EventLogWriter {
  private readonly logger = new Logger(EventLogWriter.name);
  private readonly queue: PendingAppend[] = [];
  /** Appends someone is waiting on now (a decision): flushed ahead of the queue, on a flush slot of their own. */
  private readonly urgentQueue: PendingAppend[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly listeners = new Set<CommitListener>();
  private readonly gapListeners = new Set<() => void>();
  private readonly flushListeners = new Set<FlushListener>();
  /** Flushes whose block is known, in block order, until delivered. */
  private readonly slots: FlushSlot[] = [];
  /**
   * Reservations run one at a time, each registering its slot before the next
   * starts: otherwise a later block's reply and INSERT could both finish
   * before an earlier block is even known, and be delivered ahead of it.
   */
  private reservations: Promise<unknown> = Promise.resolve();
  /** End of the newest block this writer reserved, or of the sequence when it last looked while idle. */
  private reservedThrough = 0;
  private readonly progressListeners = new Set<(committedThrough: number) => void>();
  private queuedRows = 0;
  private activeFlushes = 0;
  private urgentFlushActive = false;
  private closed = false;
  private committedTotal = 0;
  private failedFlushes = 0;

  private readonly options: EventLogWriterOptions;

  constructor(
    private readonly pool: pg.Pool,
    options: Partial<EventLogWriterOptions> = {},
  ) {
    this.options = { ...DEFAULT_WRITER_OPTIONS, ...options };
    for (const limit of ['maxRowsPerFlush', 'maxUrgentRowsPerFlush'] as const) {
      if (this.options[limit] > EVENT_SEQ_BLOCK) throw new Error(`${limit} ${this.options[limit]} exceeds the seq block of ${EVENT_SEQ_BLOCK}`);
    }
  }

  onCommitted(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A flush failed in a way that leaves it unknown whether its rows were
   * committed (the connection died after the INSERT was sent). Its sender was
   * told to retry, which dedupe makes safe, but a live reader must now read
   * the log rather than trust the hand-over.
   */
  /** Hears every flush as it ends: rows offered, seconds taken, committed or not (for metrics). */
  onFlush(listener: FlushListener): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /**
   * For readers in other processes: every seq at or below this that this
   * writer will ever commit is committed already. Unlike safeSeq() it never
   * runs ahead of what this writer has reserved, so it can be published and
   * taken as a read bound by another process.
   */
  committedThrough(): number {
    const pending = this.slots.find((slot) => slot.committed === null);
    return pending ? pending.base! - 1 : this.reservedThrough;
  }

  /** Hears committedThrough() whenever it may have moved. */
  onProgress(listener: (committedThrough: number) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /**
   * While idle, lifts committedThrough() to the sequence's newest block: this
   * writer's next block will lie above it. Runs in the reservation chain, so
   * no reservation of this writer is in flight meanwhile.
   */
  async refreshIdleBound(): Promise<number> {
    const refresh = this.reservations.then(async () => {
      if (this.slots.length > 0) return;
      const result = await this.pool.query<{ last_value: string }>('SELECT last_value FROM events_seq');
      this.reservedThrough = Math.max(this.reservedThrough, Number(result.rows[0]!.last_value) + EVENT_SEQ_BLOCK - 1);
    });
    this.reservations = refresh.catch(() => undefined);
    await refresh;
    const through = this.committedThrough();
    for (const listener of this.progressListeners) listener(through);
    return through;
  }

  /**
   * Every seq at or below this is committed or will never exist. A reader of
   * the log (catch-up) must not read past it, or it could miss a lower seq
   * that a slower concurrent flush commits later.
   */
  safeSeq(): number {
    const pending = this.slots.find((slot) => slot.committed === null);
    return pending ? pending.base! - 1 : Number.MAX_SAFE_INTEGER;
  }

  /**
   * Stores the events and resolves once they are committed. While the queue
   * is full the caller waits for room (backpressure: a fast sender is slowed,
   * memory stays bounded).
   *
   * `urgent`: someone waits on this commit to answer now (a real-time
   * decision, CONTRACT.md §7). Urgent appends skip the queue of ordinary
   * batches, and whenever they wait and no urgent flush is running, one
   * starts beside the ordinary flushes, so their wait is one small INSERT,
   * not the ingest backlog (up to maxQueuedRows, seconds at 20k events/s).
   * They are not held back by the ordinary queue's bound; the callers' own
   * rate (one event per request) bounds them.
   */
  async append(events: RoomEvent[], { urgent = false }: { urgent?: boolean } = {}): Promise<AppendOutcome> {
    if (events.length === 0) return [];
    if (this.closed) throw new StorageUnavailableError('storage: the service is shutting down; retry');
    while (!urgent && this.queuedRows > 0 && this.queuedRows + events.length > this.options.maxQueuedRows) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (this.closed) throw new StorageUnavailableError('storage: the service is shutting down; retry');
    }
    return new Promise<AppendOutcome>((resolve, reject) => {
      (urgent ? this.urgentQueue : this.queue).push({ events, resolve, reject });
      if (!urgent) this.queuedRows += events.length;
      this.pump();
    });
  }

  stats(): { queuedRows: number; activeFlushes: number; committedTotal: number; failedFlushes: number } {
    return {
      queuedRows: this.queuedRows,
      activeFlushes: this.activeFlushes + (this.urgentFlushActive ? 1 : 0),
      committedTotal: this.committedTotal,
      failedFlushes: this.failedFlushes,
    };
  }

  /** Stops taking work and waits for the flushes in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    while (this.activeFlushes > 0 || this.urgentFlushActive || this.queue.length > 0 || this.urgentQueue.length > 0) {
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private pump(): void {
    // Ordinary flushes take urgent appends first, then the queue.
    while ((this.queue.length > 0 || this.urgentQueue.length > 0) && this.activeFlushes < this.options.flushConcurrency) {
      this.start(this.takeBatch(this.options.maxRowsPerFlush, true), false);
    }
    // Urgent appends still waiting (every ordinary slot is busy): their own slot, one flush at a time.
    if (this.urgentQueue.length > 0 && !this.urgentFlushActive) this.start(this.takeBatch(this.options.maxUrgentRowsPerFlush, false), true);
  }

  private start(batch: PendingAppend[], urgentSlot: boolean): void {
    if (urgentSlot) this.urgentFlushActive = true;
    else this.activeFlushes++;
    void this.flush(batch).finally(() => {
      if (urgentSlot) this.urgentFlushActive = false;
      else this.activeFlushes--;
      this.pump();
    });
  }

  /** Urgent appends first, up to maxRows; then, when `ordinary`, the queue. */
  private takeBatch(maxRows: number, ordinary: boolean): PendingAppend[] {
    const batch: PendingAppend[] = [];
    let rows = 0;
    let ordinaryRows = 0;
    for (const queue of ordinary ? [this.urgentQueue, this.queue] : [this.urgentQueue]) {
      while (queue.length > 0) {
        const next = queue[0]!;
        if (batch.length > 0 && rows + next.events.length > maxRows) break;
        batch.push(queue.shift()!);
        rows += next.events.length;
        if (queue === this.queue) ordinaryRows += next.events.length;
      }
    }
    this.queuedRows -= ordinaryRows;
    if (ordinaryRows > 0) for (const wake of this.spaceWaiters.splice(0)) wake();
    return batch;
  }

  private async flush(batch: PendingAppend[]): Promise<void> {
    const startedAt = performance.now();
    // The first occurrence of an id in the flush is the one offered to the
    // database; later ones in the same flush are duplicates of it.
    const firstIndex = new Map<string, RoomEvent>();
    for (const pending of batch) {
      for (const event of pending.events) if (!firstIndex.has(event.id)) firstIndex.set(event.id, event);
    }
    const unique = [...firstIndex.values()];
    let slot: FlushSlot | undefined;
    let inserted: Map<string, number>;
    try {
      // One nextval reserves a whole block: this flush's seqs all lie below
      // those of any flush that reserves later, whichever commits first.
      const reserving = this.reservations.then(async () => {
        const reserved = await this.pool.query<{ base: string }>(`SELECT nextval('events_seq') AS base`);
        const reservedSlot: FlushSlot = { base: Number(reserved.rows[0]!.base), committed: null };
        this.insertSlot(reservedSlot);
        this.reservedThrough = Math.max(this.reservedThrough, reservedSlot.base! + EVENT_SEQ_BLOCK - 1);
        return reservedSlot;
      });
      this.reservations = reserving.catch(() => undefined);
      slot = await reserving;
      const base = slot.base!;
      const rows = unique.map((event, i) => toStoredRow(event, base + i));
      const result = await this.pool.query<{ seq: string; event_id: string }>(INSERT_EVENTS, [JSON.stringify(rows)]);
      inserted = new Map(result.rows.map((row) => [row.event_id, Number(row.seq)]));
    } catch (error) {
      this.failedFlushes++;
      if (slot) {
        this.slots.splice(this.slots.indexOf(slot), 1);
        for (const listener of this.gapListeners) listener();
      }
      this.deliverReady();
      this.logger.warn(`event log append failed, ${unique.length} events not stored: ${(error as Error).message}`);
      for (const listener of this.flushListeners) listener(unique.length, (performance.now() - startedAt) / 1000, false);
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
    for (const listener of this.flushListeners) listener(unique.length, (performance.now() - startedAt) / 1000, true);
    const committed: CommittedEvent[] = [];
    for (const event of unique) {
      const seq = inserted.get(event.id);
      if (seq !== undefined) committed.push({ seq, event });
    }
    slot.committed = committed;
    this.deliverReady();
  }

  private insertSlot(slot: FlushSlot): void {
    const at = this.slots.findIndex((other) => other.base! > slot.base!);
    if (at === -1) this.slots.push(slot);
    else this.slots.splice(at, 0, slot);
  }

  /** Hands committed flushes to listeners in block order, stopping at the first still in flight. */
  private deliverReady(): void {
    let delivered = false;
    while (this.slots.length > 0 && this.slots[0]!.committed !== null) {
      const { committed } = this.slots.shift()!;
      delivered = true;
      if (committed!.length === 0) continue;
      for (const listener of this.listeners) listener(committed!);
    }
    if (delivered && this.progressListeners.size > 0) {
      const through = this.committedThrough();
      for (const listener of this.progressListeners) listener(through);
    }
  }
}

/** This process's one writer of the log, on its own pool: provided by the ingest module. */
export const EVENT_LOG_WRITER_PROVIDER: FactoryProvider<EventLogWriter> = {
  provide: EventLogWriter,
  inject: [LOG_PG_POOL],
  useFactory: (pool: pg.Pool) => new EventLogWriter(pool),
};
