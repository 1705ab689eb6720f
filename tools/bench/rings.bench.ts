/**
 * The ring update cost (issue 14): the rings stage run on committed batches
 * against a graph in PostgreSQL that already holds `--accounts` accounts
 * (default a million: a handset each, carrier NAT addresses of ~50 users,
 * /24s of ~2 000, households of three on one address), loaded in bulk with
 * SQL. Prints the wall time per batch and per committed event, for batches
 * of returning honest viewers and for batches that grow an operator's ring.
 * The service is started once only to migrate the bench database.
 *
 * Run: npm run bench:rings   (options: --accounts N --batches N --batch-size N --keep-db)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { quantile } from 'simple-statistics';
import type { RoomEvent } from '../../src/events/event.schema.js';
import type { CommittedEvent } from '../../src/log/event-log.writer.js';
import { BatchContext } from '../../src/pipeline/stage.js';
import { RingsStage } from '../../src/pipeline/stages/rings.stage.js';
import type { ReportRepository } from '../../src/reports/report.repository.js';
import { RingGraphRepository } from '../../src/rings/ring-graph.repository.js';
import type { AccountRegistrationsRepository } from '../../src/state/accounts/account-registrations.repository.js';
import type { AccountStreamsRepository } from '../../src/state/accounts/account-streams.repository.js';
import { databaseUrl, dropDatabase, startService } from '../simulator/service-harness.js';

const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000000' },
    batches: { type: 'string', default: '40' },
    'batch-size': { type: 'string', default: '500' },
    'keep-db': { type: 'boolean', default: false },
  },
});
const ACCOUNTS = Number(args.accounts);
const BATCHES = Number(args.batches);
const BATCH_SIZE = Number(args['batch-size']);
const T0 = Date.UTC(2026, 10, 20, 12);

async function main(): Promise<void> {
  const url = databaseUrl(`roomwatch_eval_ringbench_${Date.now().toString(36)}`);
  const service = await startService({ databaseUrl: url, adminKey: randomBytes(24).toString('hex') });
  await service.stop();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const loadStarted = Date.now();
    await pool.query(`
      INSERT INTO ring_identifiers (kind, value, account_id, first_ts, last_ts)
      SELECT 'device', 'dev-' || g, 'acct-' || g, ${T0}, ${T0} FROM generate_series(1, $1::int) g
      UNION ALL SELECT 'ip', 'ip-' || (g % greatest($1::int / 50, 1)), 'acct-' || g, ${T0}, ${T0} FROM generate_series(1, $1::int) g
      UNION ALL SELECT 'subnet', 'net-' || (g % greatest($1::int / 2000, 1)), 'acct-' || g, ${T0}, ${T0} FROM generate_series(1, $1::int) g
      UNION ALL SELECT 'address', 'home-' || (g / 3), 'acct-' || g, ${T0}, ${T0} FROM generate_series(1, $1::int) g`, [ACCOUNTS]);
    await pool.query(`INSERT INTO ring_identifier_users (kind, value, users) SELECT kind, value, count(*) FROM ring_identifiers GROUP BY kind, value`);
    await pool.query('ANALYZE');
    const size = await pool.query<{ rows: string; bytes: string }>(`SELECT count(*)::text AS rows, pg_total_relation_size('ring_identifiers')::text AS bytes FROM ring_identifiers`);
    console.log(`graph: ${ACCOUNTS.toLocaleString('en-US')} accounts, ${Number(size.rows[0]!.rows).toLocaleString('en-US')} identifier rows, ${(Number(size.rows[0]!.bytes) / 1e6).toFixed(0)} MB with indexes, loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);

    const stage = new RingsStage(
      new RingGraphRepository(pool),
      { forAccounts: async () => new Map() } as unknown as Pick<AccountRegistrationsRepository, 'forAccounts'>,
      { entriesOf: async () => [] } as unknown as Pick<AccountStreamsRepository, 'entriesOf'>,
      { catchesOf: async () => [] } as unknown as Pick<ReportRepository, 'catchesOf'>,
    );
    let seq = 0;
    let n = 0;
    const committed = (event: RoomEvent): CommittedEvent => ({ seq: ++seq, event });
    const honestJoin = (): CommittedEvent => {
      const g = 1 + Math.floor(Math.random() * ACCOUNTS);
      return committed({ id: `e-${++n}`, type: 'viewer.joined', roomId: 'r', streamId: 's', ts: T0 + n, accountId: `acct-${g}`, deviceId: `dev-${g}`, ip: `10.${g % 250}.${(g >> 8) % 250}.${g % 199}` });
    };
    const honestBatch = (): CommittedEvent[] => Array.from({ length: BATCH_SIZE }, honestJoin);
    let farmed = 0;
    const farmBatch = (): CommittedEvent[] =>
      Array.from({ length: BATCH_SIZE }, (_, i) => {
        if (i % 10 !== 0) return honestJoin();
        farmed++;
        return committed({
          id: `e-${++n}`, type: 'order.placed', roomId: 'r', streamId: 's', ts: T0 + n, accountId: `farm-${farmed}`, deviceId: `farm-phone-${farmed % 8}`, ip: `45.1.2.${farmed % 200}`,
          orderId: `o-${n}`, skuId: 'k', quantity: 1, unitPrice: 100, listPrice: 100, currency: 'CNY', paymentAccountHash: `farm-wallet-${farmed % 3}`,
        });
      });
    for (const [label, make] of [
      ['honest viewers returning', honestBatch],
      ['a farm growing (1 in 10 events)', farmBatch],
    ] as const) {
      const times: number[] = [];
      for (let b = 0; b < BATCHES; b++) {
        const batch = make();
        const started = process.hrtime.bigint();
        await stage.run(new BatchContext(batch));
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
      console.log(
        `${label}: ${BATCHES} batches of ${BATCH_SIZE} · per batch p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms · per committed event ${((mean / BATCH_SIZE) * 1000).toFixed(0)} µs`,
      );
    }
    const ring = await pool.query<{ members: number }>('SELECT max(members) AS members FROM rings');
    console.log(`largest ring after the farm batches: ${ring.rows[0]?.members ?? 0} accounts (farm accounts ${farmed})`);
  } finally {
    await pool.end();
    if (!args['keep-db']) await dropDatabase(url);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:rings: ${error.message}`);
    process.exit(1);
  },
);
