/**
 * Takes the README's console screenshots (docs/console-queue.png,
 * docs/console-report.png, docs/console-merchant.png) from a test app fed with simulated traffic.
 * Run with `npm run screenshots` (jest runs it: the same ESM setup as the
 * e2e suites); needs PostgreSQL, Redis and /usr/bin/chromium. Not part of
 * `npm test`: its name does not match the e2e pattern.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { type ConsoleBrowser, launchChromium, waitForChart } from './console-browser.js';
import { type ConsoleFixture, seedConsole } from './console-fixture.js';
import { startTestApp, type TestApp } from './test-app.js';

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

it('writes the queue and report screenshots', async () => {
  await mkdir(DOCS, { recursive: true });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${harness.baseUrl}/console/`);
  await page.fill('#api-key', fixture.reviewerKey);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#queue-rows tr[data-report-id]');
  await page.selectOption('#sort', 'score');
  await page.waitForSelector('#live-status:text("Live")');
  await page.screenshot({ path: join(DOCS, 'console-queue.png') });

  await page.click(`#queue-rows tr[data-report-id="${fixture.report.id}"] a`);
  await waitForChart(page, '#chart-audience');
  await page.waitForSelector('#accounts, #accounts-slot p');
  // The top of the page: header, decision, the timeline and the first evidence.
  await page.setViewportSize({ width: 1360, height: 1800 });
  await page.screenshot({ path: join(DOCS, 'console-report.png') });
  if (process.env.CONSOLE_FULL_PAGE) await page.screenshot({ path: process.env.CONSOLE_FULL_PAGE, fullPage: true });

  // The merchant's view of the same stream: the sales audit above its timeline.
  await page.setViewportSize({ width: 1360, height: 1250 });
  await page.click('#sign-out');
  await page.fill('#api-key', fixture.merchantKey);
  await page.click('#sign-in-form button[type=submit]');
  await page.click(`#stream-rows a:text("${fixture.ownStreamId}")`);
  await waitForChart(page, '#chart-sales');
  await page.screenshot({ path: join(DOCS, 'console-merchant.png') });

  expect(errors).toEqual([]);
  expect((await stat(join(DOCS, 'console-report.png'))).size).toBeGreaterThan(10_000);
  console.log(`report ${fixture.report.id}: ${fixture.raisedByDetectors ? 'raised by the detectors' : 'stored by hand (no detector report)'}`);
});
