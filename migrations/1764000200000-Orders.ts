import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The order ledger behind the sales audit (CONTRACT.md §4) and the order
 * detectors: one row per order, refunds kept per event (several refunds of
 * one order add up, and a replayed refund event changes nothing), and the
 * latest sales claim per stream. Money is bigint minor units throughout.
 */
export class Orders1764000200000 implements MigrationInterface {
  name = 'Orders1764000200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A payment or refund may arrive before its order.placed: the row then
    // exists with only the payment/refund side filled and placed_at NULL,
    // and the placed upsert fills the rest without touching that side.
    await queryRunner.query(`
      CREATE TABLE orders (
        order_id         text        PRIMARY KEY,
        stream_id        text        NOT NULL,
        room_id          text        NOT NULL,
        account_id       text        NOT NULL,
        device_id        text,
        ip               text,
        -- /24 (IPv4) or /64 (IPv6) of ip: one household or one rack.
        subnet           text,
        sku_id           text,
        quantity         integer,
        unit_price       bigint,
        list_price       bigint,
        currency         text,
        phone_hash       text,
        address_hash     text,
        placed_at        bigint,
        placed_event_id  text,
        paid_amount      bigint,
        paid_at          bigint,
        paid_event_id    text,
        -- Derived from order_refunds (recomputed, never incremented).
        refunded_amount  bigint      NOT NULL DEFAULT 0,
        refund_count     integer     NOT NULL DEFAULT 0,
        refunded_at      bigint,
        last_refunded_at bigint,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // Per-stream audit and detector reads.
    await queryRunner.query(`CREATE INDEX idx_orders_stream ON orders (stream_id)`);
    // An account's history across rooms and merchants (cross-room brushing).
    await queryRunner.query(`CREATE INDEX idx_orders_account_placed ON orders (account_id, placed_at)`);

    await queryRunner.query(`
      CREATE TABLE order_refunds (
        event_id    text        PRIMARY KEY,
        order_id    text        NOT NULL,
        stream_id   text        NOT NULL,
        amount      bigint      NOT NULL,
        refunded_at bigint      NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_order_refunds_order ON order_refunds (order_id, refunded_at)`);

    await queryRunner.query(`
      CREATE TABLE sales_claims (
        stream_id  text        PRIMARY KEY,
        room_id    text        NOT NULL,
        gmv        bigint      NOT NULL,
        orders     bigint      NOT NULL,
        claimed_at bigint      NOT NULL,
        event_id   text        NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sales_claims`);
    await queryRunner.query(`DROP TABLE order_refunds`);
    await queryRunner.query(`DROP TABLE orders`);
  }
}
