import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import type { CohortSighting, JournalledSighting } from '../../detection/engine/cohort-directory.js';

/** Sightings of other workers' rooms, complete up to a log position. */
export interface ForeignSightings {
  sightings: CohortSighting[];
  /** Every sighting of a foreign partition at or below this position is in `sightings` or was loaded before. */
  through: number;
}

/**
 * The lowest checkpoint among the partitions not in $1 (a partition never
 * checkpointed counts as far as the single-process consumer got): every
 * sighting those partitions record at or below it is stored, since a
 * worker appends a batch's sightings before it moves the batch's checkpoint.
 */
const FOREIGN_BOUND = `
  SELECT coalesce(min(coalesce(c.processed_seq, f.processed_seq, 0)), 9007199254740991) AS through
    FROM generate_series(0, (SELECT partitions FROM log_partitioning) - 1) AS p(partition)
    LEFT JOIN engine_checkpoints c ON c.consumer = 'detection:p' || p.partition
    LEFT JOIN engine_checkpoints f ON f.consumer = 'detection'
   WHERE NOT (p.partition = ANY($1::int[]))`;

/**
 * The cohort directory's sightings in PostgreSQL (`cohort_sightings`), so
 * cross-room memory survives a restart and is shared between detect
 * workers: each writes its rooms' sightings, and reads the others' once
 * their partitions' checkpoints vouch for them.
 */
@Injectable()
export class CohortSightingsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Idempotent: a batch processed again after a crash journals the same (position, ordinal) keys. */
  async append(sightings: readonly JournalledSighting[]): Promise<void> {
    if (sightings.length === 0) return;
    await this.pool.query(
      `INSERT INTO cohort_sightings (position, ordinal, room_id, stream_id, at, accounts)
       SELECT s.position, s.ordinal, s.room_id, s.stream_id, s.at, ARRAY(SELECT json_array_elements_text(s.accounts))
         FROM json_to_recordset($1::json) AS s(position bigint, ordinal integer, room_id text, stream_id text, at bigint, accounts json)
       ON CONFLICT (position, ordinal) DO NOTHING`,
      [
        JSON.stringify(
          sightings.map((s) => ({ position: s.position, ordinal: s.ordinal, room_id: s.roomId, stream_id: s.streamId, at: s.at, accounts: s.accounts })),
        ),
      ],
    );
  }

  /**
   * Sightings recorded before log position `beforePosition` within
   * `horizonMs` of the newest one, at most `limit` (the newest), in recording
   * order; older rows are deleted, as the directory would have forgotten them.
   */
  async loadRecent(beforePosition: number, horizonMs: number, limit: number, partitions: readonly number[] | null = null): Promise<CohortSighting[]> {
    if (partitions !== null) return (await this.loadRecentOf(beforePosition, horizonMs, limit, partitions)).sightings;
    const newest = await this.pool.query<{ newest: string | null }>('SELECT max(at) AS newest FROM cohort_sightings');
    if (newest.rows[0]?.newest == null) return [];
    const cutoff = Number(newest.rows[0].newest) - horizonMs;
    await this.pool.query('DELETE FROM cohort_sightings WHERE at < $1', [cutoff]);
    const rows = await this.pool.query<{ room_id: string; stream_id: string; at: string; accounts: string[] }>(
      `SELECT room_id, stream_id, at, accounts FROM (
         SELECT room_id, stream_id, at, accounts, position, ordinal FROM cohort_sightings
          WHERE position < $1 AND at >= $2
          ORDER BY position DESC, ordinal DESC LIMIT $3
       ) recent ORDER BY position, ordinal`,
      [beforePosition, cutoff, limit],
    );
    return rows.rows.map((row) => ({ roomId: row.room_id, streamId: row.stream_id, at: Number(row.at), accounts: row.accounts }));
  }

  /**
   * A detect worker's restore: its own partitions' sightings before
   * `beforePosition` (its replay records the rest) and the other
   * partitions' as far as their checkpoints vouch, within the horizon, at
   * most `limit` (the newest), in log order.
   */
  async loadRecentOf(beforePosition: number, horizonMs: number, limit: number, partitions: readonly number[]): Promise<ForeignSightings> {
    const bound = await this.pool.query<{ through: string }>(FOREIGN_BOUND, [partitions]);
    // Other rooms' sightings are seen as they would have been at this position: only those recorded before it.
    const through = Math.min(Number(bound.rows[0]!.through), beforePosition - 1);
    const newest = await this.pool.query<{ newest: string | null }>('SELECT max(at) AS newest FROM cohort_sightings');
    if (newest.rows[0]?.newest == null) return { sightings: [], through };
    const cutoff = Number(newest.rows[0].newest) - horizonMs;
    const rows = await this.pool.query<SightingRow>(
      `SELECT room_id, stream_id, at, accounts FROM (
         SELECT room_id, stream_id, at, accounts, position, ordinal FROM cohort_sightings
          WHERE at >= $2
            AND CASE WHEN room_partition = ANY($4::int[]) THEN position < $1 ELSE position <= $5 END
          ORDER BY position DESC, ordinal DESC LIMIT $3
       ) recent ORDER BY position, ordinal`,
      [beforePosition, cutoff, limit, partitions, through],
    );
    return { sightings: rows.rows.map(toSighting), through };
  }

  /**
   * The other partitions' sightings after position `afterPosition`, up to
   * where their checkpoints vouch that none below is still to come and
   * below `beforePosition` (the batch about to run), in log order: a detect
   * worker's view of the rooms it does not hold.
   */
  async loadForeign(afterPosition: number, beforePosition: number, partitions: readonly number[]): Promise<ForeignSightings> {
    const bound = await this.pool.query<{ through: string }>(FOREIGN_BOUND, [partitions]);
    const through = Math.min(Number(bound.rows[0]!.through), beforePosition - 1);
    if (through <= afterPosition) return { sightings: [], through: afterPosition };
    const rows = await this.pool.query<SightingRow>(
      `SELECT room_id, stream_id, at, accounts FROM cohort_sightings
        WHERE position > $1 AND position <= $2 AND NOT (room_partition = ANY($3::int[]))
        ORDER BY position, ordinal`,
      [afterPosition, through, partitions],
    );
    return { sightings: rows.rows.map(toSighting), through };
  }
}

interface SightingRow {
  room_id: string;
  stream_id: string;
  at: string;
  accounts: string[];
}

function toSighting(row: SightingRow): CohortSighting {
  return { roomId: row.room_id, streamId: row.stream_id, at: Number(row.at), accounts: row.accounts };
}
