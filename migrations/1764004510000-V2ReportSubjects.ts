import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The v2 report subjects of CONTRACT.md §3: `ring` (a set of linked
 * accounts) and `merchant` (a shop). Ring and merchant reports span rooms, so
 * their room and stream are NULL, as are an account report's when its kind is
 * tied to no stream (coupon hoarding outside rooms). There is still at most
 * one report per (kind, subject, stream): the unique key treats a NULL stream
 * as one value (NULLS NOT DISTINCT, PostgreSQL 15), so a streamless report is
 * one per (kind, subject) and the store's upsert keeps its ON CONFLICT.
 */
export class V2ReportSubjects1764004510000 implements MigrationInterface {
  name = 'V2ReportSubjects1764004510000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE reports ALTER COLUMN room_id DROP NOT NULL, ALTER COLUMN stream_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE reports DROP CONSTRAINT ck_reports_subject_type`);
    await queryRunner.query(`ALTER TABLE reports ADD CONSTRAINT ck_reports_subject_type CHECK (subject_type IN ('room', 'account', 'ring', 'merchant'))`);
    await queryRunner.query(`
      ALTER TABLE reports ADD CONSTRAINT ck_reports_subject_stream CHECK (
        (room_id IS NULL) = (stream_id IS NULL)
        AND (subject_type <> 'room' OR stream_id IS NOT NULL)
        AND (subject_type NOT IN ('ring', 'merchant') OR stream_id IS NULL))`);
    await queryRunner.query(`ALTER TABLE reports DROP CONSTRAINT uq_reports_subject_stream`);
    await queryRunner.query(
      `ALTER TABLE reports ADD CONSTRAINT uq_reports_subject_stream UNIQUE NULLS NOT DISTINCT (kind, subject_type, subject_id, stream_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Reports of no stream cannot go back under NOT NULL: they leave with the v2 subjects.
    await queryRunner.query(`DELETE FROM reports WHERE stream_id IS NULL OR subject_type NOT IN ('room', 'account')`);
    await queryRunner.query(`ALTER TABLE reports DROP CONSTRAINT uq_reports_subject_stream`);
    await queryRunner.query(`ALTER TABLE reports ADD CONSTRAINT uq_reports_subject_stream UNIQUE (kind, subject_type, subject_id, stream_id)`);
    await queryRunner.query(`ALTER TABLE reports DROP CONSTRAINT ck_reports_subject_stream`);
    await queryRunner.query(`ALTER TABLE reports DROP CONSTRAINT ck_reports_subject_type`);
    await queryRunner.query(`ALTER TABLE reports ADD CONSTRAINT ck_reports_subject_type CHECK (subject_type IN ('room', 'account'))`);
    await queryRunner.query(`ALTER TABLE reports ALTER COLUMN room_id SET NOT NULL, ALTER COLUMN stream_id SET NOT NULL`);
  }
}
