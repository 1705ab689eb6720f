import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The device columns a v2 `device` object is stored in (CONTRACT.md v2 §1), for orders, coupon claims and registrations. */
const DEVICE_COLUMNS = [
  'device_model text',
  'device_os text',
  'device_emulator boolean',
  'device_rooted boolean',
  'device_hooked boolean',
  'device_cloud_phone boolean',
  'device_multi_instance boolean',
];

/**
 * The v2 events of CONTRACT.md §1 accepted end to end:
 *
 * - `events` (the log) and `quarantined_events` take events of no stream
 *   (`account.registered`, a `coupon.claimed` outside a room): room and
 *   stream are NULL for them, together (validation sees to it).
 * - the order ledger keeps the v2 order fields (coupon and discount,
 *   recipient and payment account, virtual goods, category, device flags)
 *   and the refund's `returned` and `reason`; `refunded_unreturned_amount`
 *   is derived from the refund rows like `refunded_amount`.
 * - `sale_openings`, `coupon_claims` and `account_registrations` hold the
 *   new types for the detectors and decisions that will read them.
 *
 * Dropping NOT NULL on the partitioned log is a catalogue change (no rewrite,
 * no scan); so are the added columns, all nullable or with a constant default.
 */
export class V2Events1764004500000 implements MigrationInterface {
  name = 'V2Events1764004500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE events ALTER COLUMN room_id DROP NOT NULL, ALTER COLUMN stream_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE quarantined_events ALTER COLUMN stream_id DROP NOT NULL`);

    await queryRunner.query(`
      ALTER TABLE orders
        ADD COLUMN coupon_id            text,
        ADD COLUMN discount             bigint,
        ADD COLUMN recipient_hash       text,
        ADD COLUMN payment_account_hash text,
        ADD COLUMN virtual              boolean,
        ADD COLUMN category             text,
        ${DEVICE_COLUMNS.map((column) => `ADD COLUMN ${column}`).join(', ')},
        -- Σ refunds whose goods did not come back (returned = false), derived from order_refunds.
        ADD COLUMN refunded_unreturned_amount bigint NOT NULL DEFAULT 0`);
    // Who used a coupon (against who claimed it), and accounts linked by what pays or receives.
    await queryRunner.query(`CREATE INDEX idx_orders_coupon ON orders (coupon_id) WHERE coupon_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_orders_payment_account ON orders (payment_account_hash) WHERE payment_account_hash IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_orders_recipient ON orders (recipient_hash) WHERE recipient_hash IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE order_refunds ADD COLUMN returned boolean, ADD COLUMN reason text`);

    // Every announcement is kept (a SKU may be flash-sold in rounds, an
    // opening may be corrected): readers pick the opening that applies.
    await queryRunner.query(`
      CREATE TABLE sale_openings (
        event_id          text        PRIMARY KEY,
        stream_id         text        NOT NULL,
        room_id           text        NOT NULL,
        sku_id            text        NOT NULL,
        sale_price        bigint      NOT NULL,
        list_price        bigint      NOT NULL,
        currency          text        NOT NULL,
        stock             bigint      NOT NULL,
        per_account_limit integer,
        -- The official opening (the event's ts), event time in ms.
        opens_at          bigint      NOT NULL,
        seq               bigint      NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_sale_openings_stream_sku ON sale_openings (stream_id, sku_id, opens_at)`);

    await queryRunner.query(`
      CREATE TABLE coupon_claims (
        event_id    text        PRIMARY KEY,
        account_id  text        NOT NULL,
        coupon_id   text        NOT NULL,
        campaign_id text        NOT NULL,
        value       bigint      NOT NULL,
        min_spend   bigint,
        -- NULL together for a claim outside a room.
        room_id     text,
        stream_id   text,
        claimed_at  bigint      NOT NULL,
        device_id   text,
        ip          text,
        subnet      text,
        ${DEVICE_COLUMNS.join(', ')},
        seq         bigint      NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // A campaign's release and rush, an account's hoard, who claimed a coupon an order used.
    await queryRunner.query(`CREATE INDEX idx_coupon_claims_campaign ON coupon_claims (campaign_id, claimed_at)`);
    await queryRunner.query(`CREATE INDEX idx_coupon_claims_account ON coupon_claims (account_id, claimed_at)`);
    await queryRunner.query(`CREATE INDEX idx_coupon_claims_coupon ON coupon_claims (coupon_id)`);
    await queryRunner.query(`CREATE INDEX idx_coupon_claims_device ON coupon_claims (device_id) WHERE device_id IS NOT NULL`);

    // One row per account: its earliest registration (ts, then event id) wins.
    await queryRunner.query(`
      CREATE TABLE account_registrations (
        account_id    text        PRIMARY KEY,
        registered_at bigint      NOT NULL,
        event_id      text        NOT NULL,
        phone_hash    text,
        channel       text,
        device_id     text,
        ip            text,
        subnet        text,
        ${DEVICE_COLUMNS.join(', ')},
        seq           bigint      NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // Registration bursts, and accounts signed up from one device or phone.
    await queryRunner.query(`CREATE INDEX idx_account_registrations_at ON account_registrations (registered_at)`);
    await queryRunner.query(`CREATE INDEX idx_account_registrations_device ON account_registrations (device_id) WHERE device_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_account_registrations_phone ON account_registrations (phone_hash) WHERE phone_hash IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE account_registrations`);
    await queryRunner.query(`DROP TABLE coupon_claims`);
    await queryRunner.query(`DROP TABLE sale_openings`);
    await queryRunner.query(`ALTER TABLE order_refunds DROP COLUMN returned, DROP COLUMN reason`);
    await queryRunner.query(`DROP INDEX idx_orders_recipient`);
    await queryRunner.query(`DROP INDEX idx_orders_payment_account`);
    await queryRunner.query(`DROP INDEX idx_orders_coupon`);
    await queryRunner.query(`
      ALTER TABLE orders
        DROP COLUMN coupon_id, DROP COLUMN discount, DROP COLUMN recipient_hash, DROP COLUMN payment_account_hash,
        DROP COLUMN virtual, DROP COLUMN category, DROP COLUMN device_model, DROP COLUMN device_os,
        DROP COLUMN device_emulator, DROP COLUMN device_rooted, DROP COLUMN device_hooked,
        DROP COLUMN device_cloud_phone, DROP COLUMN device_multi_instance, DROP COLUMN refunded_unreturned_amount`);
    // Rows of no stream cannot go back under NOT NULL: they leave the log with the v2 types.
    await queryRunner.query(`DELETE FROM quarantined_events WHERE stream_id IS NULL`);
    await queryRunner.query(`ALTER TABLE quarantined_events ALTER COLUMN stream_id SET NOT NULL`);
    await queryRunner.query(`DELETE FROM events WHERE room_id IS NULL OR stream_id IS NULL`);
    await queryRunner.query(`ALTER TABLE events ALTER COLUMN room_id SET NOT NULL, ALTER COLUMN stream_id SET NOT NULL`);
  }
}
