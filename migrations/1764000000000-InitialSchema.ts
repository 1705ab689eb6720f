import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Hash partitions of the event log; see the README's "Storage" section. */
const EVENT_PARTITIONS = 16;
/** Seqs reserved per writer flush (EVENT_SEQ_BLOCK in src/ingest/event-log.writer.ts). */
const EVENT_SEQ_BLOCK = 4096;

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The event log: the source of truth the engine replays. Hash-partitioned
    // on event_id so the primary key (our dedupe) stays a partition-local
    // unique index and each partition's indexes stay a sixteenth of the size.
    // Each flush of the group-commit writer reserves a block of seqs with one
    // nextval, so concurrent flushes never interleave their positions and the
    // engine sees the log in the same order live and on replay.
    await queryRunner.query(`CREATE SEQUENCE events_seq AS bigint INCREMENT BY ${EVENT_SEQ_BLOCK}`);
    await queryRunner.query(`
      CREATE TABLE events (
        seq         bigint      NOT NULL DEFAULT nextval('events_seq'),
        event_id    text        NOT NULL,
        type        text        NOT NULL,
        room_id     text        NOT NULL,
        stream_id   text        NOT NULL,
        account_id  text,
        ts          bigint      NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        -- The event's own fields; those above (id, type, room, stream,
        -- account, ts) live in their columns only.
        payload     jsonb       NOT NULL,
        CONSTRAINT pk_events PRIMARY KEY (event_id)
      ) PARTITION BY HASH (event_id)`);
    for (let remainder = 0; remainder < EVENT_PARTITIONS; remainder++) {
      const suffix = String(remainder).padStart(2, '0');
      await queryRunner.query(
        `CREATE TABLE events_p${suffix} PARTITION OF events FOR VALUES WITH (MODULUS ${EVENT_PARTITIONS}, REMAINDER ${remainder})`,
      );
    }
    // Replaying one stream in event-time order (audits, console timelines).
    await queryRunner.query(`CREATE INDEX idx_events_stream_ts ON events (stream_id, ts)`);
    // Replaying the log in commit order after a restart; seq only grows, so a
    // BRIN index answers range scans at a fraction of a btree's write cost.
    await queryRunner.query(`CREATE INDEX idx_events_seq ON events USING brin (seq)`);

    await queryRunner.query(`
      CREATE TABLE streams (
        stream_id   text        PRIMARY KEY,
        room_id     text        NOT NULL,
        merchant_id text,
        anchor_id   text,
        started_at  bigint,
        ended_at    bigint,
        first_ts    bigint      NOT NULL,
        last_ts     bigint      NOT NULL,
        -- Last event time of live activity (not payments, refunds or claims,
        -- which trickle in for days): what decides whether a restart must
        -- replay this stream to rebuild the engine's state.
        activity_ts bigint,
        first_seq   bigint      NOT NULL,
        last_seq    bigint      NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_streams_room ON streams (room_id)`);
    await queryRunner.query(`CREATE INDEX idx_streams_merchant ON streams (merchant_id)`);
    await queryRunner.query(`CREATE INDEX idx_streams_activity_ts ON streams (activity_ts)`);

    await queryRunner.query(`
      CREATE TABLE engine_checkpoints (
        consumer      text        PRIMARY KEY,
        processed_seq bigint      NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE api_keys (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        role        text        NOT NULL,
        merchant_id text,
        key_hash    text        NOT NULL,
        key_prefix  text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz,
        CONSTRAINT ck_api_keys_role CHECK (role IN ('ingest', 'reviewer', 'merchant')),
        CONSTRAINT ck_api_keys_merchant CHECK ((role = 'merchant') = (merchant_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_api_keys_hash ON api_keys (key_hash)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE engine_checkpoints`);
    await queryRunner.query(`DROP TABLE streams`);
    await queryRunner.query(`DROP TABLE events`);
    await queryRunner.query(`DROP SEQUENCE events_seq`);
  }
}
