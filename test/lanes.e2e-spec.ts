import { generateEvening } from '../tools/simulator/generator.js';
import { planLanes, sendEvents, type LaneOptions } from '../tools/simulator/sender.js';
import { createApiKey, fetchAllReports, type ApiReport } from '../tools/simulator/service-harness.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';
import { isReportHistory } from './support/same-reports.js';
import { waitForBacklogZero } from './support/status.js';
import { TEST_ADMIN_KEY, dropDatabase, uniqueDatabaseUrl } from './support/test-app.js';

/**
 * Issue 10: a stream's verdict must not depend on how other streams'
 * events interleave with it. A platform delivers over several connections,
 * each with its own rooms in its own ts order, hours apart in event time.
 */

/**
 * What a report says about whom: kind, subject, stream and the accounts it
 * names. A ring is named by its accounts: its id is a label given when it
 * was first seen, and on lanes hours apart a ring forms from other members
 * first. Report history (a ring merged into another, any report stood down) is left
 * out: how a ring grew (five accounts found first, then absorbed into the
 * operator's twenty) depends on the arrival order; what it became does not.
 */
function identity(report: ApiReport): string | null {
  const accounts = [...report.accounts].sort().join(',');
  if (isReportHistory(report)) return null;
  if (report.kind === 'account_ring') return `account_ring [${accounts}]`;
  return `${report.kind} ${report.subjectType}:${report.subjectId} ${report.streamId} [${accounts}]`;
}

describe('one evening over four skewed lanes', () => {
  // Ten rooms, half attacked (emulator, template comments, brusher ring with
  // refunds counted, trickle farm, all-in-one farm) and half honest with the
  // crowds and moments that look like attacks (growth campaign, office wifi,
  // campus, households, carrier NAT, lucky bag, chant, flash sale, surge).
  const evening = generateEvening({ seed: 20261201, rooms: 10, attackShare: 0.5, audienceScale: 0.4 });
  const lanes: LaneOptions = { count: 4, jitterMs: 3_000, skewMs: 2 * 3_600_000, seed: 5 };
  const databases = [uniqueDatabaseUrl('lanes_ordered'), uniqueDatabaseUrl('lanes_skewed')];
  const running: ServiceProcess[] = [];

  afterAll(async () => {
    for (const service of running) await service.stop();
    for (const database of databases) await dropDatabase(database);
  });

  async function replay(databaseUrl: string, delivery: { lanes?: LaneOptions }): Promise<string[]> {
    const service = await startServiceProcess({ DATABASE_URL: databaseUrl, ADMIN_KEY: TEST_ADMIN_KEY, REDIS_PREFIX: `rwlanes-${Date.now()}-${running.length}` });
    running.push(service);
    const ingest = await createApiKey(service.baseUrl, TEST_ADMIN_KEY, 'ingest');
    const reviewer = await createApiKey(service.baseUrl, TEST_ADMIN_KEY, 'reviewer');
    const summary = await sendEvents(evening.events, { url: service.baseUrl, token: ingest.key, speed: 0, connections: 1, window: 1, batchSize: 500, ...delivery });
    expect(summary).toMatchObject({ accepted: evening.events.length, rejected: 0 });
    await waitForBacklogZero(service.baseUrl, { timeoutMs: 180_000 });
    const reports = await fetchAllReports(service.baseUrl, reviewer.key);
    await service.stop();
    return reports.flatMap((report) => identity(report) ?? []).sort();
  }

  it('splits the evening over several lanes and covers honest traps and attacks', () => {
    const plan = planLanes(evening.events, lanes);
    expect(plan.filter((lane) => lane.length > 0).length).toBeGreaterThanOrEqual(3);
    expect(evening.rooms.filter((room) => room.labels.kinds.length === 0).flatMap((room) => room.traps)).toEqual(
      expect.arrayContaining(['growth_campaign', 'office_wifi', 'campus_network', 'household', 'carrier_nat']),
    );
    expect(evening.rooms.flatMap((room) => room.attackStyles)).toEqual(expect.arrayContaining(['trickle_farm', 'all_in_one_farm']));
  });

  it('gets the same reports (kind, subject, stream, accounts) as one connection in ts order', async () => {
    const ordered = await replay(databases[0]!, {});
    const skewed = await replay(databases[1]!, { lanes });
    expect(ordered.length).toBeGreaterThan(0);
    expect(ordered.some((report) => report.startsWith('account_ring'))).toBe(true);
    // Differences first, so a failure names the reports that moved.
    expect({ onlyInLanes: skewed.filter((report) => !ordered.includes(report)), onlyInOrdered: ordered.filter((report) => !skewed.includes(report)) }).toEqual({
      onlyInLanes: [],
      onlyInOrdered: [],
    });
    expect(skewed).toEqual(ordered);
  }, 600_000);
});
