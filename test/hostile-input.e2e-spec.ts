import { countStoredEvents, emitWithAck, startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

/** Issue 12: inputs that used to answer 500, freeze the loop or be silently changed. */
const T0 = 1_764_000_000_000;
const comment = (id: string, text = '666') => ({ id, type: 'comment', roomId: 'room-h', streamId: 'stream-h', ts: T0, accountId: 'acct-h', text });
const SOME_UUID = '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c';

describe('hostile input', () => {
  let harness: TestApp;
  let ingestKey: string;
  let reviewerKey: string;
  let merchantKey: string;

  beforeAll(async () => {
    harness = await startTestApp('hostile');
    ingestKey = (await harness.createKey('ingest')).key;
    reviewerKey = (await harness.createKey('reviewer')).key;
    merchantKey = (await harness.createKey('merchant', 'merchant-h')).key;
  });

  afterAll(async () => {
    await harness.close();
  });

  const storedCount = (prefix: string) => countStoredEvents(harness, prefix);

  const rawPost = (path: string, body: string | Uint8Array, key: string, contentType = 'application/json') =>
    fetch(`${harness.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });

  describe('NUL and impossible values answer 400 naming the field', () => {
    const cases: Array<{ path: string; key: () => string; field: string; method?: string; body?: unknown }> = [
      { path: '/v1/streams/%00', key: () => reviewerKey, field: 'streamId' },
      { path: '/v1/streams/%00/timeline', key: () => reviewerKey, field: 'streamId' },
      { path: '/v1/streams/%00/sales-audit', key: () => reviewerKey, field: 'streamId' },
      { path: '/v1/streams/%00/sales-audit', key: () => merchantKey, field: 'streamId' },
      { path: '/v1/streams/%00/accounts?ids=a', key: () => reviewerKey, field: 'streamId' },
      { path: '/v1/streams/stream-h/accounts?ids=a,%00', key: () => reviewerKey, field: 'ids' },
      { path: '/v1/streams?merchantId=%00', key: () => reviewerKey, field: 'merchantId' },
      { path: '/v1/streams?roomId=%00', key: () => merchantKey, field: 'roomId' },
      { path: '/v1/reports?streamId=%00', key: () => reviewerKey, field: 'streamId' },
      { path: '/v1/reports?roomId=%00', key: () => reviewerKey, field: 'roomId' },
      { path: '/v1/reports?accountId=%00', key: () => reviewerKey, field: 'accountId' },
      { path: '/v1/reports?cursor=%00', key: () => reviewerKey, field: 'cursor' },
      { path: '/v1/reports/%00', key: () => reviewerKey, field: 'id' },
      { path: '/v1/reports/%00/decisions', key: () => reviewerKey, field: 'id' },
      { path: '/v1/deliveries/%00', key: () => reviewerKey, field: 'id' },
      { path: '/v1/deliveries?reportId=%00', key: () => TEST_ADMIN_KEY, field: 'reportId' },
      { path: '/v1/policy/allow-list?subjectId=%00', key: () => TEST_ADMIN_KEY, field: 'subjectId' },
      { path: '/v1/policy/thresholds/%00', key: () => TEST_ADMIN_KEY, field: 'kind' },
      { path: '/v1/api-keys/%00', key: () => TEST_ADMIN_KEY, field: 'id', method: 'DELETE' },
      {
        path: `/v1/reports?cursor=${Buffer.from(JSON.stringify(['9999-99-99 99:99:99+00', SOME_UUID])).toString('base64url')}`,
        key: () => reviewerKey,
        field: 'cursor',
      },
      { path: `/v1/reports/${SOME_UUID}/decision`, method: 'POST', body: { decision: 'confirmed', version: 2 ** 31 }, key: () => reviewerKey, field: 'version' },
      { path: `/v1/reports/${SOME_UUID}/decision`, method: 'POST', body: { decision: 'confirmed', version: 1, note: 'a\u0000b' }, key: () => reviewerKey, field: 'note' },
      { path: '/v1/policy/allow-list', method: 'POST', body: { subjectType: 'account', subjectId: 'a\u0000' }, key: () => TEST_ADMIN_KEY, field: 'subjectId' },
      { path: '/v1/policy/allow-list', method: 'POST', body: { subjectType: 'account', subjectId: 'a', reason: '\u0000' }, key: () => TEST_ADMIN_KEY, field: 'reason' },
      {
        path: '/v1/policy/allow-list',
        method: 'POST',
        body: { subjectType: 'account', subjectId: 'a', expiresAt: '0000-01-01T00:00:00Z' },
        key: () => TEST_ADMIN_KEY,
        field: 'expiresAt',
      },
      { path: '/v1/policy/thresholds/inflated_gmv', method: 'PUT', body: { expiresAt: '0000-01-01T00:00:00Z' }, key: () => TEST_ADMIN_KEY, field: 'expiresAt' },
      { path: '/v1/api-keys', method: 'POST', body: { role: 'merchant', merchantId: 'm\u0000' }, key: () => TEST_ADMIN_KEY, field: 'merchantId' },
    ];

    it.each(cases)('$method $path answers 400 naming $field', async ({ path, key, field, method, body }) => {
      const response = await harness.request<{ statusCode: number; error: string; message: string }>(path, { method, body, key: key() });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(new RegExp(`^${field}: `)) });
    });

    it('still answers a valid far-future expiry and an ordinary cursor', async () => {
      const allowed = await harness.request('/v1/policy/allow-list', {
        method: 'POST',
        body: { subjectType: 'account', subjectId: 'staff-1', expiresAt: '9999-12-31T00:00:00Z' },
        key: TEST_ADMIN_KEY,
      });
      expect(allowed.status).toBe(201);
      const page = await harness.request(`/v1/reports?cursor=${Buffer.from(JSON.stringify(['2026-11-24 00:19:03.123456+00', SOME_UUID])).toString('base64url')}`, {
        key: reviewerKey,
      });
      expect(page).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    });
  });

  describe('a huge comment is refused by its length, the rest of its batch stored', () => {
    it('over HTTP (an 8 MB body of emoji)', async () => {
      const body = JSON.stringify([comment('huge-http-1', '😀'.repeat(1_900_000)), comment('huge-http-2')]);
      const response = await rawPost('/v1/events', body, ingestKey);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 0, id: 'huge-http-1', error: 'text: must be 1–500 characters' }] });
      expect(await storedCount('huge-http-')).toBe(1);
    });

    it('over socket.io (a 15 MB frame of emoji)', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      const ack = await emitWithAck(socket, 'events', [comment('huge-socket-1', '😀'.repeat(3_700_000)), comment('huge-socket-2')], 60_000);
      expect(ack).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 0, id: 'huge-socket-1', error: 'text: must be 1–500 characters' }] });
      expect(await storedCount('huge-socket-')).toBe(1);
    });
  });

  describe('numbers and bytes JSON allows but an event cannot be', () => {
    it('says ts: 1e400 must be a finite integer', async () => {
      const body = `[${JSON.stringify(comment('inf-1')).replace(`"ts":${T0}`, '"ts":1e400')}]`;
      const response = await rawPost('/v1/events', body, ingestKey);
      expect(await response.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, id: 'inf-1', error: 'ts: must be a finite integer' }] });
    });

    it('refuses a body that is not valid UTF-8 instead of storing U+FFFD', async () => {
      const prefix = Buffer.from(JSON.stringify([comment('utf8-1', 'XX')]).replace('"XX"', '"\u0001\u0001"'), 'utf8');
      const broken = Buffer.from(prefix);
      broken.set([0xc3, 0x28], broken.indexOf(0x01)); // 0xC3 0x28: a lead byte without its continuation
      for (const contentType of ['application/json', 'application/x-ndjson']) {
        const response = await rawPost('/v1/events', broken, ingestKey, contentType);
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'body: not valid UTF-8; send UTF-8 text' });
      }
      expect(await storedCount('utf8-')).toBe(0);
    });
  });

  describe('what an unauthenticated caller sees', () => {
    it('shows internal error text and process memory to operator and reviewer keys only', async () => {
      type Status = { components: Record<string, Record<string, unknown>> };
      const anonymous = await harness.request<Status>('/v1/status');
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.components.detection).toBeDefined();
      expect(anonymous.body.components.detection).not.toHaveProperty('lastError');
      expect(anonymous.body.components.process).toBeUndefined();
      for (const key of [TEST_ADMIN_KEY, reviewerKey]) {
        const operator = await harness.request<Status>('/v1/status', { key });
        expect(operator.body.components.detection).toHaveProperty('lastError', null);
        expect(operator.body.components.process).toMatchObject({ rssBytes: expect.any(Number), heapUsedBytes: expect.any(Number) });
      }
      const wrongKey = await harness.request<Status>('/v1/status', { key: 'rw_reviewer_not-a-key' });
      expect(wrongKey.body.components.process).toBeUndefined();
      const merchant = await harness.request<Status>('/v1/status', { key: merchantKey });
      expect(merchant.body.components.process).toBeUndefined();
    });

    it('refuses a socket.io connection on the root namespace, with or without a key', async () => {
      await expect(harness.connect('/', undefined)).rejects.toThrow(/unauthorized/);
      await expect(harness.connect('/', ingestKey)).rejects.toThrow(/unauthorized/);
    });
  });
});
