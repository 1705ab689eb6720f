import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';

/** A stream's claim: the merchant its first `stream.started` names, and that event. */
export interface StreamClaim {
  streamId: string;
  merchantId: string;
  eventId: string;
}

/**
 * Who owns each stream (CONTRACT.md v2 §1), in `stream_owners`: the merchant
 * named by its first committed `stream.started`. A claim is an INSERT ... ON
 * CONFLICT DO NOTHING on the primary key, so when two connections race the
 * database decides: the first committed claim stands, the other reads it back.
 * No process memory is trusted for it. Ingest claims before it appends; the
 * order ledger reads the owners (and claims for a log older than the table).
 */
@Injectable()
export class StreamOwnerRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Claims each stream that has no owner yet; at most one claim per stream. */
  async claim(claims: readonly StreamClaim[]): Promise<void> {
    if (claims.length === 0) return;
    await this.pool.query(
      `INSERT INTO stream_owners (stream_id, merchant_id, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (stream_id) DO NOTHING`,
      [claims.map((c) => c.streamId), claims.map((c) => c.merchantId), claims.map((c) => c.eventId)],
    );
  }

  /** The owner of each of these streams that has one. */
  async ownersOf(streamIds: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ stream_id: string; merchant_id: string }>(
      'SELECT stream_id, merchant_id FROM stream_owners WHERE stream_id = ANY($1::text[])',
      [streamIds],
    );
    return new Map(rows.map((row) => [row.stream_id, row.merchant_id]));
  }
}
