import { ReportsService } from '../../src/reports/reports.service.js';
import type { ReportView } from '../../src/reports/report-view.js';
import { generateEvening, type SimulatedEvening } from '../../tools/simulator/generator.js';
import { sendEvents } from '../../tools/simulator/sender.js';
import { waitForBacklogZero } from './status.js';
import type { TestApp } from './test-app.js';

/** A small evening: room 0 buys emulator-farm viewers, room 1 posts templated comments. */
const EVENING = { seed: 7, rooms: 2, attackShare: 1, audienceScale: 0.2 } as const;

export interface ConsoleFixture {
  evening: SimulatedEvening;
  reviewerKey: string;
  /** The merchant of room 0's stream. */
  merchantKey: string;
  ownStreamId: string;
  /** Room 1's stream, another merchant's. */
  otherStreamId: string;
  /** A room report on room 0's stream, open. */
  report: ReportView;
  /** False when the detectors raised no room report and one was stored by hand. */
  raisedByDetectors: boolean;
}

async function getJson<T>(harness: TestApp, path: string, key: string): Promise<T> {
  const response = await harness.request<T>(path, { key });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/**
 * Sends simulated traffic through /ingest and waits until the engine has
 * processed it, so the console has streams, timelines and reports to show.
 */
export async function seedConsole(harness: TestApp): Promise<ConsoleFixture> {
  const evening = generateEvening(EVENING);
  const [attacked, other] = evening.rooms;
  const ingest = await harness.createKey('ingest');
  const reviewer = await harness.createKey('reviewer');
  const merchant = await harness.createKey('merchant', attacked.merchantId);

  const summary = await sendEvents(evening.events, { url: harness.baseUrl, token: ingest.key, speed: 0, connections: 2 });
  if (summary.accepted !== evening.events.length) throw new Error(`ingest accepted ${summary.accepted} of ${evening.events.length} events`);
  await waitForBacklogZero(harness.baseUrl);

  const reports = await getJson<{ items: ReportView[] }>(
    harness,
    `/v1/reports?subjectType=room&streamId=${encodeURIComponent(attacked.streamId)}`,
    reviewer.key,
  );
  // The open room report naming the most accounts: the console's account views need members to show.
  let report = reports.items.filter((item) => item.status === 'open').sort((a, b) => b.accounts.length - a.accounts.length)[0];
  const raisedByDetectors = report !== undefined;
  if (!report) {
    // The detectors are still being built; the console's job is to show whatever report exists.
    await harness.app.get(ReportsService).applyFindings([
      {
        kind: 'injected_viewers',
        subjectType: 'room',
        subjectId: attacked.roomId,
        roomId: attacked.roomId,
        streamId: attacked.streamId,
        score: 0.9,
        severity: 'high',
        summary: `Stream ${attacked.streamId} shows injected viewers (stored by the console fixture).`,
        accounts: attacked.labels.accounts.injected_viewers.slice(0, 20),
        evidence: { note: 'fixture' },
        detectedAt: attacked.startTs + 10 * 60_000,
      },
    ]);
    const stored = await getJson<{ items: ReportView[] }>(harness, `/v1/reports?subjectType=room&streamId=${encodeURIComponent(attacked.streamId)}`, reviewer.key);
    report = stored.items[0];
  }
  return {
    evening,
    reviewerKey: reviewer.key,
    merchantKey: merchant.key,
    ownStreamId: attacked.streamId,
    otherStreamId: other.streamId,
    report,
    raisedByDetectors,
  };
}
