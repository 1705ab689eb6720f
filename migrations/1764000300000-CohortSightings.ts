import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cohort directory's sightings, written through by the monitor after
 * each batch, so cross-room evidence covers the directory's horizon (24 h)
 * after a restart, not only the 6 h the log replay rebuilds. Keyed by where
 * in the log each was recorded (event seq and rank within it): replaying a
 * batch after a crash writes the same keys again, and a restart restores
 * exactly those recorded before its replay starts.
 */
export class CohortSightings1764000300000 implements MigrationInterface {
  name = 'CohortSightings1764000300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cohort_sightings (
        position   bigint      NOT NULL,
        ordinal    integer     NOT NULL,
        room_id    text        NOT NULL,
        stream_id  text        NOT NULL,
        -- Event time of the sighting (ms).
        at         bigint      NOT NULL,
        accounts   text[]      NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (position, ordinal)
      )`);
    // Restore and pruning read by event time.
    await queryRunner.query(`CREATE INDEX idx_cohort_sightings_at ON cohort_sightings (at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cohort_sightings`);
  }
}
