import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import type { BatchStream } from './batch-streams.js';

// LEAST/GREATEST make the upsert order-free and idempotent: replaying a batch
// or receiving it in two parts gives the same row.
const UPSERT_STREAMS = `
  INSERT INTO streams AS s (stream_id, room_id, merchant_id, anchor_id, started_at, ended_at,
                            first_ts, last_ts, activity_ts, first_seq, last_seq)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                       $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
  ON CONFLICT (stream_id) DO UPDATE SET
    -- The first stream.started names the owner for good (ingest rejects one naming another merchant).
    merchant_id = COALESCE(s.merchant_id, EXCLUDED.merchant_id),
    anchor_id   = COALESCE(EXCLUDED.anchor_id, s.anchor_id),
    started_at  = LEAST(s.started_at, EXCLUDED.started_at),
    ended_at    = GREATEST(s.ended_at, EXCLUDED.ended_at),
    first_ts    = LEAST(s.first_ts, EXCLUDED.first_ts),
    last_ts     = GREATEST(s.last_ts, EXCLUDED.last_ts),
    activity_ts = GREATEST(s.activity_ts, EXCLUDED.activity_ts),
    first_seq   = LEAST(s.first_seq, EXCLUDED.first_seq),
    last_seq    = GREATEST(s.last_seq, EXCLUDED.last_seq),
    updated_at  = now()`;

/**
 * Keeps one row per stream: who owns it (merchant scoping of the sales
 * audit), when it ran, and where its events start in the log (restart replay).
 */
@Injectable()
export class StreamDirectory {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Folds what a batch said about its streams into their rows (streamsOfBatch derives it). */
  async record(streams: ReadonlyMap<string, BatchStream>): Promise<void> {
    if (streams.size === 0) return;
    const all = [...streams.values()];
    await this.pool.query(UPSERT_STREAMS, [
      all.map((r) => r.streamId),
      all.map((r) => r.roomId),
      all.map((r) => r.merchantId),
      all.map((r) => r.anchorId),
      all.map((r) => r.startedAt),
      all.map((r) => r.endedAt),
      all.map((r) => r.firstTs),
      all.map((r) => r.lastTs),
      all.map((r) => r.activityTs),
      all.map((r) => r.firstSeq),
      all.map((r) => r.lastSeq),
    ]);
  }
}
