import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders are identified by their stream's merchant and their orderId
 * (CONTRACT.md v2 §1): merchant B's order "1001" is not merchant A's.
 *
 * - `stream_owners`: the merchant of each stream, decided once by the first
 *   committed `stream.started` (ingest inserts, the primary key settles a
 *   race between connections, a later one naming another merchant is
 *   rejected). Filled here from the log's first `stream.started` per stream.
 * - `orders` and `order_refunds` are keyed by (merchant_id, ownerless_stream,
 *   order_id). An order event of a stream whose owner is not known yet (it
 *   came before its `stream.started`) waits under ('', stream): no merchant
 *   id is empty, so it collides with no one, and the ledger moves it under
 *   the merchant once the owner is known.
 */
export class OrderMerchantKey1764000410000 implements MigrationInterface {
  name = 'OrderMerchantKey1764000410000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stream_owners (
        stream_id   text        PRIMARY KEY,
        merchant_id text        NOT NULL,
        event_id    text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO stream_owners (stream_id, merchant_id, event_id)
      SELECT DISTINCT ON (stream_id) stream_id, payload->>'merchantId', event_id
        FROM events WHERE type = 'stream.started' AND payload->>'merchantId' IS NOT NULL
       ORDER BY stream_id, seq`);

    for (const table of ['orders', 'order_refunds']) {
      await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN merchant_id text NOT NULL DEFAULT '', ADD COLUMN ownerless_stream text NOT NULL DEFAULT ''`);
    }
    await queryRunner.query(`UPDATE orders o SET merchant_id = so.merchant_id FROM stream_owners so WHERE so.stream_id = o.stream_id`);
    await queryRunner.query(`UPDATE orders SET ownerless_stream = stream_id WHERE merchant_id = ''`);
    // Before this migration an order id was global: the join is one to one.
    await queryRunner.query(`
      UPDATE order_refunds r SET merchant_id = o.merchant_id, ownerless_stream = o.ownerless_stream
        FROM orders o WHERE o.order_id = r.order_id`);
    await queryRunner.query(`UPDATE order_refunds SET ownerless_stream = stream_id WHERE merchant_id = '' AND ownerless_stream = ''`);

    await queryRunner.query(`ALTER TABLE orders DROP CONSTRAINT orders_pkey`);
    await queryRunner.query(`ALTER TABLE orders ADD PRIMARY KEY (merchant_id, ownerless_stream, order_id)`);
    await queryRunner.query(`CREATE INDEX idx_orders_ownerless ON orders (ownerless_stream) WHERE ownerless_stream <> ''`);
    await queryRunner.query(`DROP INDEX idx_order_refunds_order`);
    await queryRunner.query(`CREATE INDEX idx_order_refunds_order ON order_refunds (merchant_id, ownerless_stream, order_id, refunded_at)`);
    await queryRunner.query(`CREATE INDEX idx_order_refunds_ownerless ON order_refunds (ownerless_stream) WHERE ownerless_stream <> ''`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Going back to one global order id: keep the earliest row of each id.
    await queryRunner.query(`DROP INDEX idx_order_refunds_ownerless`);
    await queryRunner.query(`DROP INDEX idx_order_refunds_order`);
    await queryRunner.query(`CREATE INDEX idx_order_refunds_order ON order_refunds (order_id, refunded_at)`);
    await queryRunner.query(`DROP INDEX idx_orders_ownerless`);
    await queryRunner.query(`ALTER TABLE orders DROP CONSTRAINT orders_pkey`);
    await queryRunner.query(`
      DELETE FROM orders o USING orders k
       WHERE o.order_id = k.order_id AND (o.merchant_id, o.ownerless_stream) > (k.merchant_id, k.ownerless_stream)`);
    await queryRunner.query(`ALTER TABLE orders ADD PRIMARY KEY (order_id)`);
    for (const table of ['orders', 'order_refunds']) {
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN merchant_id, DROP COLUMN ownerless_stream`);
    }
    await queryRunner.query(`DROP TABLE stream_owners`);
  }
}
