import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refund brushing looks for one operator's accounts across rooms: refunded
 * orders in other streams that share a device, a phone hash or a shipping
 * address with the candidates of the stream being judged (and, one hop on,
 * with those orders), and how many accounts used each such identifier over
 * the history horizon. These indexes make each of those lookups a range
 * scan on (identifier, placed_at); partial, since many orders carry no
 * phone or address hash.
 */
export class OrderIdentifierIndexes1764002500000 implements MigrationInterface {
  name = 'OrderIdentifierIndexes1764002500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_orders_device_placed ON orders (device_id, placed_at) WHERE device_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_orders_phone_placed ON orders (phone_hash, placed_at) WHERE phone_hash IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_orders_address_placed ON orders (address_hash, placed_at) WHERE address_hash IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_orders_address_placed`);
    await queryRunner.query(`DROP INDEX idx_orders_phone_placed`);
    await queryRunner.query(`DROP INDEX idx_orders_device_placed`);
  }
}
