import { generateEvening } from '../tools/simulator/generator.js';
import { sendEvents } from '../tools/simulator/sender.js';
import type { RoomEvent } from '../src/events/event.schema.js';
import { createApiKey } from '../tools/simulator/service-harness.js';
import { T0, honestCrowd, RoomTraffic } from './support/detection/traffic.js';
import { farmRoom, reportContents } from './support/same-reports.js';
import { type ServiceProcess, killService, startServiceProcess } from './support/service-process.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function keys(service: ServiceProcess): Promise<{ ingest: string; reviewer: string }> {
  const create = (role: 'ingest' | 'reviewer') => createApiKey(service.baseUrl, TEST_ADMIN_KEY, role);
  return { ingest: (await create('ingest')).key, reviewer: (await create('reviewer')).key };
}


// One connection, one batch in flight: the arrival order, and so the log's
// order, is the same in both runs; only the restart differs.
const send = (service: ServiceProcess, token: string, events: readonly RoomEvent[]) =>
  sendEvents(events, { url: service.baseUrl, token, speed: 0, connections: 1, window: 1, batchSize: 500 });

describe('a restart in the middle of an evening', () => {
  const evening = generateEvening({ seed: 20261124, rooms: 6, attackShare: 0.5, audienceScale: 0.5 });
  const half = Math.floor(evening.events.length / 2);
  const databases = [uniqueDatabaseUrl('restart_a'), uniqueDatabaseUrl('restart_b')];
  const running: ServiceProcess[] = [];

  afterAll(async () => {
    for (const service of running) await service.stop();
    for (const database of databases) await dropDatabase(database);
  }, 60_000);

  it('ends with the same reports as an evening without one', async () => {
    const env = (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwrestart-${Date.now()}` });

    const uninterrupted = await startServiceProcess(env(databases[0]!));
    running.push(uninterrupted);
    const keysA = await keys(uninterrupted);
    await send(uninterrupted, keysA.ingest, evening.events);
    await waitForBacklogZero(uninterrupted.baseUrl, { timeoutMs: 120_000 });
    const expected = await reportContents(uninterrupted, keysA.reviewer);

    const first = await startServiceProcess(env(databases[1]!));
    running.push(first);
    const keysB = await keys(first);
    await send(first, keysB.ingest, evening.events.slice(0, half));
    await waitForBacklogZero(first.baseUrl, { timeoutMs: 120_000 });
    await killService(first, 'SIGKILL');
    const second = await startServiceProcess(env(databases[1]!), Number(new URL(first.baseUrl).port));
    running.push(second);
    await send(second, keysB.ingest, evening.events.slice(half));
    await waitForBacklogZero(second.baseUrl, { timeoutMs: 120_000 });
    const actual = await reportContents(second, keysB.reviewer);

    expect(expected.size).toBeGreaterThan(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, report] of expected) expect({ key, report: actual.get(key) }).toEqual({ key, report });
  }, 300_000);
});


describe('a restart between two evenings a farm works', () => {
  // The farm works two rooms one evening and a third eight hours later. At
  // the restart (before the third room) the log's newest activity is 7 h in,
  // so the 6 h replay does not rebuild the first evening: its sightings must
  // come back from cohort_sightings for the third room to cite them.
  const firstEvening = [...farmRoom('room-a', T0, 1), ...farmRoom('room-a2', T0 + 40 * MINUTE, 4)].sort((x, y) => x.ts - y.ts);
  const filler = new RoomTraffic('room-f', 'room-f-stream').start(T0 + 7 * HOUR);
  honestCrowd(filler, { prefix: 'f', viewers: 30, from: T0 + 7 * HOUR, to: T0 + 7 * HOUR + 5 * MINUTE, endAt: T0 + 7 * HOUR + 10 * MINUTE, seed: 3 });
  const beforeRestart = [...firstEvening, ...filler.end(T0 + 7 * HOUR + 10 * MINUTE).sorted()];
  const afterRestart = farmRoom('room-b', T0 + 8 * HOUR, 2);
  const databases = [uniqueDatabaseUrl('restart_c'), uniqueDatabaseUrl('restart_d')];
  const running: ServiceProcess[] = [];

  afterAll(async () => {
    for (const service of running) await service.stop();
    for (const database of databases) await dropDatabase(database);
  }, 60_000);

  it('keeps cross-room evidence older than the replay horizon', async () => {
    const env = (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwrestart2-${Date.now()}` });

    const uninterrupted = await startServiceProcess(env(databases[0]!));
    running.push(uninterrupted);
    const keysA = await keys(uninterrupted);
    await send(uninterrupted, keysA.ingest, [...beforeRestart, ...afterRestart]);
    await waitForBacklogZero(uninterrupted.baseUrl, { timeoutMs: 120_000 });
    const expected = await reportContents(uninterrupted, keysA.reviewer);

    const before = await startServiceProcess(env(databases[1]!));
    running.push(before);
    const keysB = await keys(before);
    await send(before, keysB.ingest, beforeRestart);
    await waitForBacklogZero(before.baseUrl, { timeoutMs: 120_000 });
    await killService(before, 'SIGKILL');
    const after = await startServiceProcess(env(databases[1]!), Number(new URL(before.baseUrl).port));
    running.push(after);
    await send(after, keysB.ingest, afterRestart);
    await waitForBacklogZero(after.baseUrl, { timeoutMs: 120_000 });
    const actual = await reportContents(after, keysB.reviewer);

    // The test means something only if the late room's reports cite the first evening's rooms.
    const citing = [...expected.values()].filter((report) => report.streamId === 'room-b-stream' && JSON.stringify(report.evidence).includes('"room-a"'));
    expect(citing.length).toBeGreaterThan(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, report] of expected) expect({ key, report: actual.get(key) }).toEqual({ key, report });
  }, 300_000);
});
