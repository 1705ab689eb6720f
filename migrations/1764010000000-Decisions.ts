import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The scope columns of a list entry, in the order `scope_key` joins them. */
const SCOPE_KEY = `coalesce(campaign_id, '') || chr(31) || coalesce(merchant_id, '') || chr(31) || coalesce(room_id, '') || chr(31) || coalesce(sku_id, '')`;

/**
 * Real-time decisions, lists and rules (CONTRACT.md §7, issue 13):
 *
 * - `list_entries`: the block, gray and allow lists, one row per (list, type,
 *   value, scope). The enforcement allow-list (`enforcement_allow_list`, v1 of
 *   /v1/policy/allow-list) becomes a view of its unscoped allow entries of
 *   accounts and rooms, so the report store's ALLOW_LISTED fragment and the
 *   old endpoints keep working on one list. Its rows move over with their ids.
 * - `list_audit`: every change of a list or a rule, who, what, before, after.
 * - `decision_rules`: rules as data (a JSON Logic condition over the features).
 * - `decisions`: one per event id (the resend answers it); `seq` orders the
 *   listing (newest first) and is the cursor.
 */
export class Decisions1764010000000 implements MigrationInterface {
  name = 'Decisions1764010000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE list_entries (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        list        text        NOT NULL,
        type        text        NOT NULL,
        value       text        NOT NULL,
        campaign_id text,
        merchant_id text,
        room_id     text,
        sku_id      text,
        scope_key   text        GENERATED ALWAYS AS (${SCOPE_KEY}) STORED,
        reason      text,
        expires_at  timestamptz,
        created_by  text        NOT NULL DEFAULT 'admin',
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_list_entries_list CHECK (list IN ('block', 'gray', 'allow')),
        CONSTRAINT ck_list_entries_type CHECK (type IN ('account', 'device', 'ip', 'subnet', 'phone', 'address', 'payment', 'room'))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_list_entries_key ON list_entries (list, type, value, scope_key)`);
    await queryRunner.query(`CREATE INDEX idx_list_entries_created ON list_entries (created_at DESC, id)`);
    await queryRunner.query(`
      INSERT INTO list_entries (id, list, type, value, reason, expires_at, created_at)
      SELECT id, 'allow', subject_type, subject_id, reason, expires_at, created_at FROM enforcement_allow_list`);
    await queryRunner.query(`DROP TABLE enforcement_allow_list`);
    await queryRunner.query(`
      CREATE VIEW enforcement_allow_list AS
        SELECT id, type AS subject_type, value AS subject_id, reason, expires_at, created_at
          FROM list_entries
         WHERE list = 'allow' AND type IN ('account', 'room') AND scope_key = chr(31) || chr(31) || chr(31)`);

    await queryRunner.query(`
      CREATE TABLE list_audit (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        actor      text        NOT NULL,
        action     text        NOT NULL,
        target     text        NOT NULL,
        before     jsonb,
        after      jsonb,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE decision_rules (
        id          text        PRIMARY KEY,
        description text        NOT NULL,
        applies_to  text[]      NOT NULL,
        condition   jsonb       NOT NULL,
        score       double precision NOT NULL,
        risk_code   text        NOT NULL,
        mode        text        NOT NULL,
        enabled     boolean     NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_decision_rules_mode CHECK (mode IN ('live', 'shadow')),
        CONSTRAINT ck_decision_rules_score CHECK (score >= 0 AND score <= 1)
      )`);

    await queryRunner.query(`
      CREATE TABLE decisions (
        event_id   text        PRIMARY KEY,
        seq        bigint      GENERATED ALWAYS AS IDENTITY,
        event_type text        NOT NULL,
        account_id text,
        decision   text        NOT NULL,
        score      double precision NOT NULL,
        risk_codes text[]      NOT NULL,
        reasons    jsonb       NOT NULL,
        rules      jsonb       NOT NULL,
        rule_ids   text[]      NOT NULL,
        features   jsonb       NOT NULL,
        decided_at timestamptz NOT NULL,
        CONSTRAINT ck_decisions_decision CHECK (decision IN ('pass', 'review', 'reject'))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX idx_decisions_seq ON decisions (seq DESC)`);
    await queryRunner.query(`CREATE INDEX idx_decisions_account ON decisions (account_id, seq DESC)`);
    await queryRunner.query(`CREATE INDEX idx_decisions_decision ON decisions (decision, seq DESC)`);
    await queryRunner.query(`CREATE INDEX idx_decisions_risk_codes ON decisions USING gin (risk_codes)`);
    await queryRunner.query(`CREATE INDEX idx_decisions_rule_ids ON decisions USING gin (rule_ids)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE decisions`);
    await queryRunner.query(`DROP TABLE decision_rules`);
    await queryRunner.query(`DROP TABLE list_audit`);
    await queryRunner.query(`DROP VIEW enforcement_allow_list`);
    await queryRunner.query(`
      CREATE TABLE enforcement_allow_list (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_type text        NOT NULL,
        subject_id   text        NOT NULL,
        reason       text,
        expires_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_enforcement_allow_list_subject UNIQUE (subject_type, subject_id),
        CONSTRAINT ck_enforcement_allow_list_subject_type CHECK (subject_type IN ('account', 'room'))
      )`);
    await queryRunner.query(`
      INSERT INTO enforcement_allow_list (id, subject_type, subject_id, reason, expires_at, created_at)
      SELECT id, type, value, reason, expires_at, created_at FROM list_entries
       WHERE list = 'allow' AND type IN ('account', 'room') AND scope_key = chr(31) || chr(31) || chr(31)`);
    await queryRunner.query(`DROP TABLE list_entries`);
  }
}
