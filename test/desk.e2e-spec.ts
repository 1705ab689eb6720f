import pg from 'pg';
import type { AccountProfile } from '../src/console/account-profile.service.js';
import type { Finding } from '../src/detection/engine/finding.js';
import { priorityOf } from '../src/reports/queue-priority.js';
import type { DeskReport } from '../src/reports/report-view.js';
import { ReportsService } from '../src/reports/reports.service.js';
import type { ReportDecisionView } from '../src/reports/report-view.js';
import type { BulkDecisionResult } from '../src/reports/review-desk.service.js';
import { waitForBacklogZero } from './support/status.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

/**
 * The reviewer's desk (issue 17): claims, their lapse and the 409 naming the
 * holder, release, bulk decisions with each item's own outcome and audit
 * row, the decision trail, the server-side priority order, the desk's
 * filters and searches, and the account page.
 */

const T0 = 1_764_000_000_000;
/** Short, so a lapse is seen within the test; the default is 15 min. */
const CLAIM_TTL_MS = 2_000;

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'injected_viewers',
    subjectType: 'room',
    subjectId: 'room-1',
    roomId: 'room-1',
    streamId: 'stream-1',
    score: 0.6,
    severity: 'medium',
    summary: 'Displayed viewers rose in fixed steps.',
    accounts: ['acct-a', 'acct-b'],
    evidence: { steps: 5 },
    detectedAt: T0,
    ...overrides,
  };
}

describe('review desk', () => {
  let harness: TestApp;
  let reports: ReportsService;
  let lin: { id: string; key: string };
  let ada: { id: string; key: string };
  let db: pg.Client;

  beforeAll(async () => {
    harness = await startTestApp('desk', { REVIEW_CLAIM_TTL_MS: String(CLAIM_TTL_MS) });
    reports = harness.app.get(ReportsService);
    const named = async (name: string) => {
      const response = await harness.request<{ id: string; key: string; name: string }>('/v1/api-keys', { method: 'POST', body: { role: 'reviewer', name }, key: TEST_ADMIN_KEY });
      expect([response.status, response.body.name]).toEqual([201, name]);
      return response.body;
    };
    lin = await named('Lin');
    ada = await named('Ada');
    db = new pg.Client({ connectionString: harness.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await harness?.close();
  });

  const as = <T = unknown>(who: { key: string }, path: string, init: { method?: string; body?: unknown } = {}) => harness.request<T>(path, { ...init, key: who.key });

  async function reportOn(streamId: string, overrides: Partial<Finding> = {}): Promise<DeskReport> {
    await reports.applyFindings([finding({ streamId, ...overrides })]);
    const page = await as<{ items: DeskReport[] }>(lin, `/v1/reports?streamId=${streamId}`);
    expect(page.body.items).toHaveLength(1);
    return page.body.items[0]!;
  }

  describe('claims', () => {
    it("shows who works a report, answers a second reviewer's claim and decision with 409 naming the holder, and lets the holder decide", async () => {
      const report = await reportOn('claim-1');
      expect(report.claim).toBeNull();

      const claimed = await as<DeskReport>(lin, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      expect(claimed.status).toBe(200);
      expect(claimed.body.claim).toMatchObject({ reviewerKeyId: lin.id, reviewer: 'Lin' });
      const { claimedAt, expiresAt } = claimed.body.claim!;
      expect(Date.parse(expiresAt) - Date.parse(claimedAt)).toBe(CLAIM_TTL_MS);
      expect((await as<DeskReport>(ada, `/v1/reports/${report.id}`)).body.claim?.reviewer).toBe('Lin');
      const listed = await as<{ items: DeskReport[] }>(ada, `/v1/reports?streamId=claim-1`);
      expect(listed.body.items[0]!.claim?.reviewer).toBe('Lin');

      const second = await as<{ message: string }>(ada, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      expect(second.status).toBe(409);
      expect(second.body.message).toMatch(/^claim: the report is claimed by Lin until /);
      const decidedByOther = await as<{ message: string }>(ada, `/v1/reports/${report.id}/decision`, { method: 'POST', body: { decision: 'dismissed', version: report.version } });
      expect(decidedByOther.status).toBe(409);
      expect(decidedByOther.body.message).toContain('claimed by Lin');
      expect((await as<DeskReport>(lin, `/v1/reports/${report.id}`)).body).toMatchObject({ status: 'open', version: report.version });

      const decided = await as<DeskReport>(lin, `/v1/reports/${report.id}/decision`, { method: 'POST', body: { decision: 'confirmed', note: 'farm', version: report.version } });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'confirmed', version: report.version + 1, claim: null });
      const trail = await as<{ items: ReportDecisionView[] }>(ada, `/v1/reports/${report.id}/decisions`);
      expect(trail.body.items).toEqual([
        expect.objectContaining({ decision: 'confirmed', note: 'farm', version: report.version, reviewerKeyId: lin.id, reviewer: 'Lin', bulkId: null }),
      ]);
    });

    it('lets a claim lapse after the configured time, so another reviewer can take it', async () => {
      const report = await reportOn('claim-lapse');
      const first = await as<DeskReport>(lin, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      expect((await as(ada, `/v1/reports/${report.id}/claim`, { method: 'POST' })).status).toBe(409);
      // Past the expiry by the database's clock (the one the claim was written with).
      const lapse = Date.parse(first.body.claim!.expiresAt) - Date.parse(first.body.claim!.claimedAt) + 200;
      await new Promise((resolve) => setTimeout(resolve, lapse));
      expect((await as<DeskReport>(ada, `/v1/reports/${report.id}`)).body.claim).toBeNull();
      const taken = await as<DeskReport>(ada, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      expect(taken.status).toBe(200);
      expect(taken.body.claim).toMatchObject({ reviewer: 'Ada', reviewerKeyId: ada.id });
      expect(Date.parse(taken.body.claim!.claimedAt)).toBeGreaterThan(Date.parse(first.body.claim!.claimedAt));
      expect((await as<{ message: string }>(lin, `/v1/reports/${report.id}/claim`, { method: 'POST' })).body.message).toContain('claimed by Ada');
    });

    it('renews its own claim and releases it; a release of another reviewer\'s claim is 409', async () => {
      const report = await reportOn('claim-release');
      const first = await as<DeskReport>(lin, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      const renewed = await as<DeskReport>(lin, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      expect(renewed.body.claim!.claimedAt).toBe(first.body.claim!.claimedAt);
      expect(Date.parse(renewed.body.claim!.expiresAt)).toBeGreaterThanOrEqual(Date.parse(first.body.claim!.expiresAt));
      const foreign = await as<{ message: string }>(ada, `/v1/reports/${report.id}/claim`, { method: 'DELETE' });
      expect([foreign.status, foreign.body.message]).toEqual([409, expect.stringContaining('claimed by Lin')]);
      expect((await as(lin, `/v1/reports/${report.id}/claim`, { method: 'DELETE' })).status).toBe(204);
      expect((await as<DeskReport>(ada, `/v1/reports/${report.id}`)).body.claim).toBeNull();
      expect((await as(lin, `/v1/reports/${report.id}/claim`, { method: 'DELETE' })).status).toBe(204);
      expect((await as(lin, `/v1/reports/00000000-0000-4000-8000-000000000000/claim`, { method: 'POST' })).status).toBe(404);
    });

    it('pushes claims to the /reviews feed without a new version', async () => {
      const report = await reportOn('claim-push');
      const socket = await harness.connect('/reviews', ada.key);
      const pushed = new Promise<DeskReport>((resolve) => socket.on('report.claim', (pushedReport: DeskReport) => pushedReport.id === report.id && resolve(pushedReport)));
      await as(lin, `/v1/reports/${report.id}/claim`, { method: 'POST' });
      const seen = await pushed;
      expect(seen).toMatchObject({ id: report.id, version: report.version, claim: { reviewer: 'Lin' } });
    });
  });

  describe('bulk decisions', () => {
    it("decides a selection with one note, each item on its own version with its own outcome and audit row", async () => {
      const fresh = await reportOn('bulk-1', { subjectType: 'account', subjectId: 'bulk-a', accounts: ['bulk-a'] });
      const stale = await reportOn('bulk-2', { subjectType: 'account', subjectId: 'bulk-b', accounts: ['bulk-b'] });
      const held = await reportOn('bulk-3', { subjectType: 'account', subjectId: 'bulk-c', accounts: ['bulk-c'] });
      await reports.applyFindings([finding({ streamId: 'bulk-2', subjectType: 'account', subjectId: 'bulk-b', accounts: ['bulk-b'], score: 0.7 })]);
      await as(ada, `/v1/reports/${held.id}/claim`, { method: 'POST' });
      const missing = '00000000-0000-4000-8000-000000000001';

      const answer = await as<BulkDecisionResult>(lin, '/v1/reports/bulk-decision', {
        method: 'POST',
        body: {
          decision: 'confirmed',
          note: 'one farm: shared handsets',
          items: [fresh, stale, held, { id: missing, version: 1 }].map((report) => ({ id: report.id, version: report.version })),
        },
      });
      expect(answer.status).toBe(200);
      const { bulkId, items } = answer.body;
      expect([answer.body.decided, answer.body.refused]).toEqual([1, 3]);
      expect(items.map((item) => [item.id, item.status])).toEqual([[fresh.id, 200], [stale.id, 409], [held.id, 409], [missing, 404]]);
      expect(items[0]!.report).toMatchObject({ status: 'confirmed', version: fresh.version + 1 });
      expect(items[1]!.error).toMatch(/^version: the report is at version 2, not 1/);
      expect(items[2]!.error).toContain('claimed by Ada');

      const trail = await as<{ items: ReportDecisionView[] }>(lin, `/v1/reports/${fresh.id}/decisions`);
      expect(trail.body.items).toEqual([expect.objectContaining({ decision: 'confirmed', note: 'one farm: shared handsets', reviewer: 'Lin', bulkId })]);
      expect((await as<{ items: ReportDecisionView[] }>(lin, `/v1/reports/${stale.id}/decisions`)).body.items).toEqual([]);
      const rows = await db.query<{ count: string }>('SELECT count(*) FROM report_decisions WHERE bulk_id = $1', [bulkId]);
      expect(Number(rows.rows[0]!.count)).toBe(1);
      // The confirmation was queued for enforcement like a single one.
      const deliveries = await as<{ items: Array<{ reportId: string; reason: string }> }>(lin, `/v1/deliveries?reportId=${fresh.id}`);
      expect(deliveries.body.items.map((delivery) => delivery.reason)).toEqual(['confirmed']);
    });

    it("decides a cohort's open account reports, or the accounts a room report names, as one group", async () => {
      const cohort = { group: 'device:dev-9', kind: 'device', members: 3, signals: ['sharedInfrastructure'] };
      const other = { group: 'subnet:10.9.9.0/24', kind: 'subnet', members: 2, signals: ['sharedInfrastructure'] };
      await reports.applyFindings([
        finding({ streamId: 'group-1', subjectType: 'account', subjectId: 'g-a', accounts: ['g-a'], evidence: { cohorts: [cohort] } }),
        finding({ streamId: 'group-1', subjectType: 'account', subjectId: 'g-b', accounts: ['g-b'], evidence: { cohorts: [cohort, other] } }),
        finding({ streamId: 'group-1', subjectType: 'account', subjectId: 'g-c', accounts: ['g-c'], evidence: { cohorts: [other] } }),
        // The same cohort name in another stream is another cohort.
        finding({ streamId: 'group-2', subjectType: 'account', subjectId: 'g-d', accounts: ['g-d'], evidence: { cohorts: [cohort] } }),
        finding({ streamId: 'group-1', subjectType: 'room', subjectId: 'room-g', accounts: ['g-a', 'g-b', 'g-c'], evidence: {} }),
      ]);
      const page = await as<{ items: DeskReport[] }>(lin, '/v1/reports?streamId=group-1&limit=50');
      const bySubject = new Map(page.body.items.map((report) => [report.subjectId, report]));
      const body = { decision: 'confirmed', note: 'one device farm', group: { cohort: { streamId: 'group-1', kind: 'injected_viewers', group: cohort.group } } };

      const preview = await as<BulkDecisionResult>(lin, '/v1/reports/bulk-decision', { method: 'POST', body: { ...body, dryRun: true } });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ dryRun: true, bulkId: null, decided: 0 });
      expect(preview.body.items.map((item) => item.id).sort()).toEqual([bySubject.get('g-a')!.id, bySubject.get('g-b')!.id].sort());
      expect((await as<DeskReport>(lin, `/v1/reports/${bySubject.get('g-a')!.id}`)).body.status).toBe('open');

      const decided = await as<BulkDecisionResult>(lin, '/v1/reports/bulk-decision', { method: 'POST', body });
      expect([decided.status, decided.body.decided, decided.body.refused]).toEqual([200, 2, 0]);
      const trail = await as<{ items: ReportDecisionView[] }>(lin, `/v1/reports/${bySubject.get('g-b')!.id}/decisions`);
      expect(trail.body.items).toEqual([expect.objectContaining({ decision: 'confirmed', note: 'one device farm', bulkId: decided.body.bulkId })]);
      // Decided reports leave the group: a second pass finds nothing open.
      const again = await as<BulkDecisionResult>(lin, '/v1/reports/bulk-decision', { method: 'POST', body });
      expect(again.body.decided).toBe(0);

      // The room report names g-a, g-b and g-c: only g-c is still open.
      const room = bySubject.get('room-g')!;
      const named = await as<BulkDecisionResult>(lin, '/v1/reports/bulk-decision', { method: 'POST', body: { decision: 'confirmed', group: { namedBy: room.id } } });
      expect(named.body.items.map((item) => item.id)).toEqual([bySubject.get('g-c')!.id]);
      const elsewhere = await as<{ items: DeskReport[] }>(lin, '/v1/reports?streamId=group-2');
      expect(elsewhere.body.items[0]!.status).toBe('open');
    });

    it('refuses a group and items together, an unknown cohort kind, and a group naming no report, by field', async () => {
      const report = await reportOn('group-bad');
      const both = await as<{ message: string }>(lin, '/v1/reports/bulk-decision', {
        method: 'POST',
        body: { decision: 'dismissed', items: [{ id: report.id, version: 1 }], group: { namedBy: report.id } },
      });
      expect([both.status, both.body.message]).toEqual([400, 'items: must name either the reports or a group of them, not both']);
      const kind = await as<{ message: string }>(lin, '/v1/reports/bulk-decision', {
        method: 'POST',
        body: { decision: 'dismissed', group: { cohort: { streamId: 's', kind: 'refund_brushing', group: 'x' } } },
      });
      expect(kind.status).toBe(400);
      expect(kind.body.message).toMatch(/^group/);
      const missing = await as<{ message: string }>(lin, '/v1/reports/bulk-decision', {
        method: 'POST',
        body: { decision: 'dismissed', group: { namedBy: '00000000-0000-4000-8000-000000000002' } },
      });
      expect([missing.status, missing.body.message]).toEqual([404, 'group.namedBy: report 00000000-0000-4000-8000-000000000002 not found']);
    });

    it('refuses a bulk body naming a report twice, or none, by field', async () => {
      const report = await reportOn('bulk-bad');
      const twice = await as<{ message: string }>(lin, '/v1/reports/bulk-decision', { method: 'POST', body: { decision: 'dismissed', items: [{ id: report.id, version: 1 }, { id: report.id, version: 1 }] } });
      expect([twice.status, twice.body.message]).toEqual([400, 'items: must name each report once']);
      const none = await as<{ message: string }>(lin, '/v1/reports/bulk-decision', { method: 'POST', body: { decision: 'dismissed', items: [] } });
      expect([none.status, none.body.message]).toEqual([400, 'items: must hold 1 to 200 reports']);
    });
  });

  describe('queue', () => {
    const PRIORITY_STREAM = 'prio';
    it('orders every matching report by priority on the server, stable across pages', async () => {
      const shapes: Array<Partial<Finding>> = [
        { kind: 'injected_viewers', severity: 'low', score: 0.3, subjectType: 'account', subjectId: 'p-1', accounts: ['p-1'] },
        { kind: 'refund_brushing', severity: 'high', score: 0.95, subjectType: 'room', subjectId: 'room-p' },
        { kind: 'scripted_comments', severity: 'medium', score: 0.7, subjectType: 'room', subjectId: 'room-p' },
        { kind: 'injected_viewers', severity: 'high', score: 0.8, subjectType: 'account', subjectId: 'p-2', accounts: ['p-2'] },
        { kind: 'inflated_gmv', severity: 'medium', score: 0.5, subjectType: 'room', subjectId: 'room-p' },
        { kind: 'injected_viewers', severity: 'high', score: 0.8, subjectType: 'room', subjectId: 'room-p' },
        { kind: 'scripted_comments', severity: 'low', score: 0.9, subjectType: 'account', subjectId: 'p-3', accounts: ['p-3'] },
      ];
      await reports.applyFindings(shapes.map((shape) => finding({ streamId: PRIORITY_STREAM, roomId: 'room-p', ...shape })));
      // One report waited a day: its age lifts it by a band's worth.
      await db.query(`UPDATE reports SET created_at = now() - interval '30 hours' WHERE stream_id = $1 AND subject_id = 'p-3'`, [PRIORITY_STREAM]);

      const all = await as<{ items: DeskReport[] }>(lin, `/v1/reports?streamId=${PRIORITY_STREAM}&sort=priority&limit=50`);
      const asOf = Date.now();
      const expected = [...all.body.items]
        .map((report) => ({ id: report.id, priority: priorityOf({ ...report, createdAtMs: Date.parse(report.createdAt) }, asOf) }))
        .sort((a, b) => b.priority - a.priority)
        .map((entry) => entry.id);
      expect(all.body.items.map((report) => report.id)).toEqual(expected);
      const first = all.body.items[0]!;
      expect([first.kind, first.subjectType, first.severity]).toEqual(['refund_brushing', 'room', 'high']);
      // The day-old low report outranks the fresh low one.
      const position = (subject: string) => all.body.items.findIndex((report) => report.subjectId === subject);
      expect(position('p-3')).toBeLessThan(position('p-1'));

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: DeskReport[]; nextCursor: string | null } } = await as(lin, `/v1/reports?streamId=${PRIORITY_STREAM}&sort=priority&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...page.body.items.map((report) => report.id));
        cursor = page.body.nextCursor;
        // A report raised between pages does not reorder what follows.
        if (paged.length === 2) await reports.applyFindings([finding({ streamId: PRIORITY_STREAM, roomId: 'room-p', subjectType: 'account', subjectId: 'p-late', accounts: ['p-late'], severity: 'low', score: 0.1 })]);
      } while (cursor);
      expect(paged.filter((id) => expected.includes(id))).toEqual(expected);

      const newest = await as<{ nextCursor: string }>(lin, `/v1/reports?streamId=${PRIORITY_STREAM}&limit=1`);
      const mixed = await as<{ message: string }>(lin, `/v1/reports?streamId=${PRIORITY_STREAM}&sort=priority&cursor=${newest.body.nextCursor}`);
      expect([mixed.status, mixed.body.message]).toEqual([400, expect.stringMatching(/^cursor: not a cursor of this order/)]);
    });

    it('filters by severity, merchant, claim and searches by device, IP and phone through the accounts seen with them', async () => {
      const ingest = await harness.createKey('ingest');
      const base = { roomId: 'room-s', streamId: 'search-1' };
      const events = [
        { id: 's-0', type: 'stream.started', ...base, ts: T0, merchantId: 'merchant-s' },
        { id: 's-1', type: 'viewer.joined', ...base, ts: T0 + 1_000, accountId: 'dev-a', deviceId: 'farm-phone-1', ip: '203.0.113.5' },
        { id: 's-2', type: 'viewer.joined', ...base, ts: T0 + 2_000, accountId: 'dev-b', deviceId: 'farm-phone-1', ip: '203.0.113.77' },
        { id: 's-3', type: 'viewer.joined', ...base, ts: T0 + 3_000, accountId: 'honest', deviceId: 'own-phone', ip: '198.51.100.9' },
        { id: 's-4', type: 'order.placed', ...base, ts: T0 + 4_000, accountId: 'dev-b', orderId: 'o-1', skuId: 'sku', quantity: 1, unitPrice: 100, listPrice: 100, currency: 'CNY', phoneHash: 'ph-1' },
      ];
      expect((await harness.request<{ accepted: number }>('/v1/events', { method: 'POST', body: events, key: ingest.key })).body.accepted).toBe(events.length);
      await waitForBacklogZero(harness.baseUrl);
      await reports.applyFindings([
        finding({ ...base, subjectType: 'account', subjectId: 'dev-a', accounts: ['dev-a'], severity: 'high', score: 0.9 }),
        finding({ ...base, kind: 'scripted_comments', subjectType: 'room', subjectId: 'room-s', accounts: ['dev-b', 'honest'], severity: 'low', score: 0.4 }),
        finding({ ...base, streamId: 'search-other', subjectType: 'account', subjectId: 'honest', accounts: ['honest'], severity: 'low', score: 0.3 }),
      ]);
      const ids = async (query: string) => (await as<{ items: DeskReport[] }>(lin, `/v1/reports?${query}`)).body.items.map((report) => `${report.kind}:${report.subjectId}`).sort();

      expect(await ids('deviceId=farm-phone-1')).toEqual(['injected_viewers:dev-a', 'scripted_comments:room-s']);
      expect(await ids('ip=203.0.113.5')).toEqual(['injected_viewers:dev-a']);
      expect(await ids('phoneHash=ph-1')).toEqual(['scripted_comments:room-s']);
      expect(await ids('deviceId=no-such-device')).toEqual([]);
      expect(await ids('merchantId=merchant-s')).toEqual(['injected_viewers:dev-a', 'scripted_comments:room-s']);
      expect(await ids('merchantId=merchant-s&severity=high')).toEqual(['injected_viewers:dev-a']);
      expect(await ids('accountId=honest')).toEqual(['injected_viewers:honest', 'scripted_comments:room-s']);

      const mine = (await as<{ items: DeskReport[] }>(lin, '/v1/reports?merchantId=merchant-s&kind=injected_viewers')).body.items[0]!;
      await as(lin, `/v1/reports/${mine.id}/claim`, { method: 'POST' });
      expect(await ids('merchantId=merchant-s&claimed=mine')).toEqual(['injected_viewers:dev-a']);
      expect(await ids('merchantId=merchant-s&claimed=none')).toEqual(['scripted_comments:room-s']);
      expect((await as<{ items: DeskReport[] }>(ada, '/v1/reports?merchantId=merchant-s&claimed=others')).body.items.map((report) => report.id)).toEqual([mine.id]);

      const profile = (await as<AccountProfile>(lin, '/v1/accounts/dev-a')).body;
      expect(profile.streams).toEqual([
        { streamId: 'search-1', roomId: 'room-s', firstSeenAt: T0 + 1_000, lastSeenAt: T0 + 1_000, deviceIds: ['farm-phone-1'], ips: ['203.0.113.5'], subnets: ['203.0.113.0/24'], phoneHashes: [] },
      ]);
      expect(profile.rooms).toEqual(['room-s']);
      expect(profile.shared).toEqual([
        { kind: 'deviceId', value: 'farm-phone-1', accounts: ['dev-b'], otherAccounts: 1 },
        { kind: 'subnet', value: '203.0.113.0/24', accounts: ['dev-b'], otherAccounts: 1 },
        { kind: 'ip', value: '203.0.113.5', accounts: [], otherAccounts: 0 },
      ]);
      expect((await as<{ items: string[] }>(lin, '/v1/accounts?deviceId=farm-phone-1')).body.items).toEqual(['dev-a', 'dev-b']);
      const bad = await as<{ message: string }>(lin, '/v1/accounts?deviceId=a&ip=b');
      expect([bad.status, bad.body.message]).toEqual([400, 'query: name exactly one of deviceId, ip, subnet, phoneHash']);
      expect((await as<AccountProfile>(lin, '/v1/accounts/never-seen')).body).toEqual({ accountId: 'never-seen', streams: [], rooms: [], shared: [] });
    });
  });
});
