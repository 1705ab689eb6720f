import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reviewer's desk (issue 17): who works a report (claims that lapse),
 * who decided what (a reviewer label and a bulk id on every decision), a
 * name on API keys so a desk shows "claimed by Lin" rather than a key id, and
 * the accounts' presence per stream that the account page and the device
 * search read.
 */
export class ReviewDesk1764006500000 implements MigrationInterface {
  name = 'ReviewDesk1764006500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN name text`);

    // One live claim per report at most; a lapsed row is as no claim and is
    // replaced by the next claimer (expires_at is compared with now()).
    await queryRunner.query(`
      CREATE TABLE report_claims (
        report_id       uuid        PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
        reviewer_key_id uuid        NOT NULL,
        reviewer        text        NOT NULL,
        claimed_at      timestamptz NOT NULL DEFAULT now(),
        expires_at      timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX idx_report_claims_reviewer ON report_claims (reviewer_key_id, expires_at)`);

    // The label the reviewer had when deciding (a key's name may change or the
    // key be revoked; the trail keeps what was true), and the bulk call a
    // decision was part of.
    await queryRunner.query(`ALTER TABLE report_decisions ADD COLUMN reviewer text`);
    await queryRunner.query(`ALTER TABLE report_decisions ADD COLUMN bulk_id uuid`);

    // Which streams an account was in and the identifiers it used there: a
    // set per (account, stream), grown by union, so a batch applied twice
    // changes nothing. The GIN indexes answer "accounts on this device / IP /
    // subnet / phone" without touching the event log.
    await queryRunner.query(`
      CREATE TABLE account_streams (
        account_id   text        NOT NULL,
        stream_id    text        NOT NULL,
        room_id      text        NOT NULL,
        first_ts     bigint      NOT NULL,
        last_ts      bigint      NOT NULL,
        device_ids   text[]      NOT NULL DEFAULT '{}',
        ips          text[]      NOT NULL DEFAULT '{}',
        subnets      text[]      NOT NULL DEFAULT '{}',
        phone_hashes text[]      NOT NULL DEFAULT '{}',
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_account_streams PRIMARY KEY (account_id, stream_id)
      )`);
    await queryRunner.query(`CREATE INDEX idx_account_streams_devices ON account_streams USING gin (device_ids)`);
    await queryRunner.query(`CREATE INDEX idx_account_streams_ips ON account_streams USING gin (ips)`);
    await queryRunner.query(`CREATE INDEX idx_account_streams_subnets ON account_streams USING gin (subnets)`);
    await queryRunner.query(`CREATE INDEX idx_account_streams_phones ON account_streams USING gin (phone_hashes)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE account_streams`);
    await queryRunner.query(`ALTER TABLE report_decisions DROP COLUMN bulk_id`);
    await queryRunner.query(`ALTER TABLE report_decisions DROP COLUMN reviewer`);
    await queryRunner.query(`DROP TABLE report_claims`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN name`);
  }
}
