import type { INestApplication } from '@nestjs/common';
import type { Socket } from 'socket.io-client';
import { io } from 'socket.io-client';
import { portOf, startApp } from '../src/platform/bootstrap.js';
import type { Finding } from '../src/detection/engine/finding.js';
import type { DeskReport, ReportView } from '../src/reports/report-view.js';
import { ReportsService } from '../src/reports/reports.service.js';
import { waitFor } from './support/eventually.js';
import { FINDING_T0 as T0, testFinding as finding } from './support/findings.js';
import { waitForBacklogZero } from './support/status.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Pushed = { event: string; report: ReportView };

/** Collects the events a socket receives, in order. */
function record(socket: Socket): Pushed[] {
  const seen: Pushed[] = [];
  for (const event of ['report.created', 'report.updated']) {
    socket.on(event, (report: ReportView) => seen.push({ event, report }));
  }
  return seen;
}

describe('reports', () => {
  let harness: TestApp;
  let reports: ReportsService;
  let reviewer: { id: string; key: string };

  beforeAll(async () => {
    harness = await startTestApp('reports');
    reports = harness.app.get(ReportsService);
    reviewer = await harness.createKey('reviewer');
  });

  afterAll(async () => {
    await harness.close();
  });

  let markers = 0;
  /**
   * Before asserting that a push did not happen: backlog 0, then a marker
   * report pushed after everything so far. Pushes travel one Redis channel
   * and one socket in order, so once the marker has arrived any earlier push
   * has too; pushes are not counted in the backlog.
   */
  async function pushesDelivered(seen: Pushed[]): Promise<void> {
    await waitForBacklogZero(harness.baseUrl);
    const streamId = `push-marker-${++markers}`;
    await reports.applyFindings([finding({ streamId, accounts: [] })]);
    await waitFor(`the push of marker report ${streamId}`, () => seen.find((item) => item.report.streamId === streamId));
  }

  /** As the reviewer unless another key (or null: none) is given. */
  const api = <T = unknown>(path: string, init: { method?: string; body?: unknown; key?: string | null } = {}) =>
    harness.request<T>(path, { ...init, key: init.key === undefined ? reviewer.key : init.key });

  async function reportFor(streamId: string, kind: Finding['kind'] = 'injected_viewers'): Promise<DeskReport> {
    const page = await api<{ items: DeskReport[] }>(`/v1/reports?streamId=${streamId}&kind=${kind}`);
    expect(page.body.items).toHaveLength(1);
    return page.body.items[0]!;
  }

  describe('store', () => {
    it('creates one open report at version 1 in exactly the contract shape', async () => {
      await reports.applyFindings([finding({ streamId: 'shape-1' })]);
      const report = await reportFor('shape-1');
      expect(Object.keys(report).sort()).toEqual(
        ['accounts', 'detectedAt', 'evidence', 'id', 'kind', 'roomId', 'score', 'severity', 'status', 'streamId',
          'subjectId', 'subjectType', 'summary', 'updatedAt', 'version',
          // The desk's documented extensions (issue 17): who claims it, when roomwatch raised it.
          'claim', 'createdAt'].sort(),
      );
      expect(report).toMatchObject({
        kind: 'injected_viewers',
        subjectType: 'room',
        subjectId: 'room-1',
        roomId: 'room-1',
        streamId: 'shape-1',
        score: 0.6,
        severity: 'medium',
        status: 'open',
        accounts: ['acct-a', 'acct-b'],
        evidence: { displayedPeak: 4200, joins: 310, stepSize: 50 },
        detectedAt: T0,
        version: 1,
      });
      expect(typeof report.detectedAt).toBe('number');
      expect(new Date(report.updatedAt).toISOString()).toBe(report.updatedAt);
      expect((await api(`/v1/reports/${report.id}`)).body).toEqual(report);
    });

    it('changes nothing when the same findings are applied twice', async () => {
      const findings = [finding({ streamId: 'idem-1' }), finding({ streamId: 'idem-1', kind: 'scripted_comments', score: 0.7 })];
      await reports.applyFindings(findings);
      const before = await reportFor('idem-1');
      await reports.applyFindings(findings);
      await reports.applyFindings(structuredClone(findings));
      const after = await reportFor('idem-1');
      expect(after.version).toBe(1);
      expect(after.updatedAt).toBe(before.updatedAt);
      expect((await api<{ items: ReportView[] }>('/v1/reports?streamId=idem-1')).body.items).toHaveLength(2);
    });

    it('bumps the version once per change of content and never moves detectedAt', async () => {
      await reports.applyFindings([finding({ streamId: 'grow-1' })]);
      // Key order in evidence is not a change.
      await reports.applyFindings([finding({ streamId: 'grow-1', evidence: { stepSize: 50, joins: 310, displayedPeak: 4200 } })]);
      expect((await reportFor('grow-1')).version).toBe(1);

      await reports.applyFindings([
        finding({ streamId: 'grow-1', evidence: { displayedPeak: 6100, joins: 320, stepSize: 50 }, detectedAt: T0 + 60_000 }),
      ]);
      const grown = await reportFor('grow-1');
      expect(grown).toMatchObject({ version: 2, detectedAt: T0, evidence: { displayedPeak: 6100 } });

      await reports.applyFindings([finding({ streamId: 'grow-1', accounts: ['acct-a', 'acct-b', 'acct-c'], evidence: grown.evidence })]);
      await reports.applyFindings([finding({ streamId: 'grow-1', accounts: ['acct-a', 'acct-b', 'acct-c'], evidence: grown.evidence })]);
      expect(await reportFor('grow-1')).toMatchObject({ version: 3, accounts: ['acct-a', 'acct-b', 'acct-c'], detectedAt: T0 });
    });

    it('keeps one report per key when a batch names it twice, the last finding winning', async () => {
      await reports.applyFindings([
        finding({ streamId: 'dup-1', score: 0.5 }),
        finding({ streamId: 'dup-1', score: 0.55, summary: 'later' }),
      ]);
      expect(await reportFor('dup-1')).toMatchObject({ version: 1, score: 0.55, summary: 'later' });
    });

    it('refuses a batch holding an impossible finding, naming it, and writes none of it', async () => {
      await expect(
        reports.applyFindings([finding({ streamId: 'bad-1' }), finding({ streamId: 'bad-2', score: Number.NaN })]),
      ).rejects.toThrow('finding injected_viewers|room|room-1|bad-2: score NaN is not within 0..1');
      expect((await api<{ items: ReportView[] }>('/v1/reports?streamId=bad-1')).body.items).toEqual([]);
    });

    it('keeps one ring or merchant report per (kind, subject), of no stream, updated in place as it grows', async () => {
      const ring = finding({ kind: 'account_ring', subjectType: 'ring', subjectId: 'ring-v2-1', roomId: null, streamId: null, accounts: ['r1', 'r2', 'r3'], evidence: { members: 3 } });
      await reports.applyFindings([ring]);
      await reports.applyFindings([ring]);
      await reports.applyFindings([{ ...ring, accounts: ['r1', 'r2', 'r3', 'r4'], evidence: { members: 4 } }]);
      const merchant = finding({ kind: 'cash_out', subjectType: 'merchant', subjectId: 'shop-v2-1', roomId: null, streamId: null, accounts: ['b1'] });
      const hoard = finding({ kind: 'coupon_abuse', subjectType: 'account', subjectId: 'hoarder-1', roomId: null, streamId: null, accounts: ['hoarder-1'] });
      await reports.applyFindings([merchant, hoard, merchant]);
      const rings = await api<{ items: ReportView[] }>('/v1/reports?subjectType=ring');
      expect(rings.body.items).toEqual([
        expect.objectContaining({ kind: 'account_ring', subjectId: 'ring-v2-1', roomId: null, streamId: null, accounts: ['r1', 'r2', 'r3', 'r4'], version: 2 }),
      ]);
      expect((await api<{ items: ReportView[] }>('/v1/reports?subjectType=merchant&kind=cash_out')).body.items.map((item) => [item.subjectId, item.version])).toEqual([['shop-v2-1', 1]]);
      expect((await api<{ items: ReportView[] }>('/v1/reports?kind=coupon_abuse&accountId=hoarder-1')).body.items).toHaveLength(1);
    });

    it('refuses a ring finding that names a stream, and a room finding without one', async () => {
      await expect(reports.applyFindings([finding({ kind: 'account_ring', subjectType: 'ring', subjectId: 'ring-bad', streamId: 'stream-1' })])).rejects.toThrow(
        'finding account_ring|ring|ring-bad|stream-1: roomId and streamId must be null for a ring finding: it spans rooms',
      );
      await expect(reports.applyFindings([finding({ subjectId: 'room-bad', roomId: null, streamId: null })])).rejects.toThrow(
        'roomId and streamId must be non-empty for a room finding',
      );
    });

    it('keeps a reviewer decision when the evidence later grows', async () => {
      await reports.applyFindings([finding({ streamId: 'keep-status-1' })]);
      const report = await reportFor('keep-status-1');
      const decided = await api<ReportView>(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision: 'dismissed', version: 1 },
      });
      expect(decided.body).toMatchObject({ status: 'dismissed', version: 2 });
      await reports.applyFindings([finding({ streamId: 'keep-status-1', score: 0.65 })]);
      expect(await reportFor('keep-status-1')).toMatchObject({ status: 'dismissed', version: 3, score: 0.65 });
    });
  });

  describe('reviewer API', () => {
    beforeAll(async () => {
      await reports.applyFindings([
        finding({ roomId: 'filter-room', subjectId: 'filter-room', streamId: 'filter-s1', accounts: ['acct-x', 'acct-y'] }),
        finding({ kind: 'scripted_comments', roomId: 'filter-room', subjectId: 'filter-room', streamId: 'filter-s2', accounts: ['acct-z'] }),
        finding({
          kind: 'refund_brushing',
          subjectType: 'account',
          subjectId: 'acct-x',
          roomId: 'filter-room',
          streamId: 'filter-s3',
          accounts: ['acct-x'],
        }),
        finding({ roomId: 'other-room', subjectId: 'other-room', streamId: 'filter-s4', accounts: ['acct-q'] }),
      ]);
    });

    const streamsOf = (items: ReportView[]) => items.map((item) => item.streamId).sort();

    it('filters by room, kind, subject type, stream and status', async () => {
      expect(streamsOf((await api<{ items: ReportView[] }>('/v1/reports?roomId=filter-room')).body.items)).toEqual([
        'filter-s1',
        'filter-s2',
        'filter-s3',
      ]);
      expect(
        streamsOf((await api<{ items: ReportView[] }>('/v1/reports?roomId=filter-room&kind=scripted_comments')).body.items),
      ).toEqual(['filter-s2']);
      expect(
        streamsOf((await api<{ items: ReportView[] }>('/v1/reports?roomId=filter-room&subjectType=account')).body.items),
      ).toEqual(['filter-s3']);
      expect(streamsOf((await api<{ items: ReportView[] }>('/v1/reports?streamId=filter-s4')).body.items)).toEqual(['filter-s4']);
      const open = (await api<{ items: ReportView[] }>('/v1/reports?roomId=filter-room&status=open')).body.items;
      expect(open).toHaveLength(3);
      expect((await api<{ items: ReportView[] }>('/v1/reports?roomId=filter-room&status=confirmed')).body.items).toEqual([]);
    });

    it('finds by accountId both the account reports and the room reports implicating it', async () => {
      const page = await api<{ items: ReportView[] }>('/v1/reports?accountId=acct-x');
      expect(streamsOf(page.body.items)).toEqual(['filter-s1', 'filter-s3']);
      expect((await api<{ items: ReportView[] }>('/v1/reports?accountId=acct-nobody')).body.items).toEqual([]);
    });

    it('pages newest first with a cursor that stays stable while reports keep arriving', async () => {
      for (let i = 0; i < 7; i++) {
        await reports.applyFindings([finding({ roomId: 'page-room', subjectId: 'page-room', streamId: `page-${i}` })]);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { status: number; body: { items: ReportView[]; nextCursor: string | null } } = await api(
          `/v1/reports?roomId=page-room&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((item) => item.streamId ?? '(none)'));
        cursor = page.body.nextCursor;
        pages++;
        // New reports arriving mid-walk land before the first page, never inside the walk.
        await reports.applyFindings([finding({ roomId: 'page-room', subjectId: 'page-room', streamId: `page-late-${pages}` })]);
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
      const first = await api<{ items: ReportView[] }>('/v1/reports?roomId=page-room&limit=3');
      expect(first.body.items.map((item) => item.streamId)).toEqual(['page-late-3', 'page-late-2', 'page-late-1']);
    });

    it('answers 400 naming the field for a malformed id, cursor, filter or limit, and 404 for an unknown id', async () => {
      const badId = await api<{ statusCode: number; error: string; message: string }>('/v1/reports/not-a-uuid');
      expect(badId).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^id: /) } });
      const unknown = await api<{ message: string }>('/v1/reports/00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toContain('not found');
      expect((await api<{ message: string }>('/v1/reports?cursor=garbage')).body.message).toMatch(/^cursor: /);
      expect((await api<{ message: string }>('/v1/reports?limit=0')).body.message).toMatch(/^limit: /);
      expect((await api<{ message: string }>('/v1/reports?limit=abc')).body.message).toMatch(/^limit: /);
      expect((await api<{ message: string }>('/v1/reports?kind=telepathy')).body.message).toMatch(/^kind: must be one of/);
      expect((await api<{ message: string }>('/v1/reports?subjectType=shop')).body.message).toBe('subjectType: must be one of room, account, ring, merchant');
      expect((await api('/v1/reports?kind=scalper_bot&subjectType=merchant')).status).toBe(200);
    });

    it('requires a reviewer key', async () => {
      expect((await api('/v1/reports', { key: null })).status).toBe(401);
      expect((await api('/v1/reports', { key: 'rw_reviewer_nope' })).status).toBe(401);
      const ingest = await harness.createKey('ingest');
      expect((await api('/v1/reports', { key: ingest.key })).status).toBe(403);
    });
  });

  describe('decisions', () => {
    it('answers 409 on a stale version, applies the current one and keeps the trail', async () => {
      await reports.applyFindings([finding({ streamId: 'decide-1' })]);
      await reports.applyFindings([finding({ streamId: 'decide-1', score: 0.62 })]);
      const report = await reportFor('decide-1');
      expect(report.version).toBe(2);

      const stale = await api<{ statusCode: number; message: string }>(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision: 'confirmed', version: 1 },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.message).toMatch(/version 2, not 1/);
      expect((await reportFor('decide-1')).status).toBe('open');

      const confirmed = await api<ReportView>(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision: 'confirmed', version: 2, note: 'steps of exactly 50, twice' },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ id: report.id, status: 'confirmed', version: 3 });

      const second = await harness.createKey('reviewer');
      const dismissed = await api<ReportView>(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision: 'dismissed', version: 3 },
        key: second.key,
      });
      expect(dismissed.body).toMatchObject({ status: 'dismissed', version: 4 });

      const trail = await api<{ items: unknown[] }>(`/v1/reports/${report.id}/decisions`);
      expect(trail.body.items).toEqual([
        {
          reportId: report.id,
          decision: 'confirmed',
          note: 'steps of exactly 50, twice',
          version: 2,
          reviewerKeyId: reviewer.id,
          // An unnamed key is named by its prefix.
          reviewer: expect.stringMatching(/^rw_reviewer_/),
          bulkId: null,
          decidedAt: expect.any(String),
        },
        { reportId: report.id, decision: 'dismissed', note: null, version: 3, reviewerKeyId: second.id, reviewer: expect.stringMatching(/^rw_reviewer_/), bulkId: null, decidedAt: expect.any(String) },
      ]);
    });

    it('validates the decision body and the report id', async () => {
      await reports.applyFindings([finding({ streamId: 'decide-2' })]);
      const report = await reportFor('decide-2');
      const noVersion = await api<{ message: string }>(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision: 'confirmed' },
      });
      expect(noVersion.status).toBe(400);
      expect(noVersion.body.message).toMatch(/^version: /);
      const badDecision = await api<{ message: string }>(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision: 'maybe', version: 1 },
      });
      expect(badDecision.body.message).toMatch(/^decision: must be one of confirmed, dismissed/);
      const unknown = await api(`/v1/reports/00000000-0000-4000-8000-000000000000/decision`, {
        method: 'POST',
        body: { decision: 'confirmed', version: 1 },
      });
      expect(unknown.status).toBe(404);
      expect((await reportFor('decide-2')).version).toBe(1);
    });
  });

  describe('/reviews push', () => {
    it('refuses a connection without a reviewer key as unauthorized', async () => {
      await expect(harness.connect('/reviews', undefined)).rejects.toThrow('unauthorized');
      await expect(harness.connect('/reviews', 'rw_reviewer_nope')).rejects.toThrow('unauthorized');
      const ingest = await harness.createKey('ingest');
      await expect(harness.connect('/reviews', ingest.key)).rejects.toThrow('unauthorized');
    });

    it('pushes report.created on applyFindings, then report.updated only on change', async () => {
      const socket = await harness.connect('/reviews', reviewer.key);
      const seen = record(socket);
      await reports.applyFindings([finding({ streamId: 'push-1' })]);
      const created = await waitFor('report.created for push-1', () => seen.find((item) => item.report.streamId === 'push-1'));
      expect(created.event).toBe('report.created');
      const { claim: _claim, createdAt: _createdAt, ...contractReport } = await reportFor('push-1');
      expect(created.report).toEqual(contractReport);

      await reports.applyFindings([finding({ streamId: 'push-1' })]);
      await reports.applyFindings([finding({ streamId: 'push-1', score: 0.8 })]);
      await waitFor('report.updated for push-1', () => seen.find((item) => item.event === 'report.updated' && item.report.streamId === 'push-1'));
      await pushesDelivered(seen);
      expect(seen.filter((item) => item.report.streamId === 'push-1').map((item) => [item.event, item.report.version])).toEqual([
        ['report.created', 1],
        ['report.updated', 2],
      ]);
    });

    it('pushes report.updated for a reviewer decision', async () => {
      await reports.applyFindings([finding({ streamId: 'push-2' })]);
      const report = await reportFor('push-2');
      const socket = await harness.connect('/reviews', reviewer.key);
      const seen = record(socket);
      await api(`/v1/reports/${report.id}/decision`, { method: 'POST', body: { decision: 'dismissed', version: 1 } });
      const updated = await waitFor('the push of the decision', () => seen.find((item) => item.report.id === report.id));
      expect(updated).toMatchObject({ event: 'report.updated', report: { status: 'dismissed', version: 2 } });
    });

    it('reaches a console connected to another process', async () => {
      // A second roomwatch process on the same database and Redis prefix.
      let other: INestApplication | undefined;
      try {
        other = await startApp({ ...harness.config, PORT: 0 });
        const socket = io(`http://127.0.0.1:${portOf(other)}/reviews`, {
          auth: { token: reviewer.key },
          transports: ['websocket'],
          reconnection: false,
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        const seen = record(socket);
        await reports.applyFindings([finding({ streamId: 'cross-1' })]);
        const created = await waitFor('report.created for cross-1 on the other process', () =>
          seen.find((item) => item.report.streamId === 'cross-1'),
        );
        expect(created.event).toBe('report.created');
        const { claim: _claim, createdAt: _createdAt, ...contractReport } = await reportFor('cross-1');
        expect(created.report).toEqual(contractReport);
        socket.disconnect();
      } finally {
        await other?.close();
      }
    });

    it('drops an open console at once when its key is revoked', async () => {
      const created = await harness.createKey('reviewer');
      const socket = await harness.connect('/reviews', created.key);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(await harness.revokeKey(created.id)).toBe(204);
      expect(await disconnected).toBe('io server disconnect');
    });
  });

  it('records an enforceable report as a skipped delivery when no webhook is configured', async () => {
    await reports.applyFindings([finding({ streamId: 'skip-1', score: 0.95 })]);
    const report = await reportFor('skip-1');
    const delivery = await waitFor(`a skipped delivery of ${report.id}`, async () => {
      const page = await api<{ items: Array<{ id: string; status: string }> }>(`/v1/deliveries?reportId=${report.id}`);
      return page.body.items[0]?.status === 'skipped' ? page.body.items[0] : undefined;
    });
    expect(delivery).toMatchObject({ id: `${report.id}-v1`, status: 'skipped', attempts: 1, reason: 'auto' });
  });

  it('reports its queue in /v1/status', async () => {
    const status = await api<{ backlog: number; components: Record<string, Record<string, number>> }>('/v1/status', { key: null });
    expect(status.body.components.enforcement).toEqual({
      backlog: expect.any(Number),
      firstAttempts: expect.any(Number),
      retrying: 0,
      waiting: expect.any(Number),
      active: expect.any(Number),
      delayed: expect.any(Number),
      failedJobs: expect.any(Number),
      failedDeliveries: 0,
    });
  });
});
