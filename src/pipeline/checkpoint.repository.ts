import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';

/** How far a consumer of the log has durably processed it (`engine_checkpoints`). */
@Injectable()
export class CheckpointRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The consumer's checkpoint: 0 before its first batch. */
  async processedSeq(consumer: string): Promise<number> {
    const result = await this.pool.query<{ processed_seq: string }>('SELECT processed_seq FROM engine_checkpoints WHERE consumer = $1', [consumer]);
    return Number(result.rows[0]?.processed_seq ?? 0);
  }

  /** Moves the checkpoint forward to `seq`, never back (a batch processed twice after a crash cannot lower it). */
  async advance(consumer: string, seq: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO engine_checkpoints (consumer, processed_seq) VALUES ($1, $2)
       ON CONFLICT (consumer) DO UPDATE SET processed_seq = GREATEST(engine_checkpoints.processed_seq, EXCLUDED.processed_seq), updated_at = now()`,
      [consumer, seq],
    );
  }
}
