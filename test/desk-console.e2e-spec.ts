import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { DeskReport } from '../src/reports/report-view.js';
import { ReportsService } from '../src/reports/reports.service.js';
import { type ConsoleBrowser, launchChromium, signIn as signInAt, waitForText } from './support/console-browser.js';
import { type ConsoleFixture, seedConsole } from './support/console-fixture.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

/**
 * The reviewer's desk in Chromium (issue 17): claims seen by a second
 * reviewer, a bulk decision on a selection, the account page, the search,
 * and the language switch.
 */

jest.setTimeout(180_000);

let harness: TestApp;
let browser: ConsoleBrowser;
let fixture: ConsoleFixture;
let ada: string;
const pageErrors: string[] = [];

async function signIn(page: Page, key: string): Promise<void> {
  await signInAt(page, harness.baseUrl, key);
  await page.waitForSelector('#queue-rows tr');
}

async function get<T>(path: string, key: string): Promise<T> {
  return (await harness.request<T>(path, { key })).body;
}

beforeAll(async () => {
  browser = await launchChromium();
  harness = await startTestApp('desk-console');
  fixture = await seedConsole(harness);
  const named = await harness.request<{ key: string }>('/v1/api-keys', { method: 'POST', body: { role: 'reviewer', name: 'Ada' }, key: TEST_ADMIN_KEY });
  ada = named.body.key;
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('the desk in Chromium', () => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  it('claims a report, and a second reviewer sees who holds it and cannot decide it', async () => {
    await signIn(page, fixture.reviewerKey);
    await page.goto(`${harness.baseUrl}/console/#/report/${fixture.report.id}`);
    await page.waitForSelector('#claim:not([hidden])');
    await page.click('#claim');
    await page.waitForSelector('#claim-status:text("Claimed by you")');
    expect(await page.locator('#release').isVisible()).toBe(true);
    // The verdict line and its figures come from the kind's typed evidence.
    expect((await page.locator('#verdict').textContent())?.length).toBeGreaterThan(10);
    expect(await page.locator('#layout-figures .figure').count()).toBeGreaterThan(0);

    // Another tab signs in with another key (session storage is per tab).
    const second = await browser.context.newPage();
    await second.goto(`${harness.baseUrl}/console/`);
    await second.fill('#api-key', ada);
    await second.click('#sign-in-form button[type=submit]');
    await second.waitForSelector('#queue-rows tr');
    await second.goto(`${harness.baseUrl}/console/#/report/${fixture.report.id}`);
    await second.waitForSelector('#claim-status');
    expect(await second.locator('#claim-status').textContent()).toMatch(/^Claimed by rw_reviewer_\S+ until /);
    expect(await second.locator('#claim').isHidden()).toBe(true);
    await second.click('#dismiss');
    await second.waitForSelector('#decision-message.error');
    expect(await second.locator('#decision-message').textContent()).toContain('claimed by');
    expect((await get<DeskReport>(`/v1/reports/${fixture.report.id}`, ada)).status).toBe('open');

    // The first reviewer releases; the second one's page hears it live.
    await page.click('#release');
    await page.waitForSelector('#claim-status:text("Nobody is working")');
    await second.waitForSelector('#claim-status:text("Nobody is working")');
    await second.close();
  });

  it('decides a selection in bulk from the queue, each report keeping its own trail', async () => {
    const room = fixture.evening.rooms[1];
    const reports = harness.app.get(ReportsService);
    await reports.applyFindings(
      ['bulk-x', 'bulk-y', 'bulk-z'].map((account, index) => ({
        kind: 'scripted_comments' as const,
        subjectType: 'account' as const,
        subjectId: account,
        roomId: room.roomId,
        streamId: room.streamId,
        score: 0.7 + index / 100,
        severity: 'medium' as const,
        summary: `Bulk candidate ${account}.`,
        accounts: [account],
        evidence: { posts: 40, meanIntervalMs: 30_000, intervalCv: 0.02, topTemplateRepeats: 38, loneSignals: null, cohorts: [] },
        detectedAt: room.startTs + 60_000,
      })),
    );
    await page.goto(`${harness.baseUrl}/console/#/queue`);
    await page.selectOption('#filter-subject', 'account');
    await page.selectOption('#search-by', 'streamId');
    await page.fill('#search', room.streamId);
    await page.click('#search-go');
    for (const account of ['bulk-x', 'bulk-y']) {
      const row = page.locator('#queue-rows tr', { hasText: `Bulk candidate ${account}.` });
      await row.locator('input.select-report').check();
    }
    await waitForText(page, '#bulk-count', '2 reports selected');
    await page.fill('#bulk-note', 'one script, two accounts');
    await page.click('#bulk-dismiss');
    await page.waitForSelector('#bulk-message:text("2 decided, 0 refused.")');

    const listed = await get<{ items: DeskReport[] }>(`/v1/reports?streamId=${room.streamId}&subjectType=account`, fixture.reviewerKey);
    const status = Object.fromEntries(listed.items.filter((report) => report.subjectId.startsWith('bulk-')).map((report) => [report.subjectId, report.status]));
    expect(status).toEqual({ 'bulk-x': 'dismissed', 'bulk-y': 'dismissed', 'bulk-z': 'open' });
    const decided = listed.items.find((report) => report.subjectId === 'bulk-x')!;
    const trail = await get<{ items: Array<{ note: string; bulkId: string | null }> }>(`/v1/reports/${decided.id}/decisions`, fixture.reviewerKey);
    expect(trail.items.map((item) => item.note)).toEqual(['one script, two accounts']);
    expect(trail.items[0]!.bulkId).not.toBeNull();

    // The report page shows that trail.
    await page.goto(`${harness.baseUrl}/console/#/report/${decided.id}`);
    await page.waitForSelector('#trail li');
    expect(await page.locator('#trail').textContent()).toContain('one script, two accounts');
    expect(await page.locator('#dismiss').isDisabled()).toBe(true);
    expect(await page.locator('#confirm').textContent()).toBe('Confirm instead');
  });

  it("decides a whole cohort from one of its account reports, leaving the stream's other cohorts open", async () => {
    const room = fixture.evening.rooms[1];
    const reports = harness.app.get(ReportsService);
    const cohort = (group: string) => ({ group, kind: 'device' as const, members: 2, signals: ['sharedInfrastructure'] });
    await reports.applyFindings(
      [
        ['cohort-p', 'device:desk-farm-1'],
        ['cohort-q', 'device:desk-farm-1'],
        ['cohort-r', 'device:desk-farm-2'],
      ].map(([account, group], index) => ({
        kind: 'injected_viewers' as const,
        subjectType: 'account' as const,
        subjectId: account!,
        roomId: room.roomId,
        streamId: room.streamId,
        score: 0.8 + index / 100,
        severity: 'high' as const,
        summary: `Cohort member ${account}.`,
        accounts: [account!],
        evidence: { cohorts: [cohort(group!)], joinedAt: room.startTs, emulator: true, rooted: false, interactions: 0 },
        detectedAt: room.startTs + 120_000,
      })),
    );
    const listed = await get<{ items: DeskReport[] }>(`/v1/reports?streamId=${room.streamId}&subjectType=account&limit=200`, fixture.reviewerKey);
    const byAccount = new Map(listed.items.map((report) => [report.subjectId, report]));
    await page.goto(`${harness.baseUrl}/console/#/report/${byAccount.get('cohort-p')!.id}`);
    const confirm = page.locator('#cohort-decisions button[data-cohort="device:desk-farm-1"][data-decision="confirmed"]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toBe('Confirm 2 reports');
    await page.fill('#cohort-note', 'one handset farm');
    await confirm.click();
    await page.waitForSelector('#cohort-result:text("2 decided, 0 refused.")');

    const after = await get<{ items: DeskReport[] }>(`/v1/reports?streamId=${room.streamId}&subjectType=account&limit=200`, fixture.reviewerKey);
    const status = Object.fromEntries(after.items.filter((report) => report.subjectId.startsWith('cohort-')).map((report) => [report.subjectId, report.status]));
    expect(status).toEqual({ 'cohort-p': 'confirmed', 'cohort-q': 'confirmed', 'cohort-r': 'open' });
    const trail = await get<{ items: Array<{ note: string; bulkId: string | null }> }>(`/v1/reports/${byAccount.get('cohort-q')!.id}/decisions`, fixture.reviewerKey);
    expect(trail.items.map((item) => item.note)).toEqual(['one handset farm']);
  });

  it('manages a list entry with the admin key, shows the decision it blocks, its audit and a shadow rule\'s stats', async () => {
    const ingest = (await harness.createKey('ingest')).key;
    const room = fixture.evening.rooms[0];
    const order = (n: number) => ({
      id: `console-dec-${n}`, type: 'order.placed', roomId: room.roomId, streamId: room.streamId, ts: room.startTs + 90_000 + n,
      accountId: 'console-blocked', deviceId: `console-dev-${n}`, orderId: `console-order-${n}`, skuId: 'console-sku', quantity: 1, unitPrice: 990, listPrice: 1_990, currency: 'CNY',
    });
    // A shadow rule on every order: it is recorded on each decision and changes none. Reviewers read rules (an extension).
    const rule = { description: 'every order, in shadow', appliesTo: ['order.placed'], when: { '>=': [{ var: 'event.quantity' }, 1] }, score: 0.2, riskCode: 'console_probe', mode: 'shadow', enabled: true };
    expect((await harness.request('/v1/rules/features', { key: fixture.reviewerKey })).status).toBe(200);
    expect((await harness.request('/v1/rules/console-probe', { method: 'PUT', key: TEST_ADMIN_KEY, body: rule })).status).toBe(200);

    // Signed in already when the suite runs in order; alone (-t), this test signs in itself.
    await page.goto(`${harness.baseUrl}/console/`);
    await page.waitForSelector('#sign-in:not([hidden]), #nav:not([hidden])');
    if (await page.locator('#api-key').isVisible()) await signIn(page, fixture.reviewerKey);
    await page.goto(`${harness.baseUrl}/console/#/policy`);
    await page.waitForSelector('#entry-form');
    // Without the admin key the page refuses to try.
    await page.fill('#entry-value', 'console-blocked');
    await page.click('#entry-add');
    await page.waitForSelector('#policy-message.error');
    await page.fill('#admin-key', TEST_ADMIN_KEY);
    await page.selectOption('#entry-list', 'block');
    await page.selectOption('#entry-type', 'account');
    await page.fill('#entry-value', 'console-blocked');
    await page.fill('#entry-reason', 'resells every drop');
    await page.click('#entry-add');
    const row = page.locator('#list-entries tr', { hasText: 'console-blocked' });
    await row.waitFor();
    expect(await row.textContent()).toContain('resells every drop');

    const blocked = await harness.request<{ decision: string; riskCodes: string[] }>('/v1/decisions', { method: 'POST', key: ingest, body: order(1) });
    expect([blocked.status, blocked.body.decision]).toEqual([200, 'reject']);
    expect(blocked.body.riskCodes).toContain('blocklisted');

    // The decisions view, filtered to rejections; the account opens from it.
    await page.goto(`${harness.baseUrl}/console/#/decisions`);
    await page.waitForSelector('#decisions-filters');
    await page.selectOption('#decisions-outcome', 'reject');
    await page.click('#decisions-go');
    const decisionRow = page.locator('#decision-rows tr', { hasText: 'console-blocked' });
    await decisionRow.waitFor();
    expect(await decisionRow.textContent()).toContain('blocklisted');
    await decisionRow.locator('a.account-link').click();
    await page.waitForSelector('#account-decisions li');
    expect(await page.locator('#account-decisions').textContent()).toContain('reject');

    // Back on the page: the shadow rule's stats count the match; expire, then remove the entry; both audited.
    await page.goto(`${harness.baseUrl}/console/#/policy`);
    const ruleRow = page.locator('#rules-table tr', { hasText: 'console-probe' });
    await ruleRow.waitFor();
    expect(await ruleRow.locator('.rule-stats').textContent()).toMatch(/matched 0 live, [1-9]\d* shadow/);
    await page.fill('#admin-key', TEST_ADMIN_KEY);
    await page.locator('#list-entries tr', { hasText: 'console-blocked' }).locator('button[data-action="expire"]').click();
    await page.waitForSelector('#list-entries tr.muted:has-text("console-blocked")');
    const passed = await harness.request<{ decision: string; riskCodes: string[] }>('/v1/decisions', { method: 'POST', key: ingest, body: order(2) });
    expect(passed.body.riskCodes).not.toContain('blocklisted');
    await page.locator('#list-entries tr', { hasText: 'console-blocked' }).locator('button[data-action="remove"]').click();
    await page.waitForSelector('#policy-message:text("Saved")');
    await page.locator('#list-entries tr', { hasText: 'console-blocked' }).waitFor({ state: 'detached' });
    const audit = await page.locator('#policy-audit').textContent();
    expect(audit).toContain('console-blocked');
  });

  it('opens an account page from a report and finds the reports naming it', async () => {
    const accountId = fixture.report.accounts[0]!;
    await page.goto(`${harness.baseUrl}/console/#/report/${fixture.report.id}`);
    await page.waitForSelector('#accounts tbody tr');
    await page.click(`#accounts a.account-link:text-is("${accountId}")`);
    await page.waitForSelector('#account-title');
    expect(await page.locator('#account-title').textContent()).toBe(`Account ${accountId}`);
    await page.waitForSelector(`#account-reports tr[data-report-id="${fixture.report.id}"]`);
    expect(await page.locator('#account-streams tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#account-streams').textContent()).toContain(fixture.ownStreamId);
  });

  it('searches the queue by device through the accounts seen on it', async () => {
    const profile = await get<{ streams: Array<{ deviceIds: string[] }> }>(`/v1/accounts/${encodeURIComponent(fixture.report.accounts[0]!)}`, fixture.reviewerKey);
    const device = profile.streams.flatMap((stream) => stream.deviceIds)[0];
    expect(device).toBeDefined();
    const expected = await get<{ items: DeskReport[] }>(`/v1/reports?deviceId=${encodeURIComponent(device!)}&subjectType=room&status=open`, fixture.reviewerKey);
    expect(expected.items.length).toBeGreaterThan(0);
    await page.goto(`${harness.baseUrl}/console/#/queue`);
    await page.selectOption('#filter-subject', 'room');
    await page.selectOption('#search-by', 'deviceId');
    await page.fill('#search', device!);
    await page.click('#search-go');
    await page.waitForFunction((count) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#queue-rows tr[data-report-id]').length === count, expected.items.length);
    const shown = await page.locator('#queue-rows tr[data-report-id]').evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { reportId: string } }).dataset.reportId));
    expect(shown.sort()).toEqual(expected.items.map((report) => report.id).sort());
    await page.selectOption('#search-by', 'accountId');
    await page.fill('#search', '');
    await page.click('#search-go');
  });

  it('switches to Chinese in the page, keeps the choice, and switches back', async () => {
    await page.goto(`${harness.baseUrl}/console/#/queue`);
    await page.waitForSelector('#queue-rows tr');
    await page.selectOption('#language', 'zh');
    await waitForText(page, '#queue-title', '审核队列');
    expect(await page.locator('#nav a[href="#/queue"]').textContent()).toBe('审核队列');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.reload();
    await waitForText(page, '#queue-title', '审核队列');
    await page.goto(`${harness.baseUrl}/console/#/report/${fixture.report.id}`);
    await page.waitForSelector('#decision-title');
    expect(await page.locator('#decision-title').textContent()).toBe('处理');
    expect(await page.locator('#evidence-title').textContent()).toBe('全部证据');
    await page.selectOption('#language', 'en');
    await waitForText(page, '#decision-title', 'Decision');
    expect(pageErrors).toEqual([]);
  });
});

describe('language from the browser', () => {
  it('opens in Chinese for a browser that prefers it', async () => {
    // The suite's browser is one persistent context (English); this page's navigator says Chinese.
    const page = await browser.context.newPage();
    await page.addInitScript(() => Object.defineProperty((globalThis as unknown as { navigator: object }).navigator, 'languages', { get: () => ['zh-CN', 'zh'] }));
    await page.goto(`${harness.baseUrl}/console/`);
    await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    await page.reload();
    await waitForText(page, '#sign-in-title', '登录');
    await page.close();
  });
});
