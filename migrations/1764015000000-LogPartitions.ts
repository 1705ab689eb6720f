import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rooms map to this many detection partitions (issue 16). Fixed per
 * database: the partition of every stored event is a column computed from
 * it, and a worker's checkpoints and leases are per partition. 64 spreads
 * the rooms of an evening over up to 64 detect workers with a few partitions
 * each (a lease moves a 64th of the work); changing it means rewriting the
 * column's expression and every checkpoint, so it is a migration, not a knob.
 */
export const LOG_PARTITIONS = 64;

/**
 * The partition of an event: a stable hash of its room, or, for an event of
 * no room (account.registered, a coupon claimed outside a room), of its
 * account (its event id if it has neither). hashtextextended is the hash
 * PostgreSQL's own hash partitioning stores data by, so it is stable across
 * platforms and upgrades; the mask keeps it non-negative before the modulus.
 */
export const PARTITION_OF = (key: string) => `((hashtextextended(${key}, 0) & 2147483647) % ${LOG_PARTITIONS})::smallint`;

/**
 * The log read by partition: each event's partition as a stored generated
 * column, indexed with seq so a detect worker reads only its partitions'
 * events in commit order; per-partition leases (who runs which partition)
 * and detect workers' heartbeats; cross-room sightings tagged with their
 * room's partition and an arrival id, so a worker can load the sightings
 * other workers recorded since it last looked.
 */
export class LogPartitions1764015000000 implements MigrationInterface {
  name = 'LogPartitions1764015000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE events ADD COLUMN room_partition smallint GENERATED ALWAYS AS (${PARTITION_OF('coalesce(room_id, account_id, event_id)')}) STORED`,
    );
    await queryRunner.query(`CREATE INDEX idx_events_partition_seq ON events (room_partition, seq)`);

    await queryRunner.query(`CREATE TABLE log_partitioning (partitions smallint NOT NULL, CHECK (partitions > 0))`);
    await queryRunner.query(`INSERT INTO log_partitioning (partitions) VALUES (${LOG_PARTITIONS})`);

    // One row per partition. owner NULL: free. A lease whose expires_at
    // (PostgreSQL's clock, the only one compared) has passed is free too.
    // token grows at every change of owner: a checkpoint moves only under
    // the token it was read with (fencing a worker that lost its lease).
    await queryRunner.query(`
      CREATE TABLE partition_leases (
        partition  smallint    PRIMARY KEY,
        owner      text,
        token      bigint      NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO partition_leases (partition) SELECT generate_series(0, ${LOG_PARTITIONS - 1})`);
    await queryRunner.query(`
      CREATE TABLE detect_workers (
        worker_id  text        PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);

    await queryRunner.query(`ALTER TABLE cohort_sightings ADD COLUMN room_partition smallint GENERATED ALWAYS AS (${PARTITION_OF('room_id')}) STORED`);
    await queryRunner.query(`ALTER TABLE cohort_sightings ADD COLUMN arrival bigint GENERATED ALWAYS AS IDENTITY`);
    await queryRunner.query(`CREATE INDEX idx_cohort_sightings_arrival ON cohort_sightings (arrival)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_cohort_sightings_arrival`);
    await queryRunner.query(`ALTER TABLE cohort_sightings DROP COLUMN arrival`);
    await queryRunner.query(`ALTER TABLE cohort_sightings DROP COLUMN room_partition`);
    await queryRunner.query(`DROP TABLE detect_workers`);
    await queryRunner.query(`DROP TABLE partition_leases`);
    await queryRunner.query(`DROP TABLE log_partitioning`);
    await queryRunner.query(`DROP INDEX idx_events_partition_seq`);
    await queryRunner.query(`ALTER TABLE events DROP COLUMN room_partition`);
  }
}
