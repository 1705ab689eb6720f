import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser build. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, closed and removed by `close`. */
export async function launchChromium(viewport = { width: 1360, height: 900 }): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. The console's browser tests need Debian's Chromium: ` +
        'run `apt-get update && apt-get install -y chromium` (CI does it in scripts/ensure-chromium.sh), or set CHROMIUM_PATH.',
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'roomwatch-chromium-'));
  // Playwright takes the profile directory itself (it refuses a --user-data-dir argument).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the console at `baseUrl` and signs in with `key` (the caller waits for the page it expects next). */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.fill('#api-key', key);
  await page.click('#sign-in-form button[type=submit]');
}

/** What the page's globals look like to the evaluated functions below (this file has no DOM types). */
interface ChartPage {
  document: { querySelector(selector: string): unknown };
  Chart?: { getChart(canvas: unknown): { data: { datasets: Array<{ data: Array<{ y: number | null }> }> } } | undefined };
}

/** Data points (non-null) of the first dataset of the Chart.js chart on a canvas, or -1 when none is drawn there. */
export function chartPoints(page: Page, canvasSelector: string): Promise<number> {
  return page.evaluate((selector) => {
    const scope = globalThis as unknown as ChartPage;
    const canvas = scope.document.querySelector(selector);
    const chart = canvas ? scope.Chart?.getChart(canvas) : undefined;
    return chart ? chart.data.datasets[0].data.filter((point) => point.y !== null).length : -1;
  }, canvasSelector);
}

/** Waits until a Chart.js chart is drawn on the canvas. */
export async function waitForChart(page: Page, canvasSelector: string): Promise<void> {
  await page.waitForFunction((selector) => {
    const scope = globalThis as unknown as ChartPage;
    const canvas = scope.document.querySelector(selector);
    return Boolean(canvas && scope.Chart?.getChart(canvas));
  }, canvasSelector);
}

/** Waits until the element's text content is exactly `text`. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([target, expected]) => {
      const element = (globalThis as unknown as ChartPage).document.querySelector(target) as { textContent: string | null } | null;
      return element?.textContent === expected;
    },
    [selector, text] as const,
  );
}
