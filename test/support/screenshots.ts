/**
 * Takes the README's console screenshots (docs/console-*.png) from a test app
 * fed with simulated traffic: the queue, a report, an account page, the
 * decisions log, the lists and rules, the merchant's audit, and the queue in
 * Chinese.
 * Run with `npm run screenshots` (it installs the CJK fonts first, then jest
 * runs this file with the e2e suites' ESM setup); needs PostgreSQL, Redis
 * and /usr/bin/chromium. Not part of `npm test`: its name does not match the
 * e2e pattern.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { type ConsoleBrowser, launchChromium, waitForChart, waitForText } from './console-browser.js';
import { type ConsoleFixture, seedConsole } from './console-fixture.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './test-app.js';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
jest.setTimeout(240_000);

let harness: TestApp;
let browser: ConsoleBrowser;
let fixture: ConsoleFixture;

beforeAll(async () => {
  browser = await launchChromium({ width: 1360, height: 900 });
  harness = await startTestApp('screens');
  fixture = await seedConsole(harness);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

/**
 * Lists, rules and a few dozen decisions on room 0's stream: ordinary
 * orders pass, a blocked account's are rejected, a gray-listed handset's go
 * to review, a live rule sends bulk buys to review, and a shadow rule is
 * recorded on every decision without changing one.
 */
async function seedDecisions(app: TestApp, { evening }: ConsoleFixture): Promise<void> {
  const admin = { key: TEST_ADMIN_KEY };
  const ingest = (await app.createKey('ingest')).key;
  const room = evening.rooms[0]!;
  const post = async (path: string, method: string, body: Record<string, unknown>) => {
    const response = await app.request(path, { method, ...admin, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  };
  await post('/v1/lists', 'POST', { list: 'block', type: 'account', value: 'shot-reseller', reason: 'resells every drop' });
  await post('/v1/lists', 'POST', { list: 'gray', type: 'device', value: 'shot-cloud-phone-7', reason: 'cloud-phone vendor range', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
  await post('/v1/lists', 'POST', { list: 'allow', type: 'account', value: 'shot-qa', reason: 'platform QA' });
  const bulk = { description: 'five units or more of one flash item', appliesTo: ['order.placed'], when: { '>=': [{ var: 'event.quantity' }, 5] }, score: 0.5, riskCode: 'bulk_units', mode: 'live', enabled: true };
  await post('/v1/rules/shot-bulk-units', 'PUT', bulk);
  await post('/v1/rules/shot-three-units', 'PUT', { ...bulk, description: 'orders of three or more units, trialled in shadow', when: { '>=': [{ var: 'event.quantity' }, 3] }, score: 0.3, riskCode: 'three_units', mode: 'shadow' });
  const buyers = [...Array.from({ length: 8 }, (_, i) => ({ accountId: `shot-fan-${i}`, deviceId: `shot-phone-${i}`, quantity: 1 + (i % 4) })), { accountId: 'shot-reseller', deviceId: 'shot-emulator-1', quantity: 2 }, { accountId: 'shot-reseller', deviceId: 'shot-emulator-2', quantity: 1 }, { accountId: 'shot-newcomer', deviceId: 'shot-cloud-phone-7', quantity: 1 }, { accountId: 'shot-bulk', deviceId: 'shot-phone-bulk', quantity: 6 }];
  for (const [n, buyer] of buyers.entries()) {
    const order = { id: `shot-order-${n}`, type: 'order.placed', roomId: room.roomId, streamId: room.streamId, ts: room.startTs + 120_000 + n * 700, orderId: `shot-order-${n}`, skuId: 'shot-flash-sku', unitPrice: 990, listPrice: 1_990, currency: 'CNY', ...buyer };
    const response = await app.request('/v1/decisions', { method: 'POST', key: ingest, body: order });
    if (response.status !== 200) throw new Error(`POST /v1/decisions: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

it('writes the queue, report, account, decisions, lists and rules, merchant and Chinese screenshots', async () => {
  await mkdir(DOCS, { recursive: true });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // A named reviewer claims one room report, so the queue shows who works what.
  const lin = await harness.request<{ key: string }>('/v1/api-keys', { method: 'POST', body: { role: 'reviewer', name: 'Lin' }, key: TEST_ADMIN_KEY });
  const other = (await harness.request<{ items: Array<{ id: string }> }>(`/v1/reports?subjectType=room&streamId=${fixture.otherStreamId}`, { key: fixture.reviewerKey })).body.items[0];
  if (other) await harness.request(`/v1/reports/${other.id}/claim`, { method: 'POST', key: lin.body.key });

  await page.goto(`${harness.baseUrl}/console/`);
  await page.selectOption('#language', 'en');
  await page.fill('#api-key', fixture.reviewerKey);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#queue-rows tr[data-report-id]');
  await page.selectOption('#filter-subject', '');
  await page.waitForSelector('#live-status:text("Live")');
  await page.locator('#queue-rows input.select-report').nth(1).check();
  await page.locator('#queue-rows input.select-report').nth(2).check();
  await page.screenshot({ path: join(DOCS, 'console-queue.png') });

  await page.goto(`${harness.baseUrl}/console/#/report/${fixture.report.id}`);
  await page.waitForSelector('#claim:not([hidden])');
  await page.click('#claim');
  await page.waitForSelector('#claim-status:text("Claimed by you")');
  await waitForChart(page, '#chart-audience');
  await page.waitForSelector('#accounts, #accounts-slot p');
  // The top of the page: header, claim, verdict and figures, decision, trail, the timeline.
  await page.setViewportSize({ width: 1360, height: 1800 });
  await page.screenshot({ path: join(DOCS, 'console-report.png') });
  if (process.env.CONSOLE_FULL_PAGE) await page.screenshot({ path: process.env.CONSOLE_FULL_PAGE, fullPage: true });

  await page.setViewportSize({ width: 1360, height: 1100 });
  await page.goto(`${harness.baseUrl}/console/#/account/${encodeURIComponent(fixture.report.accounts[0]!)}`);
  await page.waitForSelector('#account-reports, #account-reports-empty');
  await page.screenshot({ path: join(DOCS, 'console-account.png') });

  // A ring the evening's operators formed, drawn as a graph (the first ring report, when the evening made one).
  const ring = (await harness.request<{ items: Array<{ id: string }> }>('/v1/reports?kind=account_ring&limit=1', { key: fixture.reviewerKey })).body.items[0];
  if (ring) {
    await page.goto(`${harness.baseUrl}/console/#/report/${ring.id}`);
    await page.waitForSelector('#ring-graph[data-drawn="true"]');
    await page.locator('#ring-view').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(DOCS, 'console-ring.png') });
  }

  // Real-time decisions on a flash sale's orders: a blocked reseller, a gray-listed handset, a live rule and a shadow one.
  await seedDecisions(harness, fixture);
  await page.goto(`${harness.baseUrl}/console/#/decisions`);
  await page.waitForSelector('#decision-rows tr:has-text("shot-reseller")');
  await page.screenshot({ path: join(DOCS, 'console-decisions.png') });
  await page.goto(`${harness.baseUrl}/console/#/policy`);
  await page.waitForSelector('#list-entries tr:has-text("shot-reseller")');
  await page.waitForSelector('#rules-table tr:has-text("shot-bulk-units")');
  await page.screenshot({ path: join(DOCS, 'console-policy.png') });

  await page.goto(`${harness.baseUrl}/console/#/queue`);
  await page.selectOption('#language', 'zh');
  await waitForText(page, '#queue-title', '审核队列');
  await page.waitForSelector('#queue-rows tr[data-report-id]');
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.screenshot({ path: join(DOCS, 'console-queue-zh.png') });
  await page.selectOption('#language', 'en');

  // The merchant's view of the same stream: the sales audit above its timeline.
  await page.setViewportSize({ width: 1360, height: 1250 });
  await page.click('#sign-out');
  await page.fill('#api-key', fixture.merchantKey);
  await page.click('#sign-in-form button[type=submit]');
  await page.click(`#stream-rows a:text("${fixture.ownStreamId}")`);
  await waitForChart(page, '#chart-sales');
  await page.screenshot({ path: join(DOCS, 'console-merchant.png') });

  expect(errors).toEqual([]);
  for (const name of ['console-queue.png', 'console-report.png', 'console-account.png', 'console-decisions.png', 'console-policy.png', 'console-queue-zh.png', 'console-merchant.png']) {
    expect((await stat(join(DOCS, name))).size).toBeGreaterThan(10_000);
  }
  console.log(`report ${fixture.report.id}: ${fixture.raisedByDetectors ? 'raised by the detectors' : 'stored by hand (no detector report)'}`);
});
