import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events the monitor set aside because a batch handler kept failing on them
 * for a reason other than an unreachable dependency (a poison event): the log
 * moves on without them, and an operator lists and replays them
 * (`GET /v1/quarantine`, `POST /v1/quarantine/:seq/replay`). The event itself
 * stays in `events`; this row says why it is out of the pipeline.
 */
export class Quarantine1764000400000 implements MigrationInterface {
  name = 'Quarantine1764000400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE quarantined_events (
        seq             bigint      PRIMARY KEY,
        event_id        text        NOT NULL,
        type            text        NOT NULL,
        stream_id       text        NOT NULL,
        error           text        NOT NULL,
        attempts        integer     NOT NULL,
        quarantined_at  timestamptz NOT NULL DEFAULT now(),
        -- Set once a replay went through: the event is back in the pipeline.
        replayed_at     timestamptz,
        last_replay_error text
      )`);
    await queryRunner.query(`CREATE INDEX idx_quarantined_open ON quarantined_events (seq) WHERE replayed_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE quarantined_events`);
  }
}
