import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Decisions keep each account's standing (reports naming it, its reported
 * ring) in memory and read every second what changed since the last read
 * (DecisionsRepository.standingChanges): a range on updated_at, which
 * without these would be a scan of every report and ring each second.
 */
export class StandingIndexes1764030000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_reports_updated_at ON reports (updated_at)`);
    await queryRunner.query(`CREATE INDEX idx_rings_updated_at ON rings (updated_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_rings_updated_at`);
    await queryRunner.query(`DROP INDEX idx_reports_updated_at`);
  }
}
