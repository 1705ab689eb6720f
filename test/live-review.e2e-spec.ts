import type { ReportView } from '../src/reports/report-view.js';
import { generateEvening } from '../tools/simulator/generator.js';
import { fetchAllReports } from '../tools/simulator/service-harness.js';
import { eventually, waitFor } from './support/eventually.js';
import { waitForBacklogZero } from './support/status.js';
import { emitWithAck, type IngestAck, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Ingest to reviewer, end to end: what a console connected to /reviews hears
 * while a platform streams an attacked room. How long the push takes is
 * measured by `npm run bench:review`, not asserted here.
 */
describe('live review', () => {
  let harness: TestApp;

  beforeAll(async () => {
    harness = await startTestApp('live_review');
  });

  afterAll(async () => {
    await harness.close();
  });

  it('pushes report.created to a connected reviewer for an attacked room, detected before its stream ends', async () => {
    // One room, attacked by an emulator farm.
    const { events, rooms } = generateEvening({ seed: 424242, rooms: 1, attackShare: 1 });
    const [room] = rooms;
    const reviewer = await harness.createKey('reviewer');
    const ingest = await harness.createKey('ingest');
    const console_ = await harness.connect('/reviews', reviewer.key);
    const pushed: ReportView[] = [];
    console_.on('report.created', (report: ReportView) => pushed.push(report));

    // In event-time order, batch after batch, as a platform streams it.
    const platform = await harness.connect('/ingest', ingest.key);
    for (let from = 0; from < events.length; from += 500) {
      const ack = await emitWithAck<IngestAck>(platform, 'events', events.slice(from, from + 500));
      expect(ack.rejected).toEqual([]);
    }
    await waitForBacklogZero(harness.baseUrl);

    const first = await waitFor('report.created for the attacked room', () =>
      pushed.find((report) => report.subjectType === 'room' && report.streamId === room!.streamId),
    );
    expect(first).toMatchObject({ kind: 'injected_viewers', roomId: room!.roomId, version: 1, status: 'open' });
    expect(room!.labels.kinds).toContain('injected_viewers');
    // Raised while the stream was live, in event time.
    expect(first.detectedAt).toBeGreaterThan(room!.startTs);
    expect(first.detectedAt).toBeLessThan(room!.endTs);
    const stored = await harness.request<ReportView>(`/v1/reports/${first.id}`, { key: reviewer.key });
    expect(stored.body).toMatchObject({ id: first.id, kind: first.kind, subjectId: first.subjectId, detectedAt: first.detectedAt });

    // One report.created per stored report, none missed and none twice.
    const all = await fetchAllReports(harness.baseUrl, reviewer.key);
    await eventually('a report.created push for every stored report', () =>
      expect(pushed.map((report) => report.id).sort()).toEqual(all.map((report) => report.id).sort()),
    );
  }, 120_000);
});
