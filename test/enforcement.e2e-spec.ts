import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Finding } from '../src/detection/engine/finding.js';
import { DeliveriesService } from '../src/enforcement/deliveries.service.js';
import type { DeliveryView } from '../src/enforcement/delivery.js';
import type { DeskReport, ReportView } from '../src/reports/report-view.js';
import { ReportsService } from '../src/reports/reports.service.js';
import { verifyWebhookSignature } from '../src/enforcement/webhook-signature.js';
import { waitFor } from './support/eventually.js';
import { testFinding } from './support/findings.js';
import { type ServiceStatus, waitForBacklogZero } from './support/status.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

const SECRET = 'enforcement-webhook-secret-for-tests';
/**
 * Fast retries for the suite; production defaults are seconds apart. The
 * outbox sweep runs when a test calls it (and at boot), never on its own
 * mid-test.
 */
const TEST_ENFORCEMENT_ENV = { ENFORCEMENT_ATTEMPTS: '3', ENFORCEMENT_BACKOFF_MS: '40', ENFORCEMENT_TIMEOUT_MS: '2000', ENFORCEMENT_SWEEP_MS: '3600000' };

/** Above the suite's auto-enforce threshold (0.9) unless a test says otherwise. */
const finding = (overrides: Partial<Finding> = {}): Finding => testFinding({ score: 0.95, severity: 'high', ...overrides });

interface ReceivedCall {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { deliveryId: string; reason: string; report: ReportView };
  answered: number | 'dropped';
}

/** The platform's enforcement endpoint: records every call and answers as the test says. */
class Receiver {
  readonly calls: ReceivedCall[] = [];
  /** Per delivery id: how to answer each successive call; missing entries answer 200. */
  readonly script = new Map<string, Array<number | 'drop'>>();
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(rawBody) as ReceivedCall['body'];
        const plan = this.script.get(body.deliveryId) ?? [];
        const answer = plan.shift() ?? 200;
        this.calls.push({ headers: request.headers, rawBody, body, answered: answer === 'drop' ? 'dropped' : answer });
        if (answer === 'drop') {
          request.socket.destroy();
          return;
        }
        response.writeHead(answer, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: answer < 300 }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/enforce`;
  }

  callsFor(deliveryId: string): ReceivedCall[] {
    return this.calls.filter((call) => call.body.deliveryId === deliveryId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('enforcement', () => {
  const receiver = new Receiver();
  let harness: TestApp;
  let reports: ReportsService;
  let reviewer: { id: string; key: string };

  beforeAll(async () => {
    const url = await receiver.start();
    harness = await startTestApp('enforcement', {
      ...TEST_ENFORCEMENT_ENV,
      ENFORCEMENT_WEBHOOK_URL: url,
      ENFORCEMENT_WEBHOOK_SECRET: SECRET,
      AUTO_ENFORCE_SCORE: '0.9',
    });
    reports = harness.app.get(ReportsService);
    reviewer = await harness.createKey('reviewer');
  });

  afterAll(async () => {
    await harness.close();
    await receiver.stop();
  });

  /** As the reviewer unless another key (or null: none) is given. */
  const api = <T = unknown>(path: string, init: { method?: string; body?: unknown; key?: string | null } = {}) =>
    harness.request<T>(path, { ...init, key: init.key === undefined ? reviewer.key : init.key });
  const admin = <T = unknown>(path: string, init: { method?: string; body?: unknown } = {}) =>
    api<T>(path, { ...init, key: TEST_ADMIN_KEY });

  /** The report as the contract shows it (the webhook carries that, without the desk's claim and createdAt). */
  async function reportFor(streamId: string): Promise<ReportView> {
    const page = await api<{ items: DeskReport[] }>(`/v1/reports?streamId=${streamId}`);
    expect(page.body.items).toHaveLength(1);
    const { claim: _claim, createdAt: _createdAt, ...report } = page.body.items[0]!;
    return report;
  }

  async function deliveriesOf(reportId: string): Promise<DeliveryView[]> {
    return (await api<{ items: DeliveryView[] }>(`/v1/deliveries?reportId=${reportId}`)).body.items;
  }

  async function settledDelivery(deliveryId: string, status: DeliveryView['status'] = 'delivered'): Promise<DeliveryView> {
    return waitFor(`delivery ${deliveryId} ${status}`, async () => {
      const view = await api<DeliveryView>(`/v1/deliveries/${deliveryId}`);
      if (view.status === 200 && view.body.status === status) return view.body;
      throw new Error(view.status === 200 ? `status ${view.body.status}, attempts ${view.body.attempts}` : `HTTP ${view.status}`);
    });
  }

  /**
   * Before asserting that nothing was sent: every first attempt done
   * (backlog 0) and no job left in the queue, so a send that should not
   * happen would have happened by now.
   */
  const quiet = (): Promise<ServiceStatus> => waitForBacklogZero(harness.baseUrl, { queuesIdle: true });

  it('delivers an auto-enforced report once, signed, with a delivery id per (report, version)', async () => {
    await reports.applyFindings([finding({ streamId: 'auto-1' })]);
    const report = await reportFor('auto-1');
    const deliveryId = `${report.id}-v1`;
    const delivery = await settledDelivery(deliveryId);
    expect(delivery).toMatchObject({ reportId: report.id, reportVersion: 1, reason: 'auto', attempts: 1, responseStatus: 200 });

    const [call] = receiver.callsFor(deliveryId);
    expect(call!.headers['x-roomwatch-delivery']).toBe(deliveryId);
    expect(call!.headers['content-type']).toBe('application/json');
    expect(verifyWebhookSignature(SECRET, call!.rawBody, call!.headers['x-roomwatch-signature'] as string)).toBe(true);
    expect(verifyWebhookSignature('some-other-secret-entirely', call!.rawBody, call!.headers['x-roomwatch-signature'] as string)).toBe(false);
    expect(call!.body).toEqual({ deliveryId, reason: 'auto', report });

    // The same findings again change nothing and send nothing.
    await reports.applyFindings([finding({ streamId: 'auto-1' })]);
    await quiet();
    expect(receiver.callsFor(deliveryId)).toHaveLength(1);
    expect(await deliveriesOf(report.id)).toHaveLength(1);

    // Grown evidence is a new version and a new delivery.
    await reports.applyFindings([finding({ streamId: 'auto-1', evidence: { displayedPeak: 9000, joins: 320 } })]);
    await settledDelivery(`${report.id}-v2`);
    expect(receiver.callsFor(`${report.id}-v2`)[0]!.body.report).toMatchObject({ version: 2, evidence: { displayedPeak: 9000 } });
  });

  it('does not enforce below the threshold until a reviewer confirms', async () => {
    await reports.applyFindings([finding({ streamId: 'below-1', score: 0.89 })]);
    const report = await reportFor('below-1');
    await quiet();
    expect(await deliveriesOf(report.id)).toEqual([]);

    const confirmed = await api<ReportView>(`/v1/reports/${report.id}/decision`, {
      method: 'POST',
      body: { decision: 'confirmed', version: 1 },
    });
    expect(confirmed.body.version).toBe(2);
    const delivery = await settledDelivery(`${report.id}-v2`);
    expect(delivery.reason).toBe('confirmed');
    expect(receiver.callsFor(`${report.id}-v2`)[0]!.body.report).toMatchObject({ status: 'confirmed', version: 2 });
  });

  it('retries a receiver that fails twice and counts exactly one accepted delivery', async () => {
    // Below the threshold first, so the report id is known before its first enforceable version.
    await reports.applyFindings([finding({ streamId: 'flaky-1', score: 0.5 })]);
    const report = await reportFor('flaky-1');
    receiver.script.set(`${report.id}-v2`, [503, 'drop', 200]);
    await reports.applyFindings([finding({ streamId: 'flaky-1', score: 0.97 })]);
    const delivery = await settledDelivery(`${report.id}-v2`);
    const calls = receiver.callsFor(`${report.id}-v2`);
    expect(calls.map((call) => call.answered)).toEqual([503, 'dropped', 200]);
    expect(calls.filter((call) => call.answered === 200)).toHaveLength(1);
    expect(new Set(calls.map((call) => call.headers['x-roomwatch-delivery']))).toEqual(new Set([`${report.id}-v2`]));
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    await quiet();
    expect(receiver.callsFor(`${report.id}-v2`)).toHaveLength(3);
  });

  it('leaves a delivery failed when the receiver stays down, lists it, and sends it on a retry call', async () => {
    await reports.applyFindings([finding({ streamId: 'down-0', score: 0.5 })]);
    const report = await reportFor('down-0');
    const deliveryId = `${report.id}-v2`;
    receiver.script.set(deliveryId, ['drop', 'drop', 'drop']);
    await reports.applyFindings([finding({ streamId: 'down-0', score: 0.99 })]);

    const failed = await settledDelivery(deliveryId, 'failed');
    expect(failed).toMatchObject({ attempts: 3, manualRetries: 0, lastError: expect.any(String) });
    expect(receiver.callsFor(deliveryId)).toHaveLength(3);
    const listed = await api<{ items: DeliveryView[] }>('/v1/deliveries?status=failed');
    expect(listed.body.items.map((item) => item.id)).toContain(deliveryId);
    const adminListed = await admin<{ items: DeliveryView[] }>('/v1/deliveries?status=failed');
    expect(adminListed.body.items.map((item) => item.id)).toContain(deliveryId);
    const status = await api<{ components: { enforcement: { failedDeliveries: number } } }>('/v1/status', { key: null });
    expect(status.body.components.enforcement.failedDeliveries).toBeGreaterThanOrEqual(1);

    const retried = await api<DeliveryView>(`/v1/deliveries/${deliveryId}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: 'pending', manualRetries: 1 });
    const delivered = await settledDelivery(deliveryId);
    expect(delivered).toMatchObject({ attempts: 4, responseStatus: 200 });
    expect(receiver.callsFor(deliveryId).map((call) => call.answered)).toEqual(['dropped', 'dropped', 'dropped', 200]);

    const again = await api<{ message: string }>(`/v1/deliveries/${deliveryId}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/is delivered; only a failed delivery can be retried/);
    expect((await api(`/v1/deliveries/not-a-delivery/retry`, { method: 'POST' })).status).toBe(400);
    expect((await api(`/v1/deliveries/00000000-0000-4000-8000-000000000000-v1/retry`, { method: 'POST' })).status).toBe(404);
    const merchant = await harness.createKey('merchant', 'm-1');
    expect((await api('/v1/deliveries', { key: merchant.key })).status).toBe(403);
  });

  it('does not send a version that a newer enforceable version superseded', async () => {
    await reports.applyFindings([finding({ streamId: 'super-1', score: 0.5 })]);
    const report = await reportFor('super-1');
    receiver.script.set(`${report.id}-v2`, ['drop', 'drop', 'drop']);
    await reports.applyFindings([finding({ streamId: 'super-1', score: 0.95 })]);
    await settledDelivery(`${report.id}-v2`, 'failed');
    await reports.applyFindings([finding({ streamId: 'super-1', score: 0.99 })]);
    await settledDelivery(`${report.id}-v3`);

    expect((await api(`/v1/deliveries/${report.id}-v2/retry`, { method: 'POST' })).status).toBe(202);
    const superseded = await settledDelivery(`${report.id}-v2`, 'superseded');
    expect(superseded.lastError).toBe('superseded by version 3');
    expect(receiver.callsFor(`${report.id}-v2`)).toHaveLength(3);
    expect(receiver.callsFor(`${report.id}-v3`)).toHaveLength(1);
  });

  it('withdraws a queued delivery whose report was dismissed or whose subject was allow-listed since', async () => {
    await reports.applyFindings([
      finding({ subjectId: 'late-room-1', roomId: 'late-room-1', streamId: 'late-1', score: 0.5 }),
      finding({ subjectId: 'late-room-2', roomId: 'late-room-2', streamId: 'late-2', score: 0.5 }),
    ]);
    const [dismissedLater, allowListedLater] = await Promise.all(['late-1', 'late-2'].map(reportFor));
    for (const report of [dismissedLater!, allowListedLater!]) receiver.script.set(`${report.id}-v2`, ['drop', 'drop', 'drop']);
    await reports.applyFindings([
      finding({ subjectId: 'late-room-1', roomId: 'late-room-1', streamId: 'late-1', score: 0.95 }),
      finding({ subjectId: 'late-room-2', roomId: 'late-room-2', streamId: 'late-2', score: 0.95 }),
    ]);
    await settledDelivery(`${dismissedLater!.id}-v2`, 'failed');
    await settledDelivery(`${allowListedLater!.id}-v2`, 'failed');

    await api(`/v1/reports/${dismissedLater!.id}/decision`, { method: 'POST', body: { decision: 'dismissed', version: 2 } });
    const entry = await admin<{ id: string }>('/v1/policy/allow-list', {
      method: 'POST',
      body: { subjectType: 'room', subjectId: 'late-room-2', reason: 'platform test room' },
    });
    for (const report of [dismissedLater!, allowListedLater!]) {
      expect((await api(`/v1/deliveries/${report.id}-v2/retry`, { method: 'POST' })).status).toBe(202);
    }
    expect(await settledDelivery(`${dismissedLater!.id}-v2`, 'skipped')).toMatchObject({
      lastError: 'the report was dismissed after it was queued',
    });
    expect(await settledDelivery(`${allowListedLater!.id}-v2`, 'skipped')).toMatchObject({
      lastError: 'the subject was allow-listed after it was queued',
    });
    expect(receiver.callsFor(`${dismissedLater!.id}-v2`)).toHaveLength(3);
    expect(receiver.callsFor(`${allowListedLater!.id}-v2`)).toHaveLength(3);
    expect((await admin(`/v1/policy/allow-list/${entry.body.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('never sends a (report, version) again once acknowledged', async () => {
    await reports.applyFindings([finding({ streamId: 'once-1' })]);
    const report = await reportFor('once-1');
    const deliveryId = `${report.id}-v1`;
    await settledDelivery(deliveryId);
    const deliveries = harness.app.get(DeliveriesService);
    // A duplicate job, a stale worker, a sweep: none of them sends it again.
    expect(await deliveries.deliver(deliveryId, false)).toBe('already-settled');
    expect(await deliveries.deliver(deliveryId, true)).toBe('already-settled');
    await harness.query(`UPDATE deliveries SET updated_at = now() - interval '1 minute' WHERE id = $1`, [deliveryId]);
    await deliveries.sweep();
    await quiet();
    expect(receiver.callsFor(deliveryId)).toHaveLength(1);
  });

  it('recovers a delivery whose enqueue was lost in a crash', async () => {
    // A report below the threshold, then an outbox row as if the process died before enqueueing it.
    await reports.applyFindings([finding({ streamId: 'crash-1', score: 0.4 })]);
    const report = await reportFor('crash-1');
    const deliveryId = `${report.id}-v1`;
    await harness.query(
      `INSERT INTO deliveries (id, report_id, report_version, reason, report, created_at, updated_at)
       VALUES ($1, $2, 1, 'auto', $3, now() - interval '1 minute', now() - interval '1 minute')`,
      [deliveryId, report.id, JSON.stringify(report)],
    );
    // Nothing would ever send it: it counts as a first attempt still to make, with no job in the queue.
    const orphaned = await api<{ backlog: number; components: { enforcement: Record<string, number> } }>('/v1/status', { key: null });
    expect(orphaned.body.components.enforcement).toMatchObject({ backlog: 1, firstAttempts: 1, waiting: 0, active: 0, delayed: 0 });
    expect(receiver.callsFor(deliveryId)).toHaveLength(0);
    expect(await harness.app.get(DeliveriesService).sweep()).toBe(1);
    await settledDelivery(deliveryId);
    expect(receiver.callsFor(deliveryId)).toHaveLength(1);
  });

  describe('policy', () => {
    it('never auto-enforces allow-listed accounts or rooms, while a reviewer confirmation still does', async () => {
      const staff = await admin<{ id: string }>('/v1/policy/allow-list', {
        method: 'POST',
        body: { subjectType: 'account', subjectId: 'acct-staff', reason: 'room moderator' },
      });
      expect(staff.status).toBe(201);
      expect(staff.body).toMatchObject({ subjectType: 'account', subjectId: 'acct-staff', reason: 'room moderator', expiresAt: null, active: true });
      await admin('/v1/policy/allow-list', { method: 'POST', body: { subjectType: 'room', subjectId: 'partner-room' } });
      // An expired entry protects nobody.
      await admin('/v1/policy/allow-list', {
        method: 'POST',
        body: { subjectType: 'account', subjectId: 'acct-former-staff', expiresAt: '2020-01-01T00:00:00Z' },
      });

      await reports.applyFindings([
        finding({ kind: 'refund_brushing', subjectType: 'account', subjectId: 'acct-staff', accounts: ['acct-staff'], streamId: 'allow-1', score: 0.99 }),
        finding({ subjectId: 'room-9', roomId: 'room-9', accounts: ['acct-a', 'acct-staff'], streamId: 'allow-2', score: 0.99 }),
        finding({ subjectId: 'partner-room', roomId: 'partner-room', streamId: 'allow-3', score: 0.99 }),
        finding({ kind: 'refund_brushing', subjectType: 'account', subjectId: 'acct-former-staff', accounts: ['acct-former-staff'], streamId: 'allow-4', score: 0.99 }),
      ]);
      const held = await Promise.all(['allow-1', 'allow-2', 'allow-3'].map(reportFor));
      const expired = await reportFor('allow-4');
      await settledDelivery(`${expired.id}-v1`);
      await reports.applyFindings([
        finding({ kind: 'refund_brushing', subjectType: 'account', subjectId: 'acct-staff', accounts: ['acct-staff'], streamId: 'allow-1', score: 1 }),
      ]);
      await quiet();
      for (const report of held) expect(await deliveriesOf(report.id)).toEqual([]);
      expect(receiver.calls.filter((call) => held.some((report) => report.id === call.body.report.id))).toEqual([]);

      const account = await reportFor('allow-1');
      const confirmed = await api<ReportView>(`/v1/reports/${account.id}/decision`, {
        method: 'POST',
        body: { decision: 'confirmed', version: account.version, note: 'moderator was brushing' },
      });
      expect(confirmed.status).toBe(200);
      expect(await settledDelivery(`${account.id}-v${confirmed.body.version}`)).toMatchObject({ reason: 'confirmed' });

      const removed = await admin(`/v1/policy/allow-list/${staff.body.id}`, { method: 'DELETE' });
      expect(removed.status).toBe(204);
      expect((await admin(`/v1/policy/allow-list/${staff.body.id}`, { method: 'DELETE' })).status).toBe(404);
      const list = await admin<{ items: Array<{ subjectId: string; active: boolean }> }>('/v1/policy/allow-list');
      expect(list.body.items.map((item) => [item.subjectId, item.active]).sort()).toEqual([
        ['acct-former-staff', false],
        ['partner-room', true],
      ]);
    });

    it('applies a per-kind threshold and severity bands, and audits every change', async () => {
      expect((await admin<{ effectiveAutoEnforceScore: number }>('/v1/policy/thresholds/scripted_comments')).body).toMatchObject({
        kind: 'scripted_comments',
        autoEnforceScore: null,
        effectiveAutoEnforceScore: 0.9,
        severityBands: null,
      });
      const put = await admin('/v1/policy/thresholds/scripted_comments', {
        method: 'PUT',
        body: { autoEnforceScore: 0.6, severityBands: { medium: 0.3, high: 0.65 } },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ autoEnforceScore: 0.6, effectiveAutoEnforceScore: 0.6, severityBands: { medium: 0.3, high: 0.65 }, active: true });

      await reports.applyFindings([
        finding({ kind: 'scripted_comments', streamId: 'policy-1', score: 0.62, severity: 'low' }),
        finding({ kind: 'scripted_comments', streamId: 'policy-2', score: 0.7, severity: 'low' }),
        finding({ kind: 'scripted_comments', streamId: 'policy-3', score: 0.2, severity: 'high' }),
        finding({ kind: 'injected_viewers', streamId: 'policy-4', score: 0.62, severity: 'low' }),
      ]);
      const [medium, high, low, otherKind] = await Promise.all(['policy-1', 'policy-2', 'policy-3', 'policy-4'].map(reportFor));
      expect([medium!.severity, high!.severity, low!.severity, otherKind!.severity]).toEqual(['medium', 'high', 'low', 'low']);
      await settledDelivery(`${medium!.id}-v1`);
      await settledDelivery(`${high!.id}-v1`);
      await quiet();
      expect(await deliveriesOf(low!.id)).toEqual([]);
      expect(await deliveriesOf(otherKind!.id)).toEqual([]);

      const invalid = await admin<{ message: string }>('/v1/policy/thresholds/scripted_comments', {
        method: 'PUT',
        body: { severityBands: { medium: 0.8, high: 0.5 } },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toMatch(/^severityBands\.medium: /);
      expect((await admin<{ message: string }>('/v1/policy/thresholds/telepathy')).body.message).toMatch(/^kind: must be one of/);
      expect((await api('/v1/policy/thresholds/scripted_comments')).status).toBe(401);

      const audit = await admin<{ items: Array<{ actor: string; action: string; target: string; before: unknown; after: unknown }> }>(
        '/v1/policy/audit',
      );
      const thresholdChange = audit.body.items.find((item) => item.target === 'scripted_comments');
      expect(thresholdChange).toMatchObject({
        actor: 'admin',
        action: 'threshold.put',
        before: null,
        after: { autoEnforceScore: 0.6, severityBands: { medium: 0.3, high: 0.65 } },
      });
      expect(audit.body.items.filter((item) => item.target === 'account:acct-staff').map((item) => item.action)).toEqual([
        'allow-list.delete',
        'allow-list.put',
      ]);
      expect(audit.body.items.find((item) => item.action === 'allow-list.delete' && item.target === 'account:acct-staff')).toMatchObject({
        before: { reason: 'room moderator', active: true },
        after: null,
      });
    });
  });

  describe('with the receiver down and retries minutes apart', () => {
    let down: TestApp;

    beforeAll(async () => {
      // A port nobody listens on: every attempt fails at once with ECONNREFUSED.
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      down = await startTestApp('enforcement_down', {
        ENFORCEMENT_ATTEMPTS: '5',
        ENFORCEMENT_BACKOFF_MS: '600000',
        ENFORCEMENT_WEBHOOK_URL: `http://127.0.0.1:${port}/enforce`,
        ENFORCEMENT_WEBHOOK_SECRET: SECRET,
        AUTO_ENFORCE_SCORE: '0.9',
      });
    });

    afterAll(async () => {
      await down.close();
    });

    it('reaches backlog 0 while a delivery waits to retry, and shows it under components.enforcement', async () => {
      await down.app.get(ReportsService).applyFindings([finding({ streamId: 'receiver-down-1' })]);
      type Status = { backlog: number; components: { enforcement: Record<string, number> } };
      const status = await waitFor(
        'one delivery retrying against the receiver that is down',
        async () => {
          const response = await down.request<Status>('/v1/status');
          if (response.body.components.enforcement.retrying === 1) return response.body;
          throw new Error(`enforcement ${JSON.stringify(response.body.components.enforcement)}`);
        },
        { timeoutMs: 15_000 },
      );
      expect(status.backlog).toBe(0);
      expect(status.components.enforcement).toMatchObject({ backlog: 0, firstAttempts: 0, retrying: 1, failedDeliveries: 0 });
      const reviewerKey = (await down.createKey('reviewer')).key;
      const listed = await down.request<{ items: DeliveryView[] }>('/v1/deliveries?status=pending', { key: reviewerKey });
      expect(listed.body.items).toHaveLength(1);
      expect(listed.body.items[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('fetch failed') });
    });
  });

  it('counts its queue in /v1/status and settles to no backlog', async () => {
    const status = await waitForBacklogZero(harness.baseUrl);
    expect(status.components.enforcement).toMatchObject({ backlog: 0, firstAttempts: 0, waiting: 0, active: 0, delayed: 0 });
    expect((await harness.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`)).rows[0]!.n).toBe(0);
  });
});
