import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { RoomEvent } from '../src/events/event.schema.js';
import { limitedDrop } from './support/detection/flash-traffic.js';
import { type ConsoleBrowser, launchChromium, signIn } from './support/console-browser.js';
import { waitForBacklogZero } from './support/status.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * scalper_bot end to end (issue 13): a limited drop struck by a plugin farm
 * on a few emulators gets a room report naming the farm and account reports
 * for its members; a drop of the same size with an honest rush (hundreds of
 * people within seconds, fast fingers, carrier NAT, households) gets none.
 * The room report's page shows the opening second, orders per 100 ms with
 * the accounts behind each bar.
 */

jest.setTimeout(180_000);

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const MIN = 60_000;
const farm = Array.from({ length: 40 }, (_, i) => `farm-${i}`);

let harness: TestApp;
let ingestKey: string;
let reviewerKey: string;

interface Report {
  id: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  streamId: string;
  accounts: string[];
  evidence: Record<string, unknown>;
}

async function ingest(events: readonly RoomEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += 500) {
    const response = await harness.request<{ accepted: number; rejected: unknown[] }>('/v1/events', { method: 'POST', body: events.slice(start, start + 500), key: ingestKey });
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
  }
}

async function reportsOf(streamId: string): Promise<Report[]> {
  return (await harness.request<{ items: Report[] }>(`/v1/reports?kind=scalper_bot&streamId=${streamId}&limit=200`, { key: reviewerKey })).body.items;
}

beforeAll(async () => {
  harness = await startTestApp('scalpers');
  ingestKey = (await harness.createKey('ingest')).key;
  reviewerKey = (await harness.createKey('reviewer')).key;
  const struck = limitedDrop({
    roomId: 'room-struck',
    streamId: 'st-struck',
    startAt: T0,
    openAt: T0 + 20 * MIN,
    stock: 120,
    honest: 250,
    fastFingers: 6,
    ring: { accounts: farm, devices: 6, latency: (i) => 60 + ((i * 7) % 25), device: { model: 'SM-G9810', os: 'Android 9', emulator: true, rooted: true, hooked: true }, payments: 5, drops: 3 },
  });
  const honest = limitedDrop({ roomId: 'room-rush', streamId: 'st-rush', startAt: T0, openAt: T0 + 20 * MIN, stock: 200, honest: 500, fastFingers: 10, natShare: 0.25, households: 12, seed: 11 });
  await ingest([...struck, ...honest].sort((a, b) => a.ts - b.ts));
  await waitForBacklogZero(harness.baseUrl, { timeoutMs: 60_000 });
});

afterAll(async () => {
  await harness?.close();
});

describe('scalper_bot end to end', () => {
  it('reports the struck room and its farm, one report per (kind, subject, stream), and leaves the honest rush clean', async () => {
    const struck = await reportsOf('st-struck');
    const rooms = struck.filter((report) => report.subjectType === 'room');
    expect(rooms).toHaveLength(1);
    expect([...rooms[0]!.accounts].sort()).toEqual([...farm].sort());
    const accounts = struck.filter((report) => report.subjectType === 'account').map((report) => report.subjectId);
    expect(accounts.sort()).toEqual([...farm].sort());
    expect(await reportsOf('st-rush')).toEqual([]);
  });

  it('shows the opening second on the room report: the farm in the first 100 ms, with the accounts behind the bar', async () => {
    const room = (await reportsOf('st-struck')).find((report) => report.subjectType === 'room')!;
    let browser: ConsoleBrowser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.context.newPage();
      await signIn(page, harness.baseUrl, reviewerKey);
      await page.waitForSelector('#queue-rows tr');
      await page.goto(`${harness.baseUrl}/console/#/report/${room.id}`);
      await page.waitForSelector('#opening-second .bar');
      const first = page.locator('#opening-second .bar[data-from-ms="0"]');
      expect(await first.getAttribute('data-flagged')).toBe('40');
      // The farm's bar is the tallest, all red; its height is drawn (the CSP refuses inline styles, so this is the CSSOM's).
      expect(await first.locator('.bar-flagged').evaluate((element) => (element as unknown as { style: { height: string } }).style.height)).toBe('100%');
      expect(await first.locator('.bar-flagged').evaluate((element) => (element as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height)).toBeGreaterThan(50);
      expect(Number(await page.locator('#opening-second .bar[data-from-ms="2000"]').getAttribute('data-flagged'))).toBe(0);
      const behind = page.locator('#opening-second .behind li[data-from-ms="0"] a');
      expect(await behind.count()).toBeGreaterThan(5);
      expect(farm).toContain(await behind.first().textContent());
      expect((await page.locator('#verdict').textContent()) ?? '').toContain('40 linked accounts');
    } finally {
      await browser?.close();
    }
  });
});
