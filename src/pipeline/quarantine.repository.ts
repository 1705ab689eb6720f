import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import type { CommittedEvent } from '../log/event-log.writer.js';

/** One quarantined event as the admin route lists it. */
export interface QuarantinedEvent {
  seq: number;
  eventId: string;
  type: string;
  /** null for an event of no stream (v2 `account.registered`, a coupon claimed outside a room). */
  streamId: string | null;
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
  stream_id: string | null;
  error: string;
  attempts: number;
  quarantined_at: Date;
  replayed_at: Date | null;
  last_replay_error: string | null;
}

const COLUMNS = 'seq::text, event_id, type, stream_id, error, attempts, quarantined_at, replayed_at, last_replay_error';

/** Events the pipeline set aside (`quarantined_events`): open until an operator's replay passes. */
@Injectable()
export class QuarantineRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Sets one event aside with its error; quarantined again, it is open again and its attempts add up. */
  async quarantine({ seq, event }: CommittedEvent, error: string, attempts: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO quarantined_events (seq, event_id, type, stream_id, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (seq) DO UPDATE SET error = EXCLUDED.error, attempts = quarantined_events.attempts + EXCLUDED.attempts,
                                       replayed_at = NULL, quarantined_at = now()`,
      [seq, event.id, event.type, event.streamId ?? null, error, attempts],
    );
  }

  /** Open (not replayed) quarantined seqs at or below `upToSeq`. */
  async openSeqs(upToSeq: number): Promise<Set<number>> {
    const result = await this.pool.query<{ seq: string }>('SELECT seq FROM quarantined_events WHERE replayed_at IS NULL AND seq <= $1', [upToSeq]);
    return new Set(result.rows.map((row) => Number(row.seq)));
  }

  async openCount(): Promise<number> {
    const result = await this.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM quarantined_events WHERE replayed_at IS NULL');
    return result.rows[0]?.count ?? 0;
  }

  /** Oldest first; replayed ones too when `includeReplayed`. */
  async list(limit: number, includeReplayed: boolean): Promise<QuarantinedEvent[]> {
    const result = await this.pool.query<QuarantineRow>(
      `SELECT ${COLUMNS} FROM quarantined_events WHERE $1 OR replayed_at IS NULL ORDER BY seq LIMIT $2`,
      [includeReplayed, limit],
    );
    return result.rows.map(toView);
  }

  /** Whether an event at this seq was ever quarantined (replayed or not). */
  async has(seq: number): Promise<boolean> {
    const result = await this.pool.query('SELECT 1 FROM quarantined_events WHERE seq = $1', [seq]);
    return (result.rowCount ?? 0) > 0;
  }

  /** The replay passed: the entry is closed (its first replay time kept) and its last replay error cleared. */
  async markReplayed(seq: number): Promise<QuarantinedEvent | null> {
    const result = await this.pool.query<QuarantineRow>(
      `UPDATE quarantined_events SET replayed_at = coalesce(replayed_at, now()), last_replay_error = NULL WHERE seq = $1 RETURNING ${COLUMNS}`,
      [seq],
    );
    const row = result.rows[0];
    return row ? toView(row) : null;
  }

  /** The replay failed again: its error is kept and counted as an attempt. */
  async recordReplayFailure(seq: number, error: string): Promise<void> {
    await this.pool.query('UPDATE quarantined_events SET last_replay_error = $2, attempts = attempts + 1 WHERE seq = $1', [seq, error]);
  }
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
