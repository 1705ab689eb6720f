import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import type { Finding } from '../detection/engine/finding.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { STORED_EVENT_COLUMNS, type StoredEventRecord, fromStoredRecord } from '../log/stored-event.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { CommittedBatchHandler } from './batch-handlers.js';
import { DEFAULT_POISON_CONFIG, type PoisonConfig } from './monitor.config.js';

/** One quarantined event as the admin route lists it. */
export interface QuarantinedEvent {
  seq: number;
  eventId: string;
  type: string;
  streamId: string;
  error: string;
  attempts: number;
  quarantinedAt: string;
  replayedAt: string | null;
  lastReplayError: string | null;
}

interface QuarantineRow {
  seq: string;
  event_id: string;
  type: string;
  stream_id: string;
  error: string;
  attempts: number;
  quarantined_at: Date;
  replayed_at: Date | null;
  last_replay_error: string | null;
}

// Connection classes (08), operator intervention (57), resources (53),
// system errors (58), and transaction rollbacks (40: serialisation failure,
// deadlock): the database's moment, not the event. Retried without bound.
const DEPENDENCY_SQLSTATE = /^(08|57|53|58|40)/;
const DEPENDENCY_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const DEPENDENCY_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|Connection is closed/i;

/** True when the error says a dependency is away (PostgreSQL, Redis): pause and retry, never quarantine. */
export function isDependencyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && (DEPENDENCY_SQLSTATE.test(code) || DEPENDENCY_ERRNO.has(code))) return true;
  if ((error as { retryable?: unknown }).retryable === true) return true;
  return DEPENDENCY_MESSAGE.test(error.message);
}

/** What the handlers reached on a batch, and the events set aside on the way. */
export interface HandledBatch {
  findings: Finding[];
  /** Seqs quarantined: the engine skips them too, so the restart replay agrees with the live run. */
  quarantined: Set<number>;
}

/**
 * The monitor's failure path: a batch whose handlers fail for a reason
 * other than an unreachable dependency is retried a few times, then split in
 * halves until the event that fails alone is found; that event goes to
 * `quarantined_events` with its error, the rest of the batch is handled, and
 * the log moves on. Handlers are idempotent, so running a half again is safe.
 */
@Injectable()
export class PoisonQuarantine implements OnModuleInit {
  private readonly logger = new Logger(PoisonQuarantine.name);
  private readonly config: PoisonConfig = DEFAULT_POISON_CONFIG;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly status: StatusRegistry,
  ) {}

  onModuleInit(): void {
    this.status.register('quarantine', async () => {
      const quarantined = await this.openCount();
      return { backlog: 0, quarantined, degraded: quarantined > 0 };
    });
  }

  /** Runs every handler over the batch; throws only for a dependency error. */
  async handle(batch: CommittedEvent[], handlers: readonly CommittedBatchHandler[]): Promise<HandledBatch> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.config.attempts; attempt++) {
      try {
        return { findings: await runHandlers(batch, handlers), quarantined: new Set() };
      } catch (error) {
        if (isDependencyError(error)) throw error;
        lastError = error;
        this.logger.warn(`batch seq ${batch[0]!.seq}..${batch[batch.length - 1]!.seq} failed (attempt ${attempt}): ${messageOf(error)}`);
        if (attempt < this.config.attempts) await new Promise((resolve) => setTimeout(resolve, this.config.backoffMs * attempt));
      }
    }
    const handled: HandledBatch = { findings: [], quarantined: new Set() };
    await this.isolate(batch, handlers, handled, lastError);
    return handled;
  }

  /** Open (not replayed) quarantined seqs at or below `upToSeq`: the restart replay skips them. */
  async openSeqs(upToSeq: number): Promise<Set<number>> {
    const result = await this.pool.query<{ seq: string }>('SELECT seq FROM quarantined_events WHERE replayed_at IS NULL AND seq <= $1', [upToSeq]);
    return new Set(result.rows.map((row) => Number(row.seq)));
  }

  async openCount(): Promise<number> {
    const result = await this.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM quarantined_events WHERE replayed_at IS NULL');
    return result.rows[0]?.count ?? 0;
  }

  async list(limit: number, includeReplayed: boolean): Promise<QuarantinedEvent[]> {
    const result = await this.pool.query<QuarantineRow>(
      `SELECT seq::text, event_id, type, stream_id, error, attempts, quarantined_at, replayed_at, last_replay_error
         FROM quarantined_events WHERE $1 OR replayed_at IS NULL ORDER BY seq LIMIT $2`,
      [includeReplayed, limit],
    );
    return result.rows.map(toView);
  }

  /**
   * Runs the handlers over one quarantined event again (after the cause was
   * fixed). On success the row is marked replayed and the event returned, for
   * the engine; on failure the error is kept and rethrown.
   */
  async replay(seq: number, handlers: readonly CommittedBatchHandler[]): Promise<{ entry: QuarantinedEvent; event: CommittedEvent; findings: Finding[] } | null> {
    const found = await this.pool.query<StoredEventRecord>(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE seq = $1 AND seq IN (SELECT seq FROM quarantined_events)`,
      [seq],
    );
    const record = found.rows[0];
    if (!record) return null;
    const event: CommittedEvent = { seq: Number(record.seq), event: fromStoredRecord(record) };
    try {
      const findings = await runHandlers([event], handlers);
      const updated = await this.pool.query<QuarantineRow>(
        `UPDATE quarantined_events SET replayed_at = coalesce(replayed_at, now()), last_replay_error = NULL WHERE seq = $1
         RETURNING seq::text, event_id, type, stream_id, error, attempts, quarantined_at, replayed_at, last_replay_error`,
        [seq],
      );
      return { entry: toView(updated.rows[0]!), event, findings };
    } catch (error) {
      if (!isDependencyError(error)) {
        await this.pool.query('UPDATE quarantined_events SET last_replay_error = $2, attempts = attempts + 1 WHERE seq = $1', [seq, messageOf(error)]);
      }
      throw error;
    }
  }

  /** Halves the batch until the failing events stand alone; the others' findings are kept. */
  private async isolate(batch: CommittedEvent[], handlers: readonly CommittedBatchHandler[], handled: HandledBatch, error: unknown): Promise<void> {
    if (batch.length === 1) {
      await this.quarantine(batch[0]!, error);
      handled.quarantined.add(batch[0]!.seq);
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
      try {
        handled.findings.push(...(await runHandlers(half, handlers)));
      } catch (halfError) {
        if (isDependencyError(halfError)) throw halfError;
        await this.isolate(half, handlers, handled, halfError);
      }
    }
  }

  /** Sets one event aside with its error (also for an engine that threw on it: in memory, a retry cannot differ). */
  async quarantine({ seq, event }: CommittedEvent, error: unknown, attempts = this.config.attempts + 1): Promise<void> {
    const message = messageOf(error);
    this.logger.error(`quarantined event ${event.id} (seq ${seq}, ${event.type}, stream ${event.streamId}): ${message}`);
    await this.pool.query(
      `INSERT INTO quarantined_events (seq, event_id, type, stream_id, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (seq) DO UPDATE SET error = EXCLUDED.error, attempts = quarantined_events.attempts + EXCLUDED.attempts,
                                       replayed_at = NULL, quarantined_at = now()`,
      [seq, event.id, event.type, event.streamId, message, attempts],
    );
  }
}

async function runHandlers(batch: CommittedEvent[], handlers: readonly CommittedBatchHandler[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const handler of handlers) findings.push(...(await handler.handle(batch)));
  return findings;
}

/** Bounded so one odd error cannot bloat the table or the listing. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

function toView(row: QuarantineRow): QuarantinedEvent {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    error: row.error,
    attempts: row.attempts,
    quarantinedAt: row.quarantined_at.toISOString(),
    replayedAt: row.replayed_at?.toISOString() ?? null,
    lastReplayError: row.last_replay_error,
  };
}
