import pg from 'pg';
import { prepareDatabase } from '../src/platform/database/prepare-database.js';
import type { RoomEvent } from '../src/events/event.schema.js';
import { type CommittedEvent, EventLogWriter, StorageUnavailableError } from '../src/log/event-log.writer.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const like = (id: string): RoomEvent => ({
  id,
  type: 'like',
  roomId: 'room-1',
  streamId: 'stream-1',
  ts: T0,
  accountId: 'acct-1',
  count: 1,
});

describe('EventLogWriter', () => {
  const databaseUrl = uniqueDatabaseUrl('writer');
  let pool: pg.Pool;

  beforeAll(async () => {
    await prepareDatabase(databaseUrl);
    pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  });

  afterAll(async () => {
    await pool.end();
    await dropDatabase(databaseUrl);
  });

  it('hands committed events to listeners once each, in strictly increasing seq, with flushes in parallel', async () => {
    const writer = new EventLogWriter(pool, { maxRowsPerFlush: 300, flushConcurrency: 2, maxQueuedRows: 5_000 });
    const heard: CommittedEvent[] = [];
    writer.onCommitted((batch) => heard.push(...batch));
    const sends = Array.from({ length: 60 }, (_, b) =>
      writer.append(Array.from({ length: 50 + (b % 7) * 30 }, (_, i) => like(`order-${b}-${i}`))),
    );
    const outcomes = await Promise.all(sends);
    const acked = outcomes.flat().filter((seq) => seq !== null);

    expect(heard).toHaveLength(acked.length);
    expect(heard.every((entry, i) => i === 0 || entry.seq > heard[i - 1]!.seq)).toBe(true);
    const stored = await pool.query<{ seq: string }>(`SELECT seq FROM events WHERE event_id LIKE 'order-%' ORDER BY seq`);
    expect(stored.rows.map((row) => Number(row.seq))).toEqual(heard.map((entry) => entry.seq));
    await writer.close();
  });

  it('commits an urgent append ahead of a backlog of ordinary batches, and still hands everything over in seq order', async () => {
    // One ordinary flush at a time, 300 rows each: the 20 batches queued below take 20 flushes in turn.
    const writer = new EventLogWriter(pool, { maxRowsPerFlush: 300, flushConcurrency: 1, maxQueuedRows: 10_000 });
    const heard: CommittedEvent[] = [];
    writer.onCommitted((batch) => heard.push(...batch));
    const settled: string[] = [];
    const ordinary = Array.from({ length: 20 }, (_, b) =>
      writer.append(Array.from({ length: 300 }, (_, i) => like(`backlog-${b}-${i}`))).then(() => settled.push(`ordinary-${b}`)),
    );
    const urgent = writer.append([like('urgent-1')], { urgent: true }).then((outcome) => {
      settled.push('urgent');
      return outcome;
    });
    const [seq] = await urgent;
    await Promise.all(ordinary);

    expect(seq).not.toBeNull();
    // Not behind the backlog: at most the ordinary flush already running, and the one after it, commit first.
    expect(settled.indexOf('urgent')).toBeLessThanOrEqual(2);
    expect(heard).toHaveLength(20 * 300 + 1);
    expect(heard.every((entry, i) => i === 0 || entry.seq > heard[i - 1]!.seq)).toBe(true);
    await writer.close();
  });

  it('marks the second copy of an id as a duplicate, within a send and across sends', async () => {
    const writer = new EventLogWriter(pool);
    const first = await writer.append([like('dup-1'), like('dup-2'), like('dup-1')]);
    const second = await writer.append([like('dup-2'), like('dup-3')]);
    expect(first.map((seq) => seq !== null)).toEqual([true, true, false]);
    expect(second.map((seq) => seq !== null)).toEqual([false, true]);
    await writer.close();
  });

  it('acks nothing while PostgreSQL is away, says to retry, and resumes by itself when it returns', async () => {
    const target = new URL(databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const proxied = new URL(databaseUrl);
    proxied.port = String(port);
    const flakyPool = new pg.Pool({ connectionString: proxied.toString(), max: 2, connectionTimeoutMillis: 1_000 });
    flakyPool.on('error', () => undefined);
    const writer = new EventLogWriter(flakyPool, { maxRowsPerFlush: 1000, flushConcurrency: 2, maxQueuedRows: 2_000 });

    expect(await writer.append([like('outage-before')])).toHaveLength(1);
    await proxy.cut();
    const during = await Promise.allSettled(
      Array.from({ length: 10 }, (_, b) => writer.append(Array.from({ length: 400 }, (_, i) => like(`outage-during-${b}-${i}`)))),
    );
    expect(during.every((result) => result.status === 'rejected' && result.reason instanceof StorageUnavailableError)).toBe(true);
    expect(writer.stats().queuedRows).toBe(0);

    await proxy.restore();
    const after = await writer.append([like('outage-after')]);
    expect(after[0]).not.toBeNull();
    const stored = await pool.query<{ count: string }>(`SELECT count(*) FROM events WHERE event_id LIKE 'outage-during-%'`);
    expect(Number(stored.rows[0]!.count)).toBe(0);

    await writer.close();
    await flakyPool.end();
    await proxy.cut();
  }, 30_000);
});
