import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery whose report has a newer enforceable version is not sent: the
 * platform gets the latest state once instead of every intermediate one.
 */
export class DeliveriesSuperseded1764000110000 implements MigrationInterface {
  name = 'DeliveriesSuperseded1764000110000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE deliveries DROP CONSTRAINT ck_deliveries_status`);
    await queryRunner.query(
      `ALTER TABLE deliveries ADD CONSTRAINT ck_deliveries_status
         CHECK (status IN ('pending', 'delivered', 'failed', 'skipped', 'superseded'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE deliveries SET status = 'skipped' WHERE status = 'superseded'`);
    await queryRunner.query(`ALTER TABLE deliveries DROP CONSTRAINT ck_deliveries_status`);
    await queryRunner.query(
      `ALTER TABLE deliveries ADD CONSTRAINT ck_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed', 'skipped'))`,
    );
  }
}
