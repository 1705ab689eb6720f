import { countStoredEvents, emitWithAck, startTestApp, type IngestAck, type TestApp } from './support/test-app.js';

const T0 = 1_764_000_000_000;
const comment = (id: string, text = '666') => ({
  id,
  type: 'comment',
  roomId: 'room-1',
  streamId: 'stream-1',
  ts: T0,
  accountId: 'acct-1',
  text,
});

describe('ingest', () => {
  let harness: TestApp;
  let ingestKey: string;

  beforeAll(async () => {
    harness = await startTestApp('ingest');
    ingestKey = (await harness.createKey('ingest')).key;
  });

  afterAll(async () => {
    await harness.close();
  });

  const storedCount = (prefix: string) => countStoredEvents(harness, prefix);

  describe('over socket.io', () => {
    it('refuses a connection without a key, or with a wrong key, as unauthorized', async () => {
      await expect(harness.connect('/ingest', undefined)).rejects.toThrow('unauthorized');
      await expect(harness.connect('/ingest', 'rw_ingest_nope')).rejects.toThrow('unauthorized');
    });

    it('refuses a reviewer key on the ingest namespace', async () => {
      const reviewer = await harness.createKey('reviewer');
      await expect(harness.connect('/ingest', reviewer.key)).rejects.toThrow('unauthorized');
    });

    it('stores the good events of a mixed batch and names the field of each bad one', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      const ack = await emitWithAck(socket, 'events', [
        comment('mixed-1'),
        { ...comment('mixed-2'), ts: 'yesterday' },
        comment('mixed-3', ''),
        { ...comment('mixed-4'), type: 'telepathy' },
        comment('mixed-5'),
      ]);
      expect(ack).toEqual({
        accepted: 2,
        duplicates: 0,
        rejected: [
          { index: 1, id: 'mixed-2', error: expect.stringMatching(/^ts: /) },
          { index: 2, id: 'mixed-3', error: expect.stringMatching(/^text: /) },
          { index: 3, id: 'mixed-4', error: 'type: not an event type of CONTRACT.md §1' },
        ],
      });
      expect(await storedCount('mixed-')).toBe(2);
    });

    it('refuses text PostgreSQL cannot store alone, and stores the rest of the batch', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      const ack = await emitWithAck(socket, 'events', [comment('nul-1'), comment('nul-2', 'a\u0000b'), comment('nul-3', 'half \ud83d')]);
      expect(ack).toEqual({
        accepted: 1,
        duplicates: 0,
        rejected: [
          { index: 1, id: 'nul-2', error: expect.stringMatching(/^text: contains a NUL/) },
          { index: 2, id: 'nul-3', error: expect.stringMatching(/^text: /) },
        ],
      });
      expect(await storedCount('nul-')).toBe(1);
    });

    it('counts a resend of the same ids as duplicates and stores nothing twice', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      const batch = [comment('resend-1'), comment('resend-2'), comment('resend-1')];
      expect(await emitWithAck(socket, 'events', batch)).toMatchObject({ accepted: 2, duplicates: 1 });
      expect(await emitWithAck(socket, 'events', batch)).toMatchObject({ accepted: 0, duplicates: 3 });
      expect(await storedCount('resend-')).toBe(2);
    });

    it('accepts a single event not wrapped in an array', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      expect(await emitWithAck(socket, 'events', comment('single-1'))).toMatchObject({ accepted: 1 });
    });

    it('refuses a batch over 1000 events with a clear error and keeps the connection', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      const batch = Array.from({ length: 1001 }, (_, i) => comment(`big-${i}`));
      const ack = await emitWithAck<{ error?: { message: string; retryable: boolean } }>(socket, 'events', batch);
      expect(ack.error).toEqual({ code: 'invalid_batch', message: expect.stringContaining('1–1000'), retryable: false });
      expect(await storedCount('big-')).toBe(0);
      expect(await emitWithAck(socket, 'events', [comment('after-big-1')])).toMatchObject({ accepted: 1 });
    });

    it('rejects garbage one event at a time, naming its index, its id when it has one, and the field', async () => {
      const socket = await harness.connect('/ingest', ingestKey);
      const notAnObject = 'event: must be a JSON object';
      const field = (name: string) => expect.stringMatching(new RegExp(`^${name}: `)) as unknown as string;
      const cases: Array<[unknown, IngestAck['rejected']]> = [
        [null, [{ index: 0, error: notAnObject }]],
        [42, [{ index: 0, error: notAnObject }]],
        ['text', [{ index: 0, error: notAnObject }]],
        [[null], [{ index: 0, error: notAnObject }]],
        [[[1, 2]], [{ index: 0, error: notAnObject }]],
        [{ nested: { deep: true } }, [{ index: 0, error: 'type: is required' }]],
        [[{}, { type: 'telepathy' }], [{ index: 0, error: 'type: is required' }, { index: 1, error: 'type: not an event type of CONTRACT.md §1' }]],
        [[{ id: 'garbage-untyped', roomId: 'room-1' }], [{ index: 0, id: 'garbage-untyped', error: 'type: is required' }]],
        [[{ ...comment('garbage-ts'), ts: -1 }], [{ index: 0, id: 'garbage-ts', error: field('ts') }]],
        [[{ ...comment('garbage-account'), accountId: 7 }], [{ index: 0, id: 'garbage-account', error: field('accountId') }]],
        // An id that is not a string cannot be echoed; one past 128 characters is echoed cut to 128.
        [[{ ...comment('unused'), id: 42 }], [{ index: 0, error: field('id') }]],
        [[{ ...comment('unused'), id: `garbage-${'g'.repeat(200)}` }], [{ index: 0, id: `garbage-${'g'.repeat(120)}`, error: field('id') }]],
        [
          [42, { ...comment('garbage-like'), type: 'like', count: 0 }, { ...comment('garbage-room'), roomId: '' }],
          [
            { index: 0, error: notAnObject },
            { index: 1, id: 'garbage-like', error: field('count') },
            { index: 2, id: 'garbage-room', error: field('roomId') },
          ],
        ],
      ];
      for (const [garbage, rejected] of cases) {
        const ack = await emitWithAck<IngestAck>(socket, 'events', garbage);
        expect({ sent: garbage, ack }).toEqual({ sent: garbage, ack: { accepted: 0, duplicates: 0, rejected } });
      }
      expect(socket.connected).toBe(true);
      expect(await storedCount('garbage-')).toBe(0);
    });

    it('disconnects an open socket at once when its key is revoked', async () => {
      const created = await harness.createKey('ingest');
      const socket = await harness.connect('/ingest', created.key);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(await harness.revokeKey(created.id)).toBe(204);
      expect(await disconnected).toBe('io server disconnect');
      await expect(harness.connect('/ingest', created.key)).rejects.toThrow('unauthorized');
    });
  });

  describe('over HTTP', () => {
    const post = (body: string, contentType: string, key = ingestKey) =>
      fetch(`${harness.baseUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
        body,
      });

    it('answers 401 without a key and with a revoked key', async () => {
      const created = await harness.createKey('ingest');
      expect((await post('[]', 'application/json', '')).status).toBe(401);
      expect(await harness.revokeKey(created.id)).toBe(204);
      const response = await post(JSON.stringify([comment('revoked-1')]), 'application/json', created.key);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    });

    it('takes a JSON array with the same ack as the socket', async () => {
      const response = await post(JSON.stringify([comment('http-1'), { ...comment('http-2'), accountId: 7 }]), 'application/json');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        accepted: 1,
        duplicates: 0,
        rejected: [{ index: 1, id: 'http-2', error: expect.stringMatching(/^accountId: /) }],
      });
    });

    it('takes NDJSON and rejects an unparsable line alone', async () => {
      const body = [JSON.stringify(comment('nd-1')), '{"id": broken', JSON.stringify(comment('nd-2')), ''].join('\n');
      const response = await post(body, 'application/x-ndjson');
      expect(await response.json()).toEqual({
        accepted: 2,
        duplicates: 0,
        rejected: [{ index: 1, error: 'line 2: not valid JSON' }],
      });
      expect(await storedCount('nd-')).toBe(2);
    });

    it('answers a body that is not JSON with 400 naming the body', async () => {
      const response = await post('[{"id":', 'application/json');
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^body: /) });
    });

    it('answers an oversized body with 413', async () => {
      const response = await post(JSON.stringify([comment('huge', 'x'.repeat(9 * 1024 * 1024))]), 'application/json');
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ statusCode: 413, message: expect.stringMatching(/^body: /) });
    });
  });
});
