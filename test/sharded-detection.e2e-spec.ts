import pg from 'pg';
import { generateEvening } from '../tools/simulator/generator.js';
import { sendEvents } from '../tools/simulator/sender.js';
import type { RoomEvent } from '../src/events/event.schema.js';
import { createApiKey } from '../tools/simulator/service-harness.js';
import { T0 } from './support/detection/traffic.js';
import { waitFor } from './support/eventually.js';
import { farmRoom, reportContents } from './support/same-reports.js';
import { type ServiceProcess, killService, startServiceProcess } from './support/service-process.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

/**
 * KNOWN DEFECT (issue 16, README "Scale"): the rings stage and the promotions stage (account_ring,
 * coupon_abuse, cash_out) judge over facts every partition writes (the association graph, coupon claims
 * and device users anywhere, a shop's orders over all its streams). Sharded, each worker judges them when
 * its own batch touches them, with the other partitions as far as they have got, so ring ids (first
 * members seen) and cross-partition counts can differ from one process's. Until those stages run on
 * their own partition-independent schedule, this comparison covers the kinds judged from one stream's
 * partition and the cross-room sightings, which is what sharding promises so far.
 */
const PARTITION_SAFE = (kind: string) => kind !== 'account_ring' && kind !== 'coupon_abuse' && kind !== 'cash_out';

// One connection, one batch in flight: the log's order is the same in both runs.
const send = (service: ServiceProcess, token: string, events: readonly RoomEvent[]) =>
  sendEvents(events, { url: service.baseUrl, token, speed: 0, connections: 1, window: 1, batchSize: 500 });

/** Who holds which partition now (expired leases count as nobody's). */
async function holders(databaseUrl: string): Promise<Map<number, string | null>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ partition: number; owner: string | null }>(
      `SELECT partition, CASE WHEN expires_at >= now() THEN owner END AS owner FROM partition_leases ORDER BY partition`,
    );
    return new Map(rows.rows.map((row) => [Number(row.partition), row.owner]));
  } finally {
    await client.end();
  }
}

/** The partitions the evening's rooms fall in, as the log stored them. */
async function partitionsWithEvents(databaseUrl: string): Promise<Set<number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ room_partition: number }>('SELECT DISTINCT room_partition FROM events');
    return new Set(rows.rows.map((row) => Number(row.room_partition)));
  } finally {
    await client.end();
  }
}

/** Each room's partition, as the log stored it. */
async function partitionsOfRooms(databaseUrl: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ room_id: string; room_partition: number }>('SELECT DISTINCT room_id, room_partition FROM events WHERE room_id IS NOT NULL');
    return new Map(rows.rows.map((row) => [row.room_id, Number(row.room_partition)]));
  } finally {
    await client.end();
  }
}

interface WorkerStatus {
  components: { detection: { partitions?: { worker: string; held: number; of: number } } };
}

const LEASE_TTL_MS = 3_000;

describe('detection sharded over three detect workers', () => {
  const evening = generateEvening({ seed: 20261124, rooms: 8, attackShare: 0.5, audienceScale: 0.5 });
  const cut = Math.floor(evening.events.length * 0.45);
  const databases = [uniqueDatabaseUrl('shard_one'), uniqueDatabaseUrl('shard_three')];
  const running: ServiceProcess[] = [];

  afterAll(async () => {
    for (const service of running) await service.stop();
    for (const database of databases) await dropDatabase(database);
  }, 60_000);

  it('gives the reports of one process when one worker is killed mid-evening and its partitions move', async () => {
    const prefix = `rwshard-${Date.now()}`;
    const env = (databaseUrl: string, suffix: string) => ({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `${prefix}-${suffix}` });

    // The same events through one process.
    const single = await startServiceProcess(env(databases[0]!, 'one'));
    running.push(single);
    const singleIngest = (await createApiKey(single.baseUrl, TEST_ADMIN_KEY, 'ingest')).key;
    const singleReviewer = (await createApiKey(single.baseUrl, TEST_ADMIN_KEY, 'reviewer')).key;
    await send(single, singleIngest, evening.events);
    await waitForBacklogZero(single.baseUrl, { timeoutMs: 180_000 });
    const expected = await reportContents(single, singleReviewer, PARTITION_SAFE);
    await single.stop();

    // An ingest node and three detect workers on one database.
    const shardedEnv = { ...env(databases[1]!, 'three'), DETECT_LEASE_TTL_MS: String(LEASE_TTL_MS) };
    const ingestNode = await startServiceProcess({ ...shardedEnv, ROOMWATCH_ROLE: 'ingest' });
    running.push(ingestNode);
    const workers: ServiceProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const worker = await startServiceProcess({ ...shardedEnv, ROOMWATCH_ROLE: 'detect' });
      running.push(worker);
      workers.push(worker);
    }
    const workerIds = await Promise.all(
      workers.map(async (worker) => {
        const status = (await (await fetch(`${worker.baseUrl}/v1/status`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).json()) as WorkerStatus;
        return status.components.detection.partitions!.worker;
      }),
    );
    // Balanced: the three share the 64 partitions, at most ceil(64 / 3) = 22 each (22, 22, 20), once the first two have shed theirs.
    await waitFor('three workers sharing the partitions', async () => {
      const owners = [...(await holders(databases[1]!)).values()];
      const shares = workerIds.map((id) => owners.filter((owner) => owner === id).length);
      if (shares.some((share) => share < 20 || share > 22) || owners.includes(null)) throw new Error(`shares ${shares.join(', ')}`);
      return shares;
    }, { timeoutMs: 30_000, intervalMs: 200 });

    const ingestKey = (await createApiKey(ingestNode.baseUrl, TEST_ADMIN_KEY, 'ingest')).key;
    const reviewerKey = (await createApiKey(ingestNode.baseUrl, TEST_ADMIN_KEY, 'reviewer')).key;
    await send(ingestNode, ingestKey, evening.events.slice(0, cut));

    // The evening's rooms fall in partitions of more than one worker, the victim's among them.
    const used = await partitionsWithEvents(databases[1]!);
    const before = await holders(databases[1]!);
    const victimId = workerIds[1]!;
    const victimPartitions = [...before].filter(([, owner]) => owner === victimId).map(([partition]) => partition);
    const busyOwners = new Set([...used].map((partition) => before.get(partition)));
    expect(busyOwners.size).toBeGreaterThan(1);
    expect(victimPartitions.some((partition) => used.has(partition))).toBe(true);

    // Killed mid-evening, without a word to anyone, while the rest of the evening keeps coming: its
    // leases lapse and the other two take them (meanwhile they wait for its partitions, at most a page ahead).
    await killService(workers[1]!, 'SIGKILL');
    const killedAt = Date.now();
    const rest = send(ingestNode, ingestKey, evening.events.slice(cut));
    const movedAfterMs = await waitFor('the victim\'s partitions held by the survivors', async () => {
      const now = await holders(databases[1]!);
      const moved = victimPartitions.every((partition) => {
        const owner = now.get(partition);
        return owner !== null && owner !== undefined && owner !== victimId;
      });
      if (!moved) throw new Error('not yet');
      return Date.now() - killedAt;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    // The lease TTL, plus one renewal of the survivors (a third of it) to notice and take them.
    expect(movedAfterMs).toBeLessThan(LEASE_TTL_MS + LEASE_TTL_MS / 3 + 1_500);

    await rest;
    await waitForBacklogZero(ingestNode.baseUrl, { timeoutMs: 240_000 });
    const actual = await reportContents(ingestNode, reviewerKey, PARTITION_SAFE);

    // How many reports cite a sighting in a room another worker held: the cross-room directory through PostgreSQL.
    const roomPartitions = await partitionsOfRooms(databases[1]!);
    const crossWorker = [...expected.values()].filter((report) => {
      const own = before.get(roomPartitions.get(report.subjectType === 'room' ? report.subjectId : '') ?? -1);
      const others = ((report.evidence as { otherRooms?: Array<{ roomId: string }> }).otherRooms ?? []).map((match) => before.get(roomPartitions.get(match.roomId) ?? -1));
      return own !== undefined && others.some((owner) => owner !== own);
    }).length;
    process.stdout.write(`sharded e2e: ${expected.size} reports, ${crossWorker} citing a room of another worker; partitions moved ${movedAfterMs} ms after the kill\n`);

    expect(expected.size).toBeGreaterThan(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, report] of expected) expect({ key, report: actual.get(key) }).toEqual({ key, report });
  }, 600_000);
});

const MINUTE = 60_000;


/** Candidate room ids and the partition each falls in, as PostgreSQL hashes them. */
async function partitionsOf(databaseUrl: string, roomIds: readonly string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ room_id: string; partition: number }>(
      `SELECT room_id, ((hashtextextended(room_id, 0) & 2147483647) % (SELECT partitions FROM log_partitioning))::int AS partition FROM unnest($1::text[]) AS r(room_id)`,
      [roomIds],
    );
    return new Map(rows.rows.map((row) => [row.room_id, Number(row.partition)]));
  } finally {
    await client.end();
  }
}

describe('cross-room sightings between two detect workers', () => {
  const databases = [uniqueDatabaseUrl('shard_x_one'), uniqueDatabaseUrl('shard_x_two')];
  const running: ServiceProcess[] = [];

  afterAll(async () => {
    for (const service of running) await service.stop();
    for (const database of databases) await dropDatabase(database);
  }, 60_000);

  it('links a farm that returns in a room another worker holds, through cohort_sightings, as one process does', async () => {
    const prefix = `rwshardx-${Date.now()}`;
    const env = (databaseUrl: string, suffix: string) => ({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `${prefix}-${suffix}` });
    const ingestNode = await startServiceProcess({ ...env(databases[1]!, 'two'), ROOMWATCH_ROLE: 'ingest', DETECT_LEASE_TTL_MS: String(LEASE_TTL_MS) });
    running.push(ingestNode);
    const workers: ServiceProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const worker = await startServiceProcess({ ...env(databases[1]!, 'two'), ROOMWATCH_ROLE: 'detect', DETECT_LEASE_TTL_MS: String(LEASE_TTL_MS) });
      running.push(worker);
      workers.push(worker);
    }
    const owners = await waitFor('two workers sharing the partitions', async () => {
      const now = await holders(databases[1]!);
      const names = new Set(now.values());
      if (names.has(null) || names.size !== 2) throw new Error(`owners ${[...names].join(', ')}`);
      if ([...names].some((name) => [...now.values()].filter((owner) => owner === name).length !== 32)) throw new Error('not balanced yet');
      return now;
    }, { timeoutMs: 30_000, intervalMs: 200 });

    // The farm's first room and the room it returns to, in partitions the two workers hold.
    const candidates = Array.from({ length: 40 }, (_, i) => `farm-room-${i}`);
    const partitionOfRoom = await partitionsOf(databases[1]!, candidates);
    const first = candidates[0]!;
    const firstOwner = owners.get(partitionOfRoom.get(first)!);
    const returned = candidates.find((room) => owners.get(partitionOfRoom.get(room)!) !== firstOwner)!;
    const events = [...farmRoom(first, T0, 1), ...farmRoom(returned, T0 + 40 * MINUTE, 2)].sort((x, y) => x.ts - y.ts);

    const ingestKey = (await createApiKey(ingestNode.baseUrl, TEST_ADMIN_KEY, 'ingest')).key;
    const reviewerKey = (await createApiKey(ingestNode.baseUrl, TEST_ADMIN_KEY, 'reviewer')).key;
    await send(ingestNode, ingestKey, events);
    await waitForBacklogZero(ingestNode.baseUrl, { timeoutMs: 120_000 });
    const actual = await reportContents(ingestNode, reviewerKey, PARTITION_SAFE);
    for (const service of running.splice(0)) await service.stop();

    const single = await startServiceProcess(env(databases[0]!, 'one'));
    running.push(single);
    const singleIngest = (await createApiKey(single.baseUrl, TEST_ADMIN_KEY, 'ingest')).key;
    const singleReviewer = (await createApiKey(single.baseUrl, TEST_ADMIN_KEY, 'reviewer')).key;
    await send(single, singleIngest, events);
    await waitForBacklogZero(single.baseUrl, { timeoutMs: 120_000 });
    const expected = await reportContents(single, singleReviewer, PARTITION_SAFE);

    // Meaningful only if the returned room's reports cite the first room, which the other worker held.
    const citing = [...actual.values()].filter((report) => report.streamId === `${returned}-stream` && JSON.stringify(report.evidence).includes(`"${first}"`));
    expect(citing.length).toBeGreaterThan(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, report] of expected) expect({ key, report: actual.get(key) }).toEqual({ key, report });
  }, 400_000);
});
