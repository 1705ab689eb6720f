import { generateEvening } from '../src/simulator/generator.js';
import { sendEvents } from '../src/simulator/sender.js';
import type { RoomEvent } from '../src/events/event.schema.js';
import { type ServiceProcess, killService, startServiceProcess, waitForIdle } from './support/service-process.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

interface ReportBody {
  kind: string;
  subjectType: string;
  subjectId: string;
  streamId: string;
  score: number;
  severity: string;
  summary: string;
  accounts: string[];
  evidence: unknown;
  detectedAt: number;
}

async function api<T>(service: ServiceProcess, path: string, key: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function keys(service: ServiceProcess): Promise<{ ingest: string; reviewer: string }> {
  const create = (role: string) =>
    api<{ key: string }>(service, '/v1/api-keys', TEST_ADMIN_KEY, { method: 'POST', body: JSON.stringify({ role }) });
  return { ingest: (await create('ingest')).key, reviewer: (await create('reviewer')).key };
}

/** Every report's content, keyed and sorted, without ids, versions or wall-clock times. */
async function reportContents(service: ServiceProcess, reviewerKey: string): Promise<Map<string, ReportBody>> {
  const contents = new Map<string, ReportBody>();
  let cursor: string | null = null;
  do {
    const page: { items: ReportBody[]; nextCursor: string | null } = await api(
      service,
      `/v1/reports?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      reviewerKey,
    );
    for (const report of page.items) {
      const { kind, subjectType, subjectId, streamId, score, severity, summary, accounts, evidence, detectedAt } = report;
      contents.set(`${kind}|${subjectType}|${subjectId}|${streamId}`, {
        kind, subjectType, subjectId, streamId, score, severity, summary, accounts: [...accounts].sort(), evidence, detectedAt,
      });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return contents;
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
  });

  it('ends with the same reports as an evening without one', async () => {
    const env = (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwrestart-${Date.now()}` });

    const uninterrupted = await startServiceProcess(env(databases[0]!));
    running.push(uninterrupted);
    const keysA = await keys(uninterrupted);
    await send(uninterrupted, keysA.ingest, evening.events);
    await waitForIdle(uninterrupted.baseUrl, 120_000);
    const expected = await reportContents(uninterrupted, keysA.reviewer);

    const first = await startServiceProcess(env(databases[1]!));
    running.push(first);
    const keysB = await keys(first);
    await send(first, keysB.ingest, evening.events.slice(0, half));
    await waitForIdle(first.baseUrl, 120_000);
    await killService(first, 'SIGKILL');
    const second = await startServiceProcess(env(databases[1]!), Number(new URL(first.baseUrl).port));
    running.push(second);
    await send(second, keysB.ingest, evening.events.slice(half));
    await waitForIdle(second.baseUrl, 120_000);
    const actual = await reportContents(second, keysB.reviewer);

    expect(expected.size).toBeGreaterThan(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, report] of expected) expect(actual.get(key)).toEqual(report);
  }, 300_000);
});
