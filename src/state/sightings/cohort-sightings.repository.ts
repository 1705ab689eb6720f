import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import type { CohortSighting, JournalledSighting } from '../../detection/engine/cohort-directory.js';

/** The cohort directory's sightings in PostgreSQL (`cohort_sightings`), so cross-room memory survives a restart. */
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
  async loadRecent(beforePosition: number, horizonMs: number, limit: number): Promise<CohortSighting[]> {
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
}
