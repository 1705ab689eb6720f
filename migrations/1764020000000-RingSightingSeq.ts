import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log seq of the event that first tied an account to an identifier. The
 * rings stage walks the graph only from what a batch changed, and a batch
 * run again (after a crash between the graph write and the ring update)
 * must find its changes again: they are the rows whose first seq is in it.
 * Rows written before this column have none: their batches are done.
 *
 * The graph's account total goes: identifier weights are on a fixed scale
 * now (ring-graph.ts, RARITY_SCALE), not on the population the graph held
 * when a ring happened to be judged.
 */
export class RingSightingSeq1764020000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ring_identifiers ADD COLUMN first_seq bigint`);
    await queryRunner.query(`DROP TABLE ring_graph_totals`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE ring_graph_totals (name text PRIMARY KEY, value bigint NOT NULL)`);
    await queryRunner.query(`INSERT INTO ring_graph_totals (name, value) SELECT 'accounts', count(DISTINCT account_id) FROM ring_identifiers`);
    await queryRunner.query(`ALTER TABLE ring_identifiers DROP COLUMN first_seq`);
  }
}
