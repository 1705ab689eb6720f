import { generateEvening } from '../tools/simulator/generator.js';
import { sendEvents } from '../tools/simulator/sender.js';
import { createApiKey, fetchAllReports } from '../tools/simulator/service-harness.js';
import { type ServiceProcess, callService, startServiceProcess } from './support/service-process.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

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
    const ingestKey = (await createApiKey(ingestNode.baseUrl, TEST_ADMIN_KEY, 'ingest')).key;
    const reviewerKey = (await createApiKey(ingestNode.baseUrl, TEST_ADMIN_KEY, 'reviewer')).key;

    // Two rooms: one attacked by an emulator farm and a brushing studio, one honest. This test is
    // about the split plumbing, so its evening's studio sends six brushers: a studio of two (seed
    // 90210 since the v2 storefront moved the generator's draws) is below the brushing detector's
    // floor, as two accounts refunding after a stream is what a household does.
    const evening = generateEvening({ seed: 90211, rooms: 2, attackShare: 0.5 });
    const attacked = evening.rooms.find((room) => room.labels.kinds.length > 0)!;
    const honest = evening.rooms.find((room) => room.labels.kinds.length === 0)!;
    const summary = await sendEvents(evening.events, { url: ingestNode.baseUrl, token: ingestKey, speed: 0 });
    expect(summary.accepted).toBe(evening.events.length);

    // The ingest node's backlog counts what the detect node has not processed yet.
    await waitForBacklogZero(ingestNode.baseUrl, { timeoutMs: 120_000 });
    const status = await callService<{ components: { detection: { mode: string } } }>(ingestNode, '/v1/status');
    expect(status.body.components.detection.mode).toBe('remote');

    // A stream has a kind when any report of it names the stream, as the eval counts rooms: cash_out reports
    // shops and accounts (the account reports carry the stream), never the room.
    const reports = await fetchAllReports(ingestNode.baseUrl, reviewerKey);
    const kindsOf = (streamId: string) => [...new Set(reports.filter((report) => report.streamId === streamId).map((report) => report.kind))];
    expect(kindsOf(attacked.streamId)).toEqual(expect.arrayContaining(attacked.labels.kinds));
    expect(kindsOf(honest.streamId)).toEqual([]);
  }, 240_000);
});
