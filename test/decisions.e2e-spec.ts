import pg from 'pg';
import { portOf, startApp } from '../src/platform/bootstrap.js';
import { DecisionState } from '../src/decisions/decision-state.js';
import { waitFor } from './support/eventually.js';
import { callJson } from './support/http.js';
import { TEST_ADMIN_KEY, type TestApp, countStoredEvents, dropDatabase, emitWithAck, sendBatch, startTestApp } from './support/test-app.js';

interface Decision {
  eventId: string;
  decision: 'pass' | 'review' | 'reject';
  score: number;
  riskCodes: string[];
  reasons: string[];
  rules: Array<{ id: string; score: number; mode: string }>;
  decidedAt: string;
}

const T0 = 1_764_100_000_000;
const DAY = 86_400_000;

describe('real-time decisions (CONTRACT.md §7)', () => {
  let harness: TestApp;
  let ingest: string;
  let reviewer: string;
  let n = 0;

  const admin = { key: TEST_ADMIN_KEY };
  const decide = async (event: Record<string, unknown>) => {
    const response = await harness.request<Decision>('/v1/decisions', { method: 'POST', key: ingest, body: event });
    expect(response.status).toBe(200);
    return response.body;
  };
  /** An order by an account that has been around for a month, on a plain phone: nothing to say about it. */
  const order = (overrides: Record<string, unknown> = {}) => ({
    id: `dec-o-${++n}`,
    type: 'order.placed',
    roomId: 'dec-room-1',
    streamId: 'dec-stream-1',
    ts: T0 + 60_000 + n,
    accountId: `dec-acct-${n}`,
    deviceId: `dec-dev-${n}`,
    ip: `198.51.${n % 200}.${n % 250}`,
    orderId: `dec-ord-${n}`,
    skuId: 'dec-sku-plain',
    quantity: 1,
    unitPrice: 990,
    listPrice: 5_900,
    currency: 'CNY',
    ...overrides,
  });
  const putEntry = (entry: Record<string, unknown>) => harness.request<{ id: string }>('/v1/lists', { method: 'POST', ...admin, body: entry });
  const putRule = (id: string, rule: Record<string, unknown>) => harness.request(`/v1/rules/${id}`, { method: 'PUT', ...admin, body: rule });

  beforeAll(async () => {
    harness = await startTestApp('decisions');
    ingest = (await harness.createKey('ingest')).key;
    reviewer = (await harness.createKey('reviewer')).key;
    const ack = await sendBatch(harness, ingest, [
      { id: 'dec-s1', type: 'stream.started', roomId: 'dec-room-1', streamId: 'dec-stream-1', ts: T0, merchantId: 'dec-merchant-1' },
      { id: 'dec-s2', type: 'stream.started', roomId: 'dec-room-2', streamId: 'dec-stream-2', ts: T0, merchantId: 'dec-merchant-2' },
      // A flash sale opening at T0 + 60 s, one per account.
      { id: 'dec-sale', type: 'sale.opened', roomId: 'dec-room-1', streamId: 'dec-stream-1', ts: T0 + 60_000, skuId: 'dec-sku-flash', salePrice: 990, listPrice: 5_900, currency: 'CNY', stock: 100, perAccountLimit: 1 },
    ]);
    expect(ack.accepted).toBe(3);
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  }, 30_000);

  it('passes an ordinary order, and refuses another event type naming `type`', async () => {
    const answer = await decide(order());
    expect(answer).toEqual({ eventId: expect.any(String), decision: 'pass', score: 0, riskCodes: [], reasons: [], rules: [], decidedAt: expect.any(String) });
    const refused = await harness.request<{ message: string }>('/v1/decisions', { method: 'POST', key: ingest, body: { id: 'dec-like', type: 'like', roomId: 'r', streamId: 's', ts: T0, accountId: 'a', count: 1 } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^type:/);
    const invalid = await harness.request<{ message: string }>('/v1/decisions', { method: 'POST', key: ingest, body: order({ quantity: 0 }) });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/quantity/);
  });

  it('answers a resend with the stored decision and stores nothing new, over HTTP and the socket, concurrent resends included', async () => {
    const event = order({ accountId: 'dec-resend', device: { emulator: true } });
    const first = await decide(event);
    expect(first.riskCodes).toContain('emulator');
    const again = await Promise.all([decide(event), decide(event)]);
    expect(again).toEqual([first, first]);
    const socket = await harness.connect('/ingest', ingest);
    const overSocket = await emitWithAck<Decision>(socket, 'decide', event);
    expect(overSocket).toEqual(first);
    const fresh = order({ accountId: 'dec-socket' });
    const [a, b] = await Promise.all([emitWithAck<Decision>(socket, 'decide', fresh), emitWithAck<Decision>(socket, 'decide', fresh)]);
    expect(a).toEqual(b);
    socket.disconnect();
    expect(await countStoredEvents(harness, event.id)).toBe(1);
    const { rows } = await harness.query<{ count: number }>('SELECT count(*)::int AS count FROM decisions WHERE event_id = ANY($1)', [[event.id, fresh.id]]);
    expect(rows[0]!.count).toBe(2);
  });

  it('sees the opening second: before it, and several accounts of one device past the limit', async () => {
    const early = await decide(order({ skuId: 'dec-sku-flash', ts: T0 + 59_000 }));
    expect(early.riskCodes).toContain('before_sale_open');
    expect(early.decision).toBe('review');
    // Five accounts on one cloud phone, at machine speed: identity, sharing and speed together reject.
    let last: Decision | undefined;
    for (let i = 0; i < 5; i++) {
      last = await decide(order({ skuId: 'dec-sku-flash', ts: T0 + 60_050, accountId: `dec-farm-${i}`, deviceId: 'dec-farm-phone', device: { cloudPhone: true } }));
    }
    expect(last!.riskCodes).toEqual(expect.arrayContaining(['cloud_phone', 'device_many_accounts', 'machine_speed_after_open', 'linked_over_purchase_limit']));
    expect(last!.decision).toBe('reject');
    // An honest fast finger: fast alone passes.
    const fast = await decide(order({ skuId: 'dec-sku-flash', ts: T0 + 60_120 }));
    expect(fast.riskCodes).toEqual(['machine_speed_after_open']);
    expect(fast.decision).toBe('pass');
  });

  it("decides a coupon order against its claim: under the threshold and a pool's spender to review, a parent spending the family's through", async () => {
    const claim = (accountId: string, couponId: string, i: number) => ({
      id: `dec-cl-${couponId}`,
      type: 'coupon.claimed',
      roomId: 'dec-room-1',
      streamId: 'dec-stream-1',
      ts: T0 + 30_000 + i,
      accountId,
      couponId,
      campaignId: 'dec-camp',
      value: 2_000,
      minSpend: 10_000,
    });
    const claims = [
      ...[0, 1, 2, 3, 4].map((i) => claim(`dec-stock-${i}`, `dec-cp-s${i}`, i)),
      ...[0, 1, 2].map((i) => claim(`dec-kid-${i}`, `dec-cp-k${i}`, 10 + i)),
      claim('dec-buyer', 'dec-cp-own', 20),
    ];
    const ack = await sendBatch(harness, ingest, claims);
    expect(ack.rejected).toEqual([]);
    const coupon = (accountId: string, couponId: string, unitPrice: number) => order({ accountId, couponId, discount: 2_000, unitPrice, quantity: 1 });
    // Its own coupon, under the threshold: the rule broken at order time.
    const under = await decide(coupon('dec-buyer', 'dec-cp-own', 6_000));
    expect(under).toMatchObject({ decision: 'review', riskCodes: ['coupon_below_min_spend'] });
    // A parent spends the three children's coupons: no pool, nothing to say.
    for (let i = 0; i < 3; i++) {
      const answer = await decide(coupon('dec-parent', `dec-cp-k${i}`, 12_000));
      expect(answer).toMatchObject({ decision: 'pass', riskCodes: [] });
    }
    // One account spends the stock's five coupons: from the fourth other claimer on, a pool.
    const answers: Decision[] = [];
    for (let i = 0; i < 5; i++) answers.push(await decide(coupon('dec-spender', `dec-cp-s${i}`, 12_000)));
    expect(answers.slice(0, 3).map((answer) => answer.decision)).toEqual(['pass', 'pass', 'pass']);
    expect(answers[3]).toMatchObject({ decision: 'review', riskCodes: ['coupon_pooled'] });
    // A coupon id spent a second time.
    const again = await decide(coupon('dec-other', 'dec-cp-s0', 12_000));
    expect(again.riskCodes).toContain('coupon_reused');
  });

  it('applies block, gray and allow entries by scope and expiry', async () => {
    const blocked = await putEntry({ list: 'block', type: 'device', value: 'dec-bad-dev', reason: 'farm handset' });
    expect(blocked.status).toBe(201);
    expect((await decide(order({ deviceId: 'dec-bad-dev' }))).decision).toBe('reject');
    expect((await decide(order({ deviceId: 'dec-bad-dev' }))).riskCodes[0]).toBe('blocklisted');

    // Scoped to merchant 2: an order in merchant 1's stream passes, one in merchant 2's is reviewed.
    expect((await putEntry({ list: 'gray', type: 'account', value: 'dec-gray', scope: { merchantId: 'dec-merchant-2' }, reason: 'chargebacks' })).status).toBe(201);
    expect((await decide(order({ accountId: 'dec-gray' }))).decision).toBe('pass');
    const inScope = await decide(order({ accountId: 'dec-gray', roomId: 'dec-room-2', streamId: 'dec-stream-2' }));
    expect(inScope.decision).toBe('review');
    expect(inScope.riskCodes).toContain('graylisted');

    // Expired: no effect.
    expect((await putEntry({ list: 'block', type: 'ip', value: '192.0.2.9', expiresAt: '2020-01-01T00:00:00Z', reason: 'old' })).status).toBe(201);
    expect((await decide(order({ ip: '192.0.2.9' }))).decision).toBe('pass');

    // Allow overrides the score: an emulator with an order before the opening, vouched for.
    const risky = { skuId: 'dec-sku-flash', ts: T0 + 50_000, device: { emulator: true, hooked: true } };
    expect((await decide(order({ accountId: 'dec-qa', ...risky }))).decision).toBe('reject');
    expect((await putEntry({ list: 'allow', type: 'account', value: 'dec-qa', reason: 'platform QA' })).status).toBe(201);
    const vouched = await decide(order({ accountId: 'dec-qa', ...risky }));
    expect(vouched.decision).toBe('pass');
    expect(vouched.riskCodes[0]).toBe('allowlisted');

    // The enforcement allow-list is a view of the allow list.
    const view = await harness.request<{ items: Array<{ subjectId: string }> }>('/v1/policy/allow-list', admin);
    expect(view.body.items.map((item) => item.subjectId)).toContain('dec-qa');

    // Removed: the block no longer applies; every change is in the audit.
    expect((await harness.request(`/v1/lists/${blocked.body.id}`, { method: 'DELETE', ...admin })).status).toBe(204);
    expect((await decide(order({ deviceId: 'dec-bad-dev' }))).decision).toBe('pass');
    const audit = await harness.request<{ items: Array<{ action: string; target: string }> }>('/v1/lists/audit', { key: reviewer });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((item) => `${item.action} ${item.target}`)).toEqual(
      expect.arrayContaining(['list.put block:device:dec-bad-dev', 'list.delete block:device:dec-bad-dev', 'list.put allow:account:dec-qa']),
    );
    // Reviewers read lists and cannot change them.
    expect((await harness.request('/v1/lists', { key: reviewer })).status).toBe(200);
    expect((await harness.request('/v1/lists', { method: 'POST', key: reviewer, body: { list: 'block', type: 'ip', value: '1.2.3.4' } })).status).toBe(401);
  });

  it('records a shadow rule and changes nothing; a live rule changes the decision; stats count both', async () => {
    const when = { '==': [{ var: 'event.quantity' }, 7] };
    const rule = { description: 'seven units at once', appliesTo: ['order.placed'], when, score: 0.5, riskCode: 'seven_units', mode: 'shadow', enabled: true };
    expect((await putRule('dec-seven', rule)).status).toBe(200);
    const shadowed = await decide(order({ quantity: 7 }));
    expect(shadowed).toMatchObject({ decision: 'pass', score: 0, riskCodes: [], rules: [{ id: 'dec-seven', score: 0.5, mode: 'shadow' }] });

    expect((await putRule('dec-seven', { ...rule, mode: 'live' })).status).toBe(200);
    const live = await decide(order({ quantity: 7 }));
    expect(live).toMatchObject({ decision: 'review', score: 0.5, riskCodes: ['seven_units'], rules: [{ id: 'dec-seven', score: 0.5, mode: 'live' }] });

    const stats = await harness.request<{ matched: { live: number; shadow: number }; outcomes: Record<string, number> }>('/v1/rules/dec-seven/stats', admin);
    expect(stats.body.matched).toEqual({ live: 1, shadow: 1 });
    expect(stats.body.outcomes).toEqual({ pass: 1, review: 1, reject: 0 });
    expect((await harness.request('/v1/rules/dec-seven', { method: 'DELETE', ...admin })).status).toBe(204);
    expect((await decide(order({ quantity: 7 }))).decision).toBe('pass');
  });

  it('refuses a rule that does not parse or names an unknown feature, naming `when`', async () => {
    const base = { description: 'bad', appliesTo: ['order.placed'], score: 0.5, riskCode: 'bad_rule', mode: 'live' };
    const unknown = await putRule('dec-bad', { ...base, when: { '>': [{ var: 'account.shoeSize' }, 3] } });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { message: string }).message).toMatch(/^when: .*account\.shoeSize/);
    const unparsable = await putRule('dec-bad', { ...base, when: { frobnicate: [1, 2] } });
    expect(unparsable.status).toBe(400);
    expect((unparsable.body as { message: string }).message).toMatch(/^when: .*frobnicate/);
    expect((await harness.request('/v1/rules/dec-bad', admin)).status).toBe(404);
  });

  it('lists stored decisions newest first, by account, decision and risk code, with a cursor', async () => {
    const page = await harness.request<{ items: Array<Decision & { accountId: string }>; nextCursor: string | null }>('/v1/decisions?riskCode=cloud_phone&limit=2', { key: reviewer });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items.map((item) => item.accountId)).toEqual(['dec-farm-4', 'dec-farm-3']);
    const next = await harness.request<{ items: Array<{ accountId: string }> }>(`/v1/decisions?riskCode=cloud_phone&limit=2&cursor=${page.body.nextCursor}`, { key: reviewer });
    expect(next.body.items.map((item) => item.accountId)).toEqual(['dec-farm-2', 'dec-farm-1']);
    const rejects = await harness.request<{ items: Array<{ decision: string }> }>('/v1/decisions?decision=reject&accountId=dec-farm-4', { key: reviewer });
    expect(rejects.body.items).toHaveLength(1);
    expect((await harness.request('/v1/decisions?cursor=nope', { key: reviewer })).status).toBe(400);
  });

  it('reads reports on the account, and counts the matched accounts a report confirmed later', async () => {
    const join = (id: string) => ({ id, type: 'viewer.joined', roomId: 'dec-room-1', streamId: 'dec-stream-1', ts: T0 + 5_000, accountId: 'dec-later', accountCreatedAt: T0 - 90 * DAY });
    const rule = { description: 'every join', appliesTo: ['viewer.joined'], when: { '==': [{ var: 'event.type' }, 'viewer.joined'] }, score: 0.1, riskCode: 'any_join', mode: 'shadow' };
    expect((await putRule('dec-joins', rule)).status).toBe(200);
    expect((await decide(join('dec-later-1'))).decision).toBe('pass');
    // Planted: a reviewer confirmed a report on the account after that decision (the detectors are not what is tested here).
    await harness.query(
      `INSERT INTO reports (kind, subject_type, subject_id, room_id, stream_id, score, severity, status, summary, detected_at)
       VALUES ('injected_viewers', 'account', 'dec-later', 'dec-room-1', 'dec-stream-1', 0.9, 'high', 'confirmed', 'planted', $1)`,
      [T0],
    );
    const stats = await harness.request<{ matchedAccounts: number; laterConfirmedAccounts: number }>('/v1/rules/dec-joins/stats', admin);
    expect(stats.body).toMatchObject({ matchedAccounts: 1, laterConfirmedAccounts: 1 });
    // Decisions hold standings in memory and hear a report within a second (STANDINGS_REFRESH_MS).
    const state = harness.app.get(DecisionState);
    await waitFor('the planted report in the account\'s standing', () => (state.standings.standing('dec-later').confirmed === 1 ? true : undefined), { timeoutMs: 5_000 });
    const after = await decide(join('dec-later-2'));
    expect(after.riskCodes).toEqual(['confirmed_report_account']);
    expect(after.decision).toBe('review');
  });

  it('times every decision in the Prometheus histogram, by event type and decision', async () => {
    const response = await fetch(`${harness.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const text = await response.text();
    expect(text).toMatch(/roomwatch_decision_seconds_count\{event_type="order.placed",decision="reject"\} [1-9]/);
    expect(text).toMatch(/roomwatch_decision_seconds_bucket\{le="0.005",event_type="order.placed",decision="pass"\} \d+/);
  });
});

describe('a restart', () => {
  it('answers the same decision for the same state, profiles rebuilt from the log', async () => {
    const first = await startTestApp('decisions_restart');
    const ingest = (await first.createKey('ingest')).key;
    let second: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      const ack = await sendBatch(first, ingest, [
        { id: 'rs-s', type: 'stream.started', roomId: 'rs-room', streamId: 'rs-stream', ts: T0, merchantId: 'rs-m' },
        { id: 'rs-sale', type: 'sale.opened', roomId: 'rs-room', streamId: 'rs-stream', ts: T0 + 60_000, skuId: 'rs-sku', salePrice: 1, listPrice: 9, currency: 'CNY', stock: 10, perAccountLimit: 1 },
        ...[1, 2, 3, 4].map((i) => ({ id: `rs-j${i}`, type: 'viewer.joined', roomId: 'rs-room', streamId: 'rs-stream', ts: T0 + i, accountId: `rs-a${i}`, deviceId: 'rs-dev', ip: '203.0.113.5', accountCreatedAt: T0 - DAY * 30, device: { rooted: true } })),
      ]);
      expect(ack.accepted).toBe(6);
      const probe = (id: string) => ({
        id, type: 'order.placed', roomId: 'rs-room', streamId: 'rs-stream', ts: T0 + 60_100, accountId: 'rs-a5', deviceId: 'rs-dev', ip: '203.0.113.5',
        orderId: `${id}-o`, skuId: 'rs-sku', quantity: 2, unitPrice: 1, listPrice: 9, currency: 'CNY',
      });
      const before = await first.request<Decision>('/v1/decisions', { method: 'POST', key: ingest, body: probe('rs-probe-1') });
      expect(before.body.riskCodes).toEqual(expect.arrayContaining(['rooted', 'device_many_accounts', 'machine_speed_after_open', 'over_purchase_limit']));

      await first.app.close();
      second = await startApp(first.config);
      const baseUrl = `http://127.0.0.1:${portOf(second)}`;
      const resent = await callJson<Decision>(baseUrl, '/v1/decisions', { method: 'POST', key: ingest, body: probe('rs-probe-1') });
      expect(resent.body).toEqual(before.body);
      // Decided again from scratch: the stored decision removed, the event already in the log (its own order is
      // counted once either way), the profiles rebuilt from the log at boot.
      const client = new pg.Client({ connectionString: first.databaseUrl });
      await client.connect();
      await client.query('DELETE FROM decisions WHERE event_id = $1', ['rs-probe-1']);
      await client.end();
      const recomputed = await callJson<Decision>(baseUrl, '/v1/decisions', { method: 'POST', key: ingest, body: probe('rs-probe-1') });
      expect({ ...recomputed.body, decidedAt: 'x' }).toEqual({ ...before.body, decidedAt: 'x' });
    } finally {
      await second?.close();
      await dropDatabase(first.databaseUrl);
    }
  }, 60_000);
});
