import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import { type ReportKind, type SubjectType, findingKey } from '../detection/engine/finding.js';

/** Reads of `reports` for other modules: the store's own writes stay in ReportsService. */
@Injectable()
export class ReportRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** findingKey of every report of these kinds these streams already have. */
  async keysOf(streamIds: readonly string[], kinds: readonly ReportKind[]): Promise<Set<string>> {
    if (streamIds.length === 0 || kinds.length === 0) return new Set();
    const result = await this.pool.query<{ kind: ReportKind; subject_type: SubjectType; subject_id: string; stream_id: string }>(
      'SELECT kind, subject_type, subject_id, stream_id FROM reports WHERE stream_id = ANY($1::text[]) AND kind = ANY($2::text[])',
      [streamIds, kinds],
    );
    return new Set(
      result.rows.map((row) => findingKey({ kind: row.kind, subjectType: row.subject_type, subjectId: row.subject_id, streamId: row.stream_id })),
    );
  }
}
