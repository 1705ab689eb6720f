import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DecisionState } from '../src/decisions/decision-state.js';
import type { AccountRingEvidence } from '../src/detection/rings/account-ring.evidence.js';
import type { DeliveryView } from '../src/enforcement/delivery.js';
import type { ReportView } from '../src/reports/report-view.js';
import { RingGraphRepository } from '../src/rings/ring-graph.repository.js';
import { launchChromium, signIn } from './support/console-browser.js';
import { waitFor } from './support/eventually.js';
import { waitForBacklogZero } from './support/status.js';
import { dropDatabase, sendBatch, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Linked-account rings end to end (issue 14): an operator's accounts on a
 * few handsets, one wallet and a proxy network become one account_ring
 * report whose id stays as the ring grows, two rings tied together become
 * one with the merge recorded on both reports, a household and an office
 * stay clean, a confirmed ring is enforced with one webhook, and the ring
 * keeps its id through a restart.
 */

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ENV = { ENFORCEMENT_ATTEMPTS: '2', ENFORCEMENT_BACKOFF_MS: '40', ENFORCEMENT_TIMEOUT_MS: '2000', ENFORCEMENT_SWEEP_MS: '3600000', AUTO_ENFORCE_SCORE: '0.99' };

type Event = Record<string, unknown>;
let counter = 0;
const nextId = (prefix: string): string => `${prefix}-${++counter}`;

/** One stream the rings' members and the honest crowd visit. */
function stream(roomId: string, streamId: string, at: number): Event[] {
  return [{ id: nextId('start'), type: 'stream.started', roomId, streamId, ts: at, merchantId: `m-${roomId}` }];
}

/** Honest viewers, each on their own handset and home network, so the identifiers' distribution is a real one. */
function crowd(prefix: string, count: number, roomId: string, streamId: string, at: number): Event[] {
  return Array.from({ length: count }, (_, i) => ({
    id: nextId('join'), type: 'viewer.joined', roomId, streamId, ts: at + i * 700, accountId: `${prefix}-${i}`,
    deviceId: `${prefix}-dev-${i}`, ip: `100.${64 + (i % 60)}.${i % 251}.${(i * 7) % 250}`, accountCreatedAt: at - 400 * DAY,
  }));
}

interface Operator {
  name: string;
  accounts: string[];
  phones: string[];
  wallet: string;
  proxy: string;
}

function operator(name: string): Operator {
  return { name, accounts: [], phones: [`${name}-phone-0`, `${name}-phone-1`, `${name}-phone-2`], wallet: `${name}-wallet`, proxy: `45.${name.length}.${name.charCodeAt(0)}` };
}

/**
 * New accounts of the operator: signed up in one burst on its handsets (or
 * on `signUpOn`'s), then in a room and ordering with its wallet.
 */
function recruit(op: Operator, count: number, roomId: string, streamId: string, at: number, signUpOn: Operator = op): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < count; i++) {
    const n = op.accounts.length;
    const accountId = `${op.name}-acct-${n}`;
    op.accounts.push(accountId);
    const deviceId = op.phones[n % op.phones.length];
    const ip = `${op.proxy}.${10 + n}`;
    events.push({
      id: nextId('reg'), type: 'account.registered', ts: at - 2 * DAY + n * 15_000, accountId, deviceId: signUpOn.phones[n % signUpOn.phones.length], ip: `${signUpOn.proxy}.${10 + n}`,
      phoneHash: `${op.name}-sim-${n}`, channel: 'invite', device: { multiInstance: true },
    });
    events.push({ id: nextId('join'), type: 'viewer.joined', roomId, streamId, ts: at + i * 2_000, accountId, deviceId, ip });
    events.push({
      id: nextId('order'), type: 'order.placed', roomId, streamId, ts: at + MINUTE + i * 2_000, accountId, deviceId, ip, orderId: nextId('o'), skuId: 'sku-1', quantity: 1,
      unitPrice: 1_000, listPrice: 1_000, currency: 'CNY', paymentAccountHash: op.wallet, addressHash: `${op.name}-drop-${n % 2}`,
    });
  }
  return events;
}

class Receiver {
  readonly calls: Array<{ deliveryId: string; reason: string; report: ReportView }> = [];
  private server!: Server;
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.calls.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Receiver['calls'][number]);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/enforce`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('linked-account rings', () => {
  const receiver = new Receiver();
  let harness: TestApp;
  let ingest: string;
  let reviewer: string;
  let webhook: string;

  beforeAll(async () => {
    webhook = await receiver.start();
    harness = await startTestApp('rings', { ...ENV, ENFORCEMENT_WEBHOOK_URL: webhook, ENFORCEMENT_WEBHOOK_SECRET: 'rings-webhook-secret-for-tests' });
    ingest = (await harness.createKey('ingest')).key;
    reviewer = (await harness.createKey('reviewer')).key;
    await send([...stream('room-a', 'st-a', T0), ...crowd('fan-a', 1500, 'room-a', 'st-a', T0 + MINUTE)]);
  }, 180_000);

  let firstDatabase: string | null = null;

  afterAll(async () => {
    await harness?.close();
    // The restarted app was pointed at the first one's database: its own close drops a database it never used.
    if (firstDatabase) await dropDatabase(firstDatabase);
    await receiver.stop();
  }, 120_000);

  async function send(events: Event[]): Promise<void> {
    for (let i = 0; i < events.length; i += 500) {
      const ack = await sendBatch(harness, ingest, events.slice(i, i + 500));
      expect(ack.rejected).toEqual([]);
    }
    await waitForBacklogZero(harness.baseUrl);
  }

  async function ringReports(): Promise<ReportView[]> {
    const page = await harness.request<{ items: ReportView[] }>('/v1/reports?kind=account_ring&limit=100', { key: reviewer });
    expect(page.status).toBe(200);
    return page.body.items;
  }

  const evidenceOf = (report: ReportView): AccountRingEvidence => report.evidence as unknown as AccountRingEvidence;
  const ringOf = (accounts: readonly string[]) => (reports: readonly ReportView[]) => reports.filter((report) => accounts.some((account) => report.accounts.includes(account)));

  const north = operator('north');
  const south = operator('south');
  let northRing: ReportView;

  it('reports a farm of accounts on three handsets, one wallet and one proxy network as one ring, and keeps its id as it grows', async () => {
    await send(recruit(north, 6, 'room-a', 'st-a', T0 + 10 * MINUTE));
    const [first, ...others] = ringOf(north.accounts)(await ringReports());
    expect(others).toEqual([]);
    expect(first!.subjectType).toBe('ring');
    expect(first!.roomId).toBeNull();
    expect(first!.accounts).toEqual([...north.accounts].sort());
    expect(evidenceOf(first!).signals).toEqual(expect.arrayContaining(['dense_links', 'registration_burst', 'shared_payment']));

    await send([...stream('room-b', 'st-b', T0 + DAY), ...recruit(north, 3, 'room-b', 'st-b', T0 + DAY + MINUTE)]);
    const grown = ringOf(north.accounts)(await ringReports());
    expect(grown).toHaveLength(1);
    expect(grown[0]!.subjectId).toBe(first!.subjectId);
    expect(grown[0]!.id).toBe(first!.id);
    expect(grown[0]!.accounts).toHaveLength(9);
    expect(grown[0]!.version).toBeGreaterThan(first!.version);
    northRing = grown[0]!;
  }, 120_000);

  it('answers an account its ring, and decides its orders for review on it; none for an honest viewer', async () => {
    const rings = harness.app.get(RingGraphRepository);
    expect(await rings.ringOf(north.accounts[0]!)).toEqual({ ringId: northRing.subjectId, members: 9, reported: true });
    expect(await rings.ringOf('fan-a-3')).toBeNull();

    // Decisions hear the ring's report within a second (account standings, STANDINGS_REFRESH_MS).
    const state = harness.app.get(DecisionState);
    await waitFor('the ring in its member\'s standing', () => state.standings.standing(north.accounts[0]!).ringId ?? undefined, { timeoutMs: 5_000 });
    // At the moment of an order: the ring's member goes to review for its ring, the honest viewer passes.
    const order = (accountId: string, n: number) => ({
      id: nextId('decide'), type: 'order.placed', roomId: 'room-b', streamId: 'st-b', ts: T0 + DAY + 30 * MINUTE + n, accountId,
      orderId: nextId('decided-order'), skuId: 'sku-plain', quantity: 1, unitPrice: 990, listPrice: 990, currency: 'CNY',
    });
    const member = await harness.request<{ decision: string; riskCodes: string[]; reasons: string[] }>('/v1/decisions', { method: 'POST', key: ingest, body: order(north.accounts[0]!, 1) });
    expect(member.body).toMatchObject({ decision: 'review', riskCodes: expect.arrayContaining(['ring_member']) });
    expect(member.body.reasons).toContain(`The account is a member of reported ring ${northRing.subjectId}.`);
    const honest = await harness.request<{ riskCodes: string[] }>('/v1/decisions', { method: 'POST', key: ingest, body: order('fan-a-3', 2) });
    expect(honest.body.riskCodes).not.toContain('ring_member');
  }, 120_000);

  it("draws the ring on its page, members and the identifiers they share, and shows each member's ring on its account page", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await signIn(page, harness.baseUrl, reviewer);
      await page.waitForSelector('#queue-rows tr');
      await page.goto(`${harness.baseUrl}/console/#/report/${northRing.id}`);
      await page.waitForSelector('#ring-graph[data-drawn="true"]');
      const graph = page.locator('#ring-graph');
      // Nine members, and hubs for the handsets, the wallet and the proxy network they share.
      expect(Number(await graph.getAttribute('data-nodes'))).toBeGreaterThan(9);
      expect(Number(await graph.getAttribute('data-edges'))).toBeGreaterThanOrEqual(9);
      expect(await graph.locator('canvas').count()).toBeGreaterThan(0);
      expect(await page.locator('#ring-members tbody tr').count()).toBe(9);
      expect(await page.locator('#ring-members tbody tr a').first().textContent()).toBe([...north.accounts].sort()[0]);
      expect((await page.locator('#verdict').textContent()) ?? '').toContain('9 accounts act as one operator');
      expect(await page.locator('.ring-legend li[data-kind="payment"]').count()).toBe(1);

      await page.goto(`${harness.baseUrl}/console/#/account/${encodeURIComponent(north.accounts[0]!)}`);
      await page.waitForSelector('#account-ring a');
      expect(await page.locator('#account-ring a').getAttribute('data-ring')).toBe(northRing.subjectId);
      await page.goto(`${harness.baseUrl}/console/#/account/fan-a-3`);
      await page.waitForSelector('#account-ring');
      expect(await page.locator('#account-ring a').count()).toBe(0);
      // No script error and no CSP refusal on the way (Cytoscape styles through the CSSOM).
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('merges two rings tied together into one report, the absorbed one pointing to the survivor', async () => {
    await send(recruit(south, 6, 'room-b', 'st-b', T0 + DAY + 20 * MINUTE));
    const southBefore = ringOf(south.accounts)(await ringReports());
    expect(southBefore).toHaveLength(1);
    expect(southBefore[0]!.subjectId).not.toBe(northRing.subjectId);

    // New north accounts sign up on the north's handsets, then order from the south's with its wallet, shipping to the north's drops: one operator after all.
    const bridge: Operator = { ...south, name: 'north', accounts: north.accounts };
    await send(recruit(bridge, 3, 'room-b', 'st-b', T0 + DAY + 40 * MINUTE, north));

    const reports = await ringReports();
    const survivor = reports.find((report) => evidenceOf(report).mergedInto === undefined && report.accounts.includes(south.accounts[0]!))!;
    const absorbed = reports.find((report) => evidenceOf(report).mergedInto !== undefined)!;
    expect(survivor.accounts).toEqual(expect.arrayContaining([...north.accounts, ...south.accounts]));
    expect(survivor.subjectId).toBe(northRing.subjectId);
    expect(evidenceOf(survivor).absorbed).toEqual([southBefore[0]!.subjectId]);
    expect(absorbed.subjectId).toBe(southBefore[0]!.subjectId);
    expect(evidenceOf(absorbed).mergedInto).toBe(survivor.subjectId);
    expect(reports.filter((report) => evidenceOf(report).mergedInto === undefined)).toHaveLength(1);
  }, 120_000);

  it('keeps a household on one router, address, tablet and card, and an office on one wifi shipping to its desk, clean', async () => {
    const household = ['home-mum', 'home-dad', 'home-gran', 'home-kid'];
    const office = Array.from({ length: 30 }, (_, i) => `desk-${i}`);
    const events: Event[] = [...stream('room-c', 'st-c', T0 + 2 * DAY)];
    household.forEach((accountId, i) => {
      const deviceId = i < 2 ? 'home-tablet' : `home-phone-${i}`;
      events.push({ id: nextId('join'), type: 'viewer.joined', roomId: 'room-c', streamId: 'st-c', ts: T0 + 2 * DAY + MINUTE + i * 1_000, accountId, deviceId, ip: '116.7.8.9' });
      events.push({
        id: nextId('order'), type: 'order.placed', roomId: 'room-c', streamId: 'st-c', ts: T0 + 2 * DAY + 5 * MINUTE + i * 1_000, accountId, deviceId, ip: '116.7.8.9', orderId: nextId('o'),
        skuId: 'sku-2', quantity: 1, unitPrice: 2_000, listPrice: 2_000, currency: 'CNY', paymentAccountHash: 'home-card', addressHash: 'home-address', recipientHash: `home-name-${i}`,
      });
    });
    office.forEach((accountId, i) => {
      events.push({ id: nextId('join'), type: 'viewer.joined', roomId: 'room-c', streamId: 'st-c', ts: T0 + 2 * DAY + 2 * MINUTE + i * 1_000, accountId, deviceId: `desk-phone-${i}`, ip: '61.8.9.10' });
      events.push({
        id: nextId('order'), type: 'order.placed', roomId: 'room-c', streamId: 'st-c', ts: T0 + 2 * DAY + 6 * MINUTE + i * 1_000, accountId, deviceId: `desk-phone-${i}`, ip: '61.8.9.10',
        orderId: nextId('o'), skuId: 'sku-2', quantity: 1, unitPrice: 2_000, listPrice: 2_000, currency: 'CNY', paymentAccountHash: `desk-card-${i}`, addressHash: 'office-tower', recipientHash: `desk-name-${i}`,
      });
    });
    await send(events);
    const named = (await ringReports()).filter((report) => report.accounts.some((account) => account.startsWith('home-') || account.startsWith('desk-')));
    expect(named).toEqual([]);
    // The family is linked (a candidate of household size), never reported.
    const family = await harness.app.get(RingGraphRepository).ringOf('home-mum');
    expect(family).toEqual({ ringId: expect.any(String), members: 4, reported: false });
    expect(await harness.app.get(RingGraphRepository).ringOf('desk-3')).toBeNull();
  }, 120_000);

  it('enforces a ring a reviewer confirms once, as one webhook naming every member', async () => {
    const [ring] = (await ringReports()).filter((report) => evidenceOf(report).mergedInto === undefined);
    const decided = await harness.request<ReportView>(`/v1/reports/${ring!.id}/decision`, { method: 'POST', key: reviewer, body: { decision: 'confirmed', version: ring!.version } });
    expect(decided.body.status).toBe('confirmed');
    await waitFor('the ring webhook', () => (receiver.calls.some((call) => call.report.id === ring!.id) ? true : undefined), { timeoutMs: 20_000 });
    await waitForBacklogZero(harness.baseUrl, { queuesIdle: true });
    const calls = receiver.calls.filter((call) => call.report.id === ring!.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.reason).toBe('confirmed');
    expect(calls[0]!.report.accounts).toEqual(ring!.accounts);
    const deliveries = await harness.request<{ items: DeliveryView[] }>(`/v1/deliveries?reportId=${ring!.id}`, { key: reviewer });
    expect(deliveries.body.items).toHaveLength(1);
  }, 120_000);

  it('keeps the ring and its id through a restart, and grows it after', async () => {
    const before = (await ringReports()).find((report) => evidenceOf(report).mergedInto === undefined)!;
    await harness.app.close();
    firstDatabase = harness.databaseUrl;
    const restarted = await startTestApp('rings', { ...ENV, DATABASE_URL: harness.databaseUrl, ENFORCEMENT_WEBHOOK_URL: webhook, ENFORCEMENT_WEBHOOK_SECRET: 'rings-webhook-secret-for-tests' });
    harness = restarted;
    const rings = harness.app.get(RingGraphRepository);
    expect((await rings.ringOf(north.accounts[0]!))?.ringId).toBe(before.subjectId);
    await send([...stream('room-d', 'st-d', T0 + 3 * DAY), ...recruit(north, 2, 'room-d', 'st-d', T0 + 3 * DAY + MINUTE)]);
    const after = (await ringReports()).filter((report) => evidenceOf(report).mergedInto === undefined);
    expect(after).toHaveLength(1);
    expect(after[0]!.subjectId).toBe(before.subjectId);
    expect(after[0]!.accounts).toHaveLength(before.accounts.length + 2);
  });
});
