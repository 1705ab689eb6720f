import fc from 'fast-check';
import pg from 'pg';
import { ROOM_EVENT_TYPES } from '../src/events/event.schema.js';
import { emitWithAck, startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

/**
 * Issue 12's fuzz suite: generated inputs over ingest (socket.io and HTTP)
 * and every reviewer, merchant and admin route. Whatever comes in, the
 * service never answers 5xx, every rejection names its field, and every good
 * event of a mixed batch is stored. The run's seed is printed when a property
 * fails; `FUZZ_SEED=<seed> npm run test:e2e -- test/fuzz.e2e-spec.ts` replays it.
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const T0 = 1_764_000_000_000;
const MERCHANT = 'fz-merchant';
const STREAMS = ['fz-stream-0', 'fz-stream-1', 'fz-stream-2'];

/** A rejection that names what is wrong: `field: …`, `a.b: …`, `line 3: …`, `reportId or ids: …`. */
const NAMES_A_FIELD = /^([A-Za-z][\w-]*(\.[\w-]+)*( or [A-Za-z][\w-]*)?|line \d+): \S/;

async function check<T>(name: string, property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns });
  } catch (error) {
    console.error(`fuzz "${name}" failed with seed ${SEED}: replay with FUZZ_SEED=${SEED}`);
    throw error;
  }
}

// ---------------------------------------------------------------- values

const LONE_SURROGATES = ['\ud800', 'a\udc00b', '\udbff'];
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    ...LONE_SURROGATES,
    'x'.repeat(129),
    'x'.repeat(10_000),
    '😀'.repeat(600),
    '2147483648',
    '-1',
    '1e400',
    'NaN',
    '9999-99-99 99:99:99+00',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '../..',
    '%00',
    'null',
    'room-1',
    ...STREAMS,
    MERCHANT,
    '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c',
    '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c-v2147483648',
    'injected_viewers',
    'confirmed',
    'failed',
    'account',
  ),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 0.5, 200_000_000_000_000),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Text as a URL carries it: UTF-8 percent-encoded, or raw bytes (invalid UTF-8 included). */
function percentEncode(bytes: Uint8Array): string {
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}
// Node's HTTP parser refuses request lines past 16 KB itself (431, no body), before the app sees them.
const urlText = fc.oneof(
  { weight: 4, arbitrary: hostileString.filter((text) => text.length <= 2_000).map((text) => percentEncode(new TextEncoder().encode(text))) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map(percentEncode) },
  { weight: 1, arbitrary: hostileNumber.map((n) => encodeURIComponent(String(n))) },
);
const optionalQuery = (names: readonly string[]) =>
  fc
    .subarray([...names])
    .chain((picked) => fc.tuple(...picked.map((name) => urlText.map((value) => `${name}=${value}`))))
    .map((pairs) => (pairs.length > 0 ? `?${pairs.join('&')}` : ''));

// ---------------------------------------------------------------- routes

/** A stream the ingest properties created, so read routes reach their queries. */
const knownStream = fc.constantFrom(...STREAMS);
/** Event times around the run's, and the far ones that break naive arithmetic (issue 12 defect 2). */
const eventTimeText = fc
  .oneof(fc.integer({ min: T0 - 3_600_000, max: T0 + 7_200_000 }), fc.constantFrom(0, 200_000_000_000_000, 2 ** 53 - 1, 2 ** 53, 8.64e15, 1e300))
  .map(String);

type Role = 'reviewer' | 'merchant' | 'admin' | 'ingest';
interface RouteCase {
  route: string;
  method: string;
  path: string;
  role: Role;
  body?: string;
}

const bodyText = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record(shape, { requiredKeys: [] }).map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '[1,', '{"version":1e400}', 'null', '"text"') },
  );
const field = (plausible: fc.Arbitrary<unknown>) => fc.oneof(plausible, hostileValue);

/** Every controller route (`routes are all fuzzed` checks this list against the app's router). */
const ROUTES: Array<{ route: string; method: string; role: Role; build: fc.Arbitrary<{ path: string; body?: string }> }> = [
  { route: '/v1/whoami', method: 'GET', role: 'reviewer', build: fc.constant({ path: '/v1/whoami' }) },
  { route: '/v1/streams', method: 'GET', role: 'merchant', build: optionalQuery(['merchantId', 'roomId', 'limit']).map((q) => ({ path: `/v1/streams${q}` })) },
  { route: '/v1/streams/:streamId', method: 'GET', role: 'reviewer', build: urlText.map((id) => ({ path: `/v1/streams/${id}` })) },
  {
    route: '/v1/streams/:streamId/timeline',
    method: 'GET',
    role: 'merchant',
    build: fc
      .tuple(fc.oneof(knownStream, urlText), fc.option(eventTimeText), fc.option(eventTimeText), optionalQuery(['from', 'to']))
      .map(([id, from, to, q]) => {
        const window = [from === null ? '' : `from=${from}`, to === null ? '' : `to=${to}`].filter(Boolean).join('&');
        return { path: `/v1/streams/${id}/timeline${window ? `?${window}` : q}` };
      }),
  },
  {
    route: '/v1/streams/:streamId/accounts',
    method: 'GET',
    role: 'reviewer',
    build: fc.tuple(urlText, optionalQuery(['reportId', 'ids'])).map(([id, q]) => ({ path: `/v1/streams/${id}/accounts${q}` })),
  },
  {
    route: '/v1/streams/:streamId/sales-audit',
    method: 'GET',
    role: 'merchant',
    build: fc.oneof(knownStream, urlText).map((id) => ({ path: `/v1/streams/${id}/sales-audit` })),
  },
  {
    route: '/v1/reports',
    method: 'GET',
    role: 'reviewer',
    build: optionalQuery(['kind', 'status', 'subjectType', 'roomId', 'streamId', 'accountId', 'limit', 'cursor', 'sort', 'severity', 'merchantId', 'deviceId', 'ip', 'phoneHash', 'claimed']).map((q) => ({ path: `/v1/reports${q}` })),
  },
  {
    route: '/v1/reports/bulk-decision',
    method: 'POST',
    role: 'reviewer',
    build: bodyText({
      decision: field(fc.constantFrom('confirmed', 'dismissed')),
      note: field(fc.string()),
      items: field(fc.array(fc.record({ id: field(fc.uuid()), version: field(fc.nat()) }, { requiredKeys: [] }), { maxLength: 5 })),
    }).map((body) => ({ path: '/v1/reports/bulk-decision', body })),
  },
  { route: '/v1/reports/:id/claim', method: 'POST', role: 'reviewer', build: urlText.map((id) => ({ path: `/v1/reports/${id}/claim`, body: '{}' })) },
  { route: '/v1/reports/:id/claim', method: 'DELETE', role: 'reviewer', build: urlText.map((id) => ({ path: `/v1/reports/${id}/claim` })) },
  { route: '/v1/accounts', method: 'GET', role: 'reviewer', build: optionalQuery(['deviceId', 'ip', 'subnet', 'phoneHash']).map((q) => ({ path: `/v1/accounts${q}` })) },
  { route: '/v1/accounts/:accountId', method: 'GET', role: 'reviewer', build: fc.oneof(fc.constantFrom('fz-acct-1', 'fz-acct-2'), urlText).map((id) => ({ path: `/v1/accounts/${id}` })) },
  { route: '/v1/reports/:id', method: 'GET', role: 'reviewer', build: urlText.map((id) => ({ path: `/v1/reports/${id}` })) },
  { route: '/v1/reports/:id/decisions', method: 'GET', role: 'reviewer', build: urlText.map((id) => ({ path: `/v1/reports/${id}/decisions` })) },
  {
    route: '/v1/reports/:id/decision',
    method: 'POST',
    role: 'reviewer',
    build: fc
      .tuple(urlText, bodyText({ decision: field(fc.constantFrom('confirmed', 'dismissed')), note: field(fc.string()), version: field(fc.nat()) }))
      .map(([id, body]) => ({ path: `/v1/reports/${id}/decision`, body })),
  },
  { route: '/v1/deliveries', method: 'GET', role: 'reviewer', build: optionalQuery(['status', 'reportId', 'limit']).map((q) => ({ path: `/v1/deliveries${q}` })) },
  { route: '/v1/deliveries/:id', method: 'GET', role: 'admin', build: urlText.map((id) => ({ path: `/v1/deliveries/${id}` })) },
  { route: '/v1/deliveries/:id/retry', method: 'POST', role: 'reviewer', build: urlText.map((id) => ({ path: `/v1/deliveries/${id}/retry`, body: '{}' })) },
  { route: '/v1/api-keys', method: 'GET', role: 'admin', build: fc.constant({ path: '/v1/api-keys' }) },
  {
    route: '/v1/api-keys',
    method: 'POST',
    role: 'admin',
    build: bodyText({ role: field(fc.constantFrom('ingest', 'reviewer', 'merchant')), merchantId: field(fc.string()), name: field(fc.string()) }).map((body) => ({ path: '/v1/api-keys', body })),
  },
  { route: '/v1/api-keys/:id', method: 'DELETE', role: 'admin', build: urlText.map((id) => ({ path: `/v1/api-keys/${id}` })) },
  { route: '/v1/policy/thresholds', method: 'GET', role: 'admin', build: fc.constant({ path: '/v1/policy/thresholds' }) },
  { route: '/v1/policy/thresholds/:kind', method: 'GET', role: 'admin', build: urlText.map((kind) => ({ path: `/v1/policy/thresholds/${kind}` })) },
  {
    route: '/v1/policy/thresholds/:kind',
    method: 'PUT',
    role: 'admin',
    build: fc
      .tuple(
        fc.oneof(fc.constantFrom('injected_viewers', 'scripted_comments', 'refund_brushing', 'inflated_gmv'), urlText),
        bodyText({
          autoEnforceScore: field(fc.double({ min: 0, max: 1, noNaN: true })),
          severityBands: field(fc.record({ medium: fc.double({ min: 0, max: 1 }), high: fc.double({ min: 0, max: 1 }) })),
          expiresAt: field(fc.date({ noInvalidDate: true }).map((date) => date.toISOString())),
        }),
      )
      .map(([kind, body]) => ({ path: `/v1/policy/thresholds/${kind}`, body })),
  },
  {
    route: '/v1/policy/allow-list',
    method: 'GET',
    role: 'admin',
    build: optionalQuery(['subjectType', 'subjectId']).map((q) => ({ path: `/v1/policy/allow-list${q}` })),
  },
  {
    route: '/v1/policy/allow-list',
    method: 'POST',
    role: 'admin',
    build: bodyText({
      subjectType: field(fc.constantFrom('account', 'room')),
      subjectId: field(fc.string({ minLength: 1, maxLength: 20 })),
      reason: field(fc.string()),
      expiresAt: field(fc.date({ noInvalidDate: true }).map((date) => date.toISOString())),
    }).map((body) => ({ path: '/v1/policy/allow-list', body })),
  },
  { route: '/v1/policy/allow-list/:id', method: 'DELETE', role: 'admin', build: urlText.map((id) => ({ path: `/v1/policy/allow-list/${id}` })) },
  { route: '/v1/policy/audit', method: 'GET', role: 'admin', build: optionalQuery(['limit']).map((q) => ({ path: `/v1/policy/audit${q}` })) },
  { route: '/v1/decisions', method: 'GET', role: 'reviewer', build: optionalQuery(['accountId', 'decision', 'riskCode', 'limit', 'cursor']).map((q) => ({ path: `/v1/decisions${q}` })) },
  {
    route: '/v1/decisions',
    method: 'POST',
    role: 'ingest',
    build: bodyText({
      id: field(fc.string({ minLength: 1, maxLength: 20 })),
      type: field(fc.constantFrom('order.placed', 'coupon.claimed', 'viewer.joined', 'account.registered', 'like')),
      roomId: field(fc.constant('fz-room-0')),
      streamId: field(fc.constant('fz-stream-0')),
      ts: field(fc.integer({ min: 0, max: 2 ** 45 })),
      accountId: field(fc.constantFrom('fz-acct-1', 'fz-acct-2')),
      couponId: field(fc.constant('cpn-1')),
      campaignId: field(fc.constant('camp-1')),
      value: field(fc.integer({ min: 0, max: 100_000 })),
    }).map((body) => ({ path: '/v1/decisions', body })),
  },
  { route: '/v1/lists', method: 'GET', role: 'reviewer', build: optionalQuery(['list', 'type', 'value']).map((q) => ({ path: `/v1/lists${q}` })) },
  {
    route: '/v1/lists',
    method: 'POST',
    role: 'admin',
    build: bodyText({
      list: field(fc.constantFrom('block', 'gray', 'allow')),
      type: field(fc.constantFrom('account', 'device', 'ip', 'subnet', 'phone', 'address', 'payment')),
      value: field(fc.string({ minLength: 1, maxLength: 20 })),
      scope: field(fc.record({ campaignId: fc.string(), roomId: fc.string() }, { requiredKeys: [] })),
      reason: field(fc.string()),
      expiresAt: field(fc.date({ noInvalidDate: true }).map((date) => date.toISOString())),
    }).map((body) => ({ path: '/v1/lists', body })),
  },
  { route: '/v1/lists/:id', method: 'DELETE', role: 'admin', build: urlText.map((id) => ({ path: `/v1/lists/${id}` })) },
  { route: '/v1/lists/audit', method: 'GET', role: 'reviewer', build: optionalQuery(['limit', 'target']).map((q) => ({ path: `/v1/lists/audit${q}` })) },
  { route: '/v1/rules', method: 'GET', role: 'admin', build: fc.constant({ path: '/v1/rules' }) },
  { route: '/v1/rules/features', method: 'GET', role: 'admin', build: fc.constant({ path: '/v1/rules/features' }) },
  { route: '/v1/rules/:id', method: 'GET', role: 'admin', build: urlText.map((id) => ({ path: `/v1/rules/${id}` })) },
  {
    route: '/v1/rules/:id',
    method: 'PUT',
    role: 'admin',
    build: fc
      .tuple(
        urlText,
        bodyText({
          description: field(fc.string()),
          appliesTo: field(fc.subarray(['order.placed', 'coupon.claimed', 'viewer.joined', 'account.registered'])),
          when: field(fc.oneof(fc.constant({ var: 'device.emulator' }), fc.constant({ '>': [{ var: 'nope' }, 1] }), fc.jsonValue())),
          score: field(fc.double()),
          riskCode: field(fc.constantFrom('fz_rule', 'Bad Code')),
          mode: field(fc.constantFrom('live', 'shadow')),
          enabled: field(fc.boolean()),
        }),
      )
      .map(([id, body]) => ({ path: `/v1/rules/${id}`, body })),
  },
  { route: '/v1/rules/:id', method: 'DELETE', role: 'admin', build: urlText.map((id) => ({ path: `/v1/rules/${id}` })) },
  { route: '/v1/rules/:id/stats', method: 'GET', role: 'admin', build: urlText.map((id) => ({ path: `/v1/rules/${id}/stats` })) },
  { route: '/v1/status', method: 'GET', role: 'reviewer', build: fc.constant({ path: '/v1/status' }) },
  { route: '/v1/quarantine', method: 'GET', role: 'admin', build: optionalQuery(['limit', 'all']).map((q) => ({ path: `/v1/quarantine${q}` })) },
  { route: '/v1/quarantine/:seq/replay', method: 'POST', role: 'admin', build: urlText.map((seq) => ({ path: `/v1/quarantine/${seq}/replay`, body: '{}' })) },
  { route: '/metrics', method: 'GET', role: 'admin', build: optionalQuery(['name']).map((q) => ({ path: `/metrics${q}` })) },
  { route: '/health/live', method: 'GET', role: 'reviewer', build: fc.constant({ path: '/health/live' }) },
  { route: '/health/ready', method: 'GET', role: 'reviewer', build: fc.constant({ path: '/health/ready' }) },
];

const routeCase: fc.Arbitrary<RouteCase> = fc
  .constantFrom(...ROUTES)
  .chain((route) => route.build.map((built) => ({ route: route.route, method: route.method, role: route.role, ...built })));

// ---------------------------------------------------------------- events

const account = fc.constantFrom('fz-acct-1', 'fz-acct-2', 'fz-acct-3', 'fz-acct-4');
const eventBase = { roomId: fc.constantFrom('fz-room-0', 'fz-room-1'), streamId: fc.constantFrom(...STREAMS), ts: fc.integer({ min: T0, max: T0 + 3_600_000 }) };

/** Events valid under the contract and whatever state the run is in (one merchant, small money). */
const goodEvent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ ...eventBase, type: fc.constant('stream.started'), merchantId: fc.constant(MERCHANT) }),
  fc.record({ ...eventBase, type: fc.constant('viewer.joined'), accountId: account, deviceId: fc.constantFrom('d1', 'd2') }),
  fc.record({ ...eventBase, type: fc.constant('viewer.left'), accountId: account }),
  fc.record({ ...eventBase, type: fc.constant('viewer.count'), displayed: fc.integer({ min: 0, max: 100_000 }) }),
  fc.record({ ...eventBase, type: fc.constant('like'), accountId: account, count: fc.integer({ min: 1, max: 50 }) }),
  fc.record({
    ...eventBase,
    type: fc.constant('comment'),
    accountId: account,
    text: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }), fc.constantFrom('666', '😀'.repeat(500), '１', '老铁双击')),
  }),
  fc.record({ ...eventBase, type: fc.constant('order.paid'), accountId: account, orderId: fc.constantFrom('o1', 'o2'), amount: fc.integer({ min: 1, max: 1_000_000 }) }),
  // v2 (CONTRACT.md §1): flash sales, coupons in and outside rooms, sign-ups of no room, the v2 order and refund fields.
  fc.record({
    ...eventBase,
    type: fc.constant('sale.opened'),
    skuId: fc.constantFrom('sku-1', 'sku-2'),
    salePrice: fc.integer({ min: 0, max: 100_000 }),
    listPrice: fc.integer({ min: 0, max: 100_000 }),
    currency: fc.constant('CNY'),
    stock: fc.integer({ min: 1, max: 1_000 }),
    perAccountLimit: fc.integer({ min: 1, max: 5 }),
  }),
  fc
    .record(
      {
        roomId: fc.constant('fz-room-0'),
        streamId: fc.constantFrom(...STREAMS),
        ts: eventBase.ts,
        type: fc.constant('coupon.claimed'),
        accountId: account,
        couponId: fc.constantFrom('cpn-1', 'cpn-2', '券-3'),
        campaignId: fc.constantFrom('camp-1', 'welcome'),
        value: fc.integer({ min: 0, max: 100_000 }),
        minSpend: fc.integer({ min: 0, max: 1_000_000 }),
        device: fc.record({ hooked: fc.boolean(), cloudPhone: fc.boolean(), multiInstance: fc.boolean() }, { requiredKeys: [] }),
      },
      { requiredKeys: ['ts', 'type', 'accountId', 'couponId', 'campaignId', 'value'] },
    )
    // In a room or outside any: roomId and streamId together or not at all.
    .map(({ roomId, streamId, ...claim }) => (roomId !== undefined && streamId !== undefined ? { ...claim, roomId, streamId } : claim)),
  fc.record(
    {
      ts: eventBase.ts,
      type: fc.constant('account.registered'),
      accountId: account,
      phoneHash: fc.constantFrom('ph-1', 'ph-2'),
      channel: fc.constantFrom('app_store', '直播间', 'ad'),
      device: fc.record({ model: fc.constantFrom('PJZ110', 'iPhone15,2'), cloudPhone: fc.boolean(), multiInstance: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: ['ts', 'type', 'accountId'] },
  ),
  fc
    .record({
      ...eventBase,
      type: fc.constant('order.placed'),
      accountId: account,
      orderId: fc.constantFrom('o1', 'o2'),
      skuId: fc.constantFrom('sku-1', 'sku-2'),
      quantity: fc.integer({ min: 1, max: 5 }),
      unitPrice: fc.integer({ min: 1, max: 100_000 }),
      listPrice: fc.integer({ min: 1, max: 100_000 }),
      currency: fc.constant('CNY'),
      couponId: fc.constantFrom('cpn-1', 'cpn-2'),
      discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
      virtual: fc.boolean(),
      category: fc.constantFrom('beauty', '生鲜'),
      device: fc.record({ hooked: fc.boolean(), cloudPhone: fc.boolean() }),
    })
    .map(({ discountShare, ...order }) => ({ ...order, discount: Math.floor(order.unitPrice * order.quantity * discountShare) })),
  fc.record({
    ...eventBase,
    type: fc.constant('order.refunded'),
    accountId: account,
    orderId: fc.constantFrom('o1', 'o2'),
    amount: fc.integer({ min: 1, max: 100_000 }),
    returned: fc.boolean(),
    reason: fc.constantFrom('spoiled on arrival', '尺码不合适'),
  }),
);

const REQUIRED: Record<string, string[]> = {
  'stream.started': ['id', 'type', 'roomId', 'streamId', 'ts', 'merchantId'],
  'viewer.joined': ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId'],
  'viewer.left': ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId'],
  'viewer.count': ['id', 'type', 'roomId', 'streamId', 'ts', 'displayed'],
  like: ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId', 'count'],
  comment: ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId', 'text'],
  'order.paid': ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId', 'orderId', 'amount'],
  'sale.opened': ['id', 'type', 'roomId', 'streamId', 'ts', 'skuId', 'salePrice', 'listPrice', 'currency', 'stock'],
  // roomId and streamId are optional together: sending one alone is a breakage of its own below.
  'coupon.claimed': ['id', 'type', 'ts', 'accountId', 'couponId', 'campaignId', 'value'],
  'account.registered': ['id', 'type', 'ts', 'accountId'],
  'order.placed': ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId', 'orderId', 'skuId', 'quantity', 'unitPrice', 'listPrice', 'currency'],
  'order.refunded': ['id', 'type', 'roomId', 'streamId', 'ts', 'accountId', 'orderId', 'amount'],
};

/** A change that makes any good event invalid. */
type Breakage = (event: Record<string, unknown>) => unknown;
const breakage: fc.Arbitrary<Breakage> = fc.oneof(
  fc.nat().map((n): Breakage => (event) => {
    const keys = REQUIRED[event.type as string]!;
    const { [keys[n % keys.length]!]: _dropped, ...rest } = event;
    return rest;
  }),
  fc.tuple(fc.nat(), fc.constantFrom('', 'a\u0000b', 'x'.repeat(1001), ...LONE_SURROGATES, 42, null, [])).map(
    ([n, bad]): Breakage =>
      (event) => {
        const strings = REQUIRED[event.type as string]!.filter((key) => typeof event[key] === 'string' && key !== 'type');
        return { ...event, [strings[n % strings.length]!]: bad };
      },
  ),
  fc.constantFrom(-1, 1.5, '1764000000000', null, 2 ** 53, Number.POSITIVE_INFINITY).map((ts): Breakage => (event) => ({ ...event, ts })),
  hostileString.filter((type) => !(ROOM_EVENT_TYPES as string[]).includes(type)).map((type): Breakage => (event) => ({ ...event, type })),
  fc.constantFrom(null, 42, 'event', [], [1]).map((replacement): Breakage => () => replacement),
  // v2: a coupon claimed with a room but no stream (or the reverse), a sign-up in a room, a discount above the order's value.
  fc.constantFrom('roomId', 'streamId').map(
    (half): Breakage =>
      ({ roomId: _room, streamId: _stream, ...event }) => ({ ...event, type: 'coupon.claimed', accountId: 'fz-acct-1', couponId: 'c', campaignId: 'k', value: 1, [half]: 'fz-half' }),
  ),
  fc.constant<Breakage>((event) => ({ ...event, type: 'account.registered', accountId: 'fz-acct-1', roomId: 'fz-room-0' })),
  fc.constant<Breakage>((event) => ({ ...event, type: 'order.placed', accountId: 'fz-acct-1', orderId: 'o1', skuId: 's', quantity: 1, unitPrice: 10, listPrice: 10, currency: 'CNY', discount: 11 })),
  fc.constantFrom('😀'.repeat(501), 'a'.repeat(1001), '', '😀'.repeat(200_000)).map(
    (text): Breakage =>
      (event) => ({ ...event, type: 'comment', accountId: 'fz-acct-1', text }),
  ),
);

const mixedBatch = fc.array(fc.oneof({ weight: 3, arbitrary: goodEvent.map((event) => ({ event })) }, { weight: 2, arbitrary: fc.tuple(goodEvent, breakage).map(([event, broken]) => ({ event, broken })) }), {
  minLength: 1,
  maxLength: 40,
});

// ---------------------------------------------------------------- suite

describe('fuzz', () => {
  let harness: TestApp;
  let db: pg.Client;
  const keys = {} as Record<Role, string>;
  let run = 0;

  beforeAll(async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    // Generated calls include wrong keys; the failed-auth limit is e2e-tested on its own.
    harness = await startTestApp('fuzz', { AUTH_FAILURE_LIMIT: '1000000', LOG_LEVEL: 'error' });
    keys.ingest = (await harness.createKey('ingest')).key;
    keys.reviewer = (await harness.createKey('reviewer')).key;
    keys.merchant = (await harness.createKey('merchant', MERCHANT)).key;
    keys.admin = TEST_ADMIN_KEY;
    db = new pg.Client({ connectionString: harness.databaseUrl });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db.end();
    await harness.close();
  });

  type Ack = { accepted: number; duplicates: number; rejected: Array<{ index: number; id?: string; error: string }>; error?: unknown };

  /** The ack holds exactly the broken events, each naming a field, and every good event is in the log. */
  async function expectBatchHandled(batch: Array<{ event: Record<string, unknown>; broken?: Breakage }>, sent: unknown[], ack: Ack): Promise<void> {
    const badIndexes = batch.flatMap((item, index) => (item.broken ? [index] : []));
    expect(ack.error).toBeUndefined();
    expect(ack.rejected.map((rejection) => rejection.index)).toEqual(badIndexes);
    for (const rejection of ack.rejected) expect(rejection.error).toMatch(NAMES_A_FIELD);
    const goodIds = batch.flatMap((item, index) => (item.broken ? [] : [(sent[index] as { id: string }).id]));
    expect(ack.accepted + ack.duplicates).toBe(goodIds.length);
    const stored = await db.query<{ count: string }>('SELECT count(*) FROM events WHERE event_id = ANY($1)', [goodIds]);
    expect(Number(stored.rows[0]!.count)).toBe(goodIds.length);
  }

  function materialise(batch: Array<{ event: Record<string, unknown>; broken?: Breakage }>): unknown[] {
    run++;
    return batch.map(({ event, broken }, index) => {
      const withId = { id: `fz-${run}-${index}`, ...event };
      return broken ? broken(withId) : withId;
    });
  }

  it('stores every good event of mixed batches over socket.io, rejecting each bad one by field', async () => {
    const socket = await harness.connect('/ingest', keys.ingest);
    await check(
      'socket ingest',
      fc.asyncProperty(mixedBatch, async (batch) => {
        const sent = materialise(batch);
        await expectBatchHandled(batch, sent, await emitWithAck<Ack>(socket, 'events', sent, 30_000));
      }),
      120,
    );
    expect(socket.connected).toBe(true);
  }, 300_000);

  it('stores every good event of mixed batches over HTTP, JSON and NDJSON', async () => {
    await check(
      'http ingest',
      fc.asyncProperty(mixedBatch, fc.boolean(), async (batch, ndjson) => {
        const sent = materialise(batch);
        const body = ndjson ? sent.map((event) => JSON.stringify(event)).join('\n') : JSON.stringify(sent);
        const response = await fetch(`${harness.baseUrl}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
          body,
        });
        expect(response.status).toBe(200);
        await expectBatchHandled(batch, sent, (await response.json()) as Ack);
      }),
      120,
    );
  }, 300_000);

  it('answers every generated call to every route without a 5xx, each rejection naming its field', async () => {
    const principal = fc.oneof(
      { weight: 8, arbitrary: fc.constant<Role | null>(null) },
      { weight: 1, arbitrary: fc.constantFrom<Role | 'none' | 'wrong'>('reviewer', 'merchant', 'admin', 'ingest', 'none', 'wrong') },
    );
    const statuses = new Map<number, number>();
    await check(
      'routes',
      fc.asyncProperty(routeCase, principal, async (call, override) => {
        const who = override ?? call.role;
        const key = who === 'none' ? null : who === 'wrong' ? 'rw_reviewer_wrong' : keys[who as Role];
        const response = await fetch(`${harness.baseUrl}${call.path}`, {
          method: call.method,
          headers: {
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: call.body,
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${call.method} ${call.path.slice(0, 300)} as ${who}: ${response.status} ${text.slice(0, 300)}`;
        expect([where, response.status < 500]).toEqual([where, true]);
        if (response.status >= 400) {
          const body = JSON.parse(text) as { statusCode: number; error: string; message: string };
          expect([where, body.statusCode, typeof body.error]).toEqual([where, response.status, 'string']);
          const named = response.status === 404 ? /not found|^Cannot /.test(body.message) || NAMES_A_FIELD.test(body.message) : response.status === 409 ? body.message.length > 0 : NAMES_A_FIELD.test(body.message);
          expect([where, named]).toEqual([where, true]);
        }
      }),
      2_500,
    );
    console.log(`route fuzz answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  }, 600_000);

  it('fuzzes every route the controllers declare', () => {
    const router = (harness.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router;
    const declared = router.stack
      .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`) : []))
      .filter((route) => / \/(v1|health|metrics)\b/.test(route));
    const fuzzed = new Set([...ROUTES.map((route) => `${route.method} ${route.route}`), 'POST /v1/events']);
    expect(declared.filter((route) => !fuzzed.has(route))).toEqual([]);
    expect(declared.length).toBeGreaterThanOrEqual(fuzzed.size);
  });
});
