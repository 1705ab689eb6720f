import { generateEvening } from '../tools/simulator/generator.js';
import { sendEvents } from '../tools/simulator/sender.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

async function api<T>(service: ServiceProcess, path: string, key: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

describe('ingest and detection in separate processes', () => {
  const databaseUrl = uniqueDatabaseUrl('split');
  const running: ServiceProcess[] = [];

  afterAll(async () => {
    for (const service of running) await service.stop();
    await dropDatabase(databaseUrl);
  });

  it('detects what an ingest-only process stored, woken by commit notices', async () => {
    const env = { DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwsplit-${Date.now()}` };
    const ingestNode = await startServiceProcess({ ...env, ROOMWATCH_ROLE: 'ingest' });
    running.push(ingestNode);
    const detectNode = await startServiceProcess({ ...env, ROOMWATCH_ROLE: 'detect' });
    running.push(detectNode);
    const create = (role: string) =>
      api<{ key: string }>(ingestNode, '/v1/api-keys', TEST_ADMIN_KEY, { method: 'POST', body: JSON.stringify({ role }) });
    const ingestKey = (await create('ingest')).key;
    const reviewerKey = (await create('reviewer')).key;

    // Two rooms: one attacked by an emulator farm, one honest.
    const evening = generateEvening({ seed: 90210, rooms: 2, attackShare: 0.5 });
    const attacked = evening.rooms.find((room) => room.labels.kinds.length > 0)!;
    const honest = evening.rooms.find((room) => room.labels.kinds.length === 0)!;
    const summary = await sendEvents(evening.events, { url: ingestNode.baseUrl, token: ingestKey, speed: 0 });
    expect(summary.accepted).toBe(evening.events.length);

    // The ingest node's backlog counts what the detect node has not processed yet.
    await waitForBacklogZero(ingestNode.baseUrl, { timeoutMs: 120_000 });
    const status = await (await fetch(`${ingestNode.baseUrl}/v1/status`)).json() as { components: { detection: { mode: string } } };
    expect(status.components.detection.mode).toBe('remote');

    const reports = await api<{ items: Array<{ kind: string; subjectType: string; streamId: string }> }>(
      ingestNode,
      '/v1/reports?subjectType=room&limit=200',
      reviewerKey,
    );
    const kindsOf = (streamId: string) => reports.items.filter((report) => report.streamId === streamId).map((report) => report.kind);
    expect(kindsOf(attacked.streamId)).toEqual(expect.arrayContaining(attacked.labels.kinds));
    expect(kindsOf(honest.streamId)).toEqual([]);
  }, 240_000);
});
