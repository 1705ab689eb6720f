import type pg from 'pg';
import type { StreamStarted } from '../events/event.schema.js';
import { StorageUnavailableError } from '../log/event-log.writer.js';

/**
 * Who owns each stream (CONTRACT.md v2 §1): the merchant named by its first
 * committed `stream.started`. The claim is an INSERT ... ON CONFLICT DO
 * NOTHING on `stream_owners`' primary key, so when two connections race the
 * database decides: the first committed claim stands, the other reads it back
 * and its event is rejected. No process memory is trusted for it.
 */
export class StreamOwners {
  constructor(private readonly pool: pg.Pool) {}

  /** Claims each stream for its first `stream.started` here and answers every stream's owner. */
  async claim(events: readonly StreamStarted[]): Promise<Map<string, string>> {
    const first = new Map<string, StreamStarted>();
    for (const event of events) if (!first.has(event.streamId)) first.set(event.streamId, event);
    const claims = [...first.values()];
    try {
      await this.pool.query(
        `INSERT INTO stream_owners (stream_id, merchant_id, event_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (stream_id) DO NOTHING`,
        [claims.map((e) => e.streamId), claims.map((e) => e.merchantId), claims.map((e) => e.id)],
      );
      const owners = await this.pool.query<{ stream_id: string; merchant_id: string }>(
        'SELECT stream_id, merchant_id FROM stream_owners WHERE stream_id = ANY($1::text[])',
        [claims.map((e) => e.streamId)],
      );
      return new Map(owners.rows.map((row) => [row.stream_id, row.merchant_id]));
    } catch {
      throw new StorageUnavailableError('storage: PostgreSQL is unavailable, nothing was stored; retry');
    }
  }
}
