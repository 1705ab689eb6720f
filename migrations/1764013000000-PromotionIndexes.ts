import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reads of the promotion detectors (issue 15): the coupon campaigns claimed
 * in a stream (the stage judges every campaign of a stream together, so one
 * account report per stream weighs all of them), and a shop's orders by
 * merchant in placement order (cash-out is judged over the shop's streams).
 */
export class PromotionIndexes1764013000000 implements MigrationInterface {
  name = 'PromotionIndexes1764013000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_coupon_claims_stream ON coupon_claims (stream_id) WHERE stream_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_orders_merchant_virtual ON orders (merchant_id) WHERE virtual IS TRUE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_orders_merchant_virtual`);
    await queryRunner.query(`DROP INDEX idx_coupon_claims_stream`);
  }
}
