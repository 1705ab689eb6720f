import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports (CONTRACT.md §3), the reviewers' decision trail, the enforcement
 * outbox (`deliveries`) and the enforcement policy tables.
 */
export class Reports1764000100000 implements MigrationInterface {
  name = 'Reports1764000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE reports (
        id           uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
        kind         text             NOT NULL,
        subject_type text             NOT NULL,
        subject_id   text             NOT NULL,
        room_id      text             NOT NULL,
        stream_id    text             NOT NULL,
        score        double precision NOT NULL,
        severity     text             NOT NULL,
        status       text             NOT NULL DEFAULT 'open',
        summary      text             NOT NULL,
        accounts     text[]           NOT NULL DEFAULT '{}',
        evidence     jsonb            NOT NULL DEFAULT '{}',
        detected_at  bigint           NOT NULL,
        version      integer          NOT NULL DEFAULT 1,
        created_at   timestamptz      NOT NULL DEFAULT now(),
        updated_at   timestamptz      NOT NULL DEFAULT now(),
        CONSTRAINT uq_reports_subject_stream UNIQUE (kind, subject_type, subject_id, stream_id),
        CONSTRAINT ck_reports_subject_type CHECK (subject_type IN ('room', 'account')),
        CONSTRAINT ck_reports_severity CHECK (severity IN ('low', 'medium', 'high')),
        CONSTRAINT ck_reports_status CHECK (status IN ('open', 'confirmed', 'dismissed')),
        CONSTRAINT ck_reports_score CHECK (score >= 0 AND score <= 1)
      )`);
    // The list is keyset-paged newest first; the filtered variants get their
    // own (filter, created_at, id) indexes so a page never sorts the table.
    await queryRunner.query(`CREATE INDEX idx_reports_created ON reports (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_reports_room_created ON reports (room_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_reports_stream_created ON reports (stream_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_reports_status_created ON reports (status, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_reports_subject ON reports (subject_id, subject_type)`);
    // accountId filter: room reports whose implicated accounts contain it.
    await queryRunner.query(`CREATE INDEX idx_reports_accounts ON reports USING gin (accounts)`);

    await queryRunner.query(`
      CREATE TABLE report_decisions (
        id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        report_id        uuid        NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        decision         text        NOT NULL,
        note             text,
        decided_version  integer     NOT NULL,
        reviewer_key_id  uuid        NOT NULL,
        decided_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_report_decisions_decision CHECK (decision IN ('confirmed', 'dismissed'))
      )`);
    await queryRunner.query(`CREATE INDEX idx_report_decisions_report ON report_decisions (report_id, decided_at)`);

    // The enforcement outbox: a row is written in the same statement or
    // transaction that makes a report version enforceable, so a crash before
    // the queue hears of it loses nothing (a sweep re-enqueues pending rows).
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id              text        PRIMARY KEY,
        report_id       uuid        NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        report_version  integer     NOT NULL,
        reason          text        NOT NULL,
        -- The report exactly as it was at this version: what is signed and sent.
        report          jsonb       NOT NULL,
        status          text        NOT NULL DEFAULT 'pending',
        attempts        integer     NOT NULL DEFAULT 0,
        manual_retries  integer     NOT NULL DEFAULT 0,
        last_error      text,
        response_status integer,
        lease_until     timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        delivered_at    timestamptz,
        CONSTRAINT uq_deliveries_report_version UNIQUE (report_id, report_version),
        CONSTRAINT ck_deliveries_reason CHECK (reason IN ('auto', 'confirmed')),
        CONSTRAINT ck_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed', 'skipped'))
      )`);
    await queryRunner.query(`CREATE INDEX idx_deliveries_status_created ON deliveries (status, created_at DESC, id DESC)`);

    await queryRunner.query(`
      CREATE TABLE enforcement_policies (
        kind               text             PRIMARY KEY,
        auto_enforce_score double precision,
        severity_medium    double precision,
        severity_high      double precision,
        expires_at         timestamptz,
        updated_at         timestamptz      NOT NULL DEFAULT now(),
        CONSTRAINT ck_enforcement_policies_bands CHECK (
          (severity_medium IS NULL) = (severity_high IS NULL) AND
          (severity_medium IS NULL OR (0 <= severity_medium AND severity_medium <= severity_high AND severity_high <= 1))),
        CONSTRAINT ck_enforcement_policies_score CHECK (auto_enforce_score IS NULL OR (auto_enforce_score >= 0 AND auto_enforce_score <= 1))
      )`);

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
      CREATE TABLE policy_audit (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        actor      text        NOT NULL,
        action     text        NOT NULL,
        target     text        NOT NULL,
        before     jsonb,
        after      jsonb,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_policy_audit_changed ON policy_audit (changed_at DESC, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE policy_audit`);
    await queryRunner.query(`DROP TABLE enforcement_allow_list`);
    await queryRunner.query(`DROP TABLE enforcement_policies`);
    await queryRunner.query(`DROP TABLE deliveries`);
    await queryRunner.query(`DROP TABLE report_decisions`);
    await queryRunner.query(`DROP TABLE reports`);
  }
}
