import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Linked-account rings (issue 14): the account × identifier graph, the
 * users per identifier and per kind (the observed distribution the link
 * weights come from), the candidate rings with their stable ids and merges,
 * and each account's ring.
 */
export class AccountRings1764012000000 implements MigrationInterface {
  name = 'AccountRings1764012000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per (identifier, account): the bipartite graph the links are read from.
    await queryRunner.query(`
      CREATE TABLE ring_identifiers (
        kind       text   NOT NULL,
        value      text   NOT NULL,
        account_id text   NOT NULL,
        first_ts   bigint NOT NULL,
        last_ts    bigint NOT NULL,
        CONSTRAINT pk_ring_identifiers PRIMARY KEY (kind, value, account_id)
      )`);
    await queryRunner.query(`CREATE INDEX idx_ring_identifiers_account ON ring_identifiers (account_id)`);
    // Users per identifier, grown in the statement that inserts a new (identifier, account) row.
    await queryRunner.query(`
      CREATE TABLE ring_identifier_users (
        kind  text    NOT NULL,
        value text    NOT NULL,
        users integer NOT NULL,
        CONSTRAINT pk_ring_identifier_users PRIMARY KEY (kind, value)
      )`);
    // Accounts in the graph: the population the rarity weight compares an identifier's users with.
    await queryRunner.query(`
      CREATE TABLE ring_graph_totals (
        name  text   PRIMARY KEY,
        value bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE rings (
        ring_id      text        PRIMARY KEY,
        created_ts   bigint      NOT NULL,
        members      integer     NOT NULL,
        merged_into  text,
        merged_ts    bigint,
        absorbed     text[]      NOT NULL DEFAULT '{}',
        reported     boolean     NOT NULL DEFAULT false,
        last_finding jsonb,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ring_members (
        account_id text   PRIMARY KEY,
        ring_id    text   NOT NULL,
        joined_ts  bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX idx_ring_members_ring ON ring_members (ring_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ring_members`);
    await queryRunner.query(`DROP TABLE rings`);
    await queryRunner.query(`DROP TABLE ring_graph_totals`);
    await queryRunner.query(`DROP TABLE ring_identifier_users`);
    await queryRunner.query(`DROP TABLE ring_identifiers`);
  }
}
