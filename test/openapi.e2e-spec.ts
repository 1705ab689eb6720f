import { compileErrors, validate } from '@readme/openapi-parser';
import { ROUTES, type OpenApiDocument, openApiPath } from '../src/platform/openapi/openapi.document.js';
import { z } from 'zod';
import * as answers from '../src/platform/openapi/response-schemas.js';
import { errorBody } from '../src/platform/openapi/response-schemas.js';
import { launchChromium } from './support/console-browser.js';
import { waitForBacklogZero } from './support/status.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

/**
 * Issue 17's API description: /openapi.json covers every route the app
 * registers, is a valid OpenAPI 3.1 document, its request examples pass the
 * routes' own zod schemas (and the live service), and the live answers parse
 * with the response schemas it documents.
 */

type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  requestBody?: { content: Record<string, { example?: unknown }> };
  security?: unknown[];
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => (item as Record<string, unknown>)[method] !== undefined).map(
      (method) => `${method.toUpperCase()} ${path}`,
    ),
  );
}

function operation(document: OpenApiDocument, method: string, path: string): Operation {
  return (document.paths![openApiPath(path)] as Record<string, Operation>)[method];
}

describe('API description (/openapi.json, /docs)', () => {
  let harness: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    // Room for the no-key calls below: the failed-authentication limit is tested in abuse.e2e-spec.ts.
    harness = await startTestApp('openapi', { AUTH_FAILURE_LIMIT: '1000' });
    const answer = await harness.request<OpenApiDocument>('/openapi.json', { key: null });
    expect(answer.status).toBe(200);
    document = answer.body;
  });

  afterAll(async () => {
    await harness.close();
  }, 30_000);

  it('is public OpenAPI 3.1 and valid against the 3.1 schema', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    if (!result.valid) throw new Error(compileErrors(result));
  });

  it('describes every route the controllers register, and no other', () => {
    const router = (harness.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router;
    // `/*splat` is Nest's catch-all 404 handler, on every method: not a route of a controller.
    const registered = router.stack.flatMap((layer) =>
      layer.route && !layer.route.path.includes('*splat')
        ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${openApiPath(layer.route!.path)}`)
        : [],
    );
    const documented = documentedRoutes(document);
    expect(registered.length).toBeGreaterThan(25);
    expect(registered.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !registered.includes(route))).toEqual([]);
  });

  it('gives every error response the CONTRACT.md §6 body, and the service answers it', async () => {
    for (const route of ROUTES) {
      const errors = Object.entries(operation(document, route.method, route.path).responses).filter(([status]) => Number(status) >= 400);
      if (route.params || route.query || route.body) expect(errors.map(([status]) => status)).toContain('400');
      for (const [status, response] of errors) {
        expect([`${route.method} ${route.path} ${status}`, response.content?.['application/json']?.schema?.$ref]).toEqual([
          `${route.method} ${route.path} ${status}`,
          '#/components/schemas/Error',
        ]);
      }
    }
    const bad = await harness.request('/v1/policy/audit?limit=0', { key: TEST_ADMIN_KEY });
    expect(bad.status).toBe(400);
    expect(errorBody.strict().parse(bad.body).message).toMatch(/^limit: /);
  });

  it('documents the status each route answers without a key and with a key of the wrong role', async () => {
    const merchantKey = (await harness.createKey('merchant', 'merchant-elsewhere')).key;
    const sample: Record<string, string> = { id: '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c', seq: '1', kind: 'inflated_gmv', streamId: 'stream-none' };
    for (const route of ROUTES.filter((candidate) => candidate.access !== 'public')) {
      const concrete = route.path.replace(/:(\w+)/g, (_match, name: string) => sample[name]);
      const documented = Object.keys(operation(document, route.method, route.path).responses);
      for (const key of [null, merchantKey]) {
        const answer = await harness.request(concrete, { method: route.method.toUpperCase(), key });
        expect([route.method, concrete, key ? 'merchant key' : 'no key', documented]).toEqual([
          route.method,
          concrete,
          key ? 'merchant key' : 'no key',
          expect.arrayContaining([String(answer.status)]),
        ]);
      }
    }
  });

  it("carries request examples that the route's own zod schema accepts", () => {
    const withBody = ROUTES.filter((route) => route.body);
    expect(withBody.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      [
        'post /v1/api-keys', 'post /v1/events', 'post /v1/policy/allow-list', 'post /v1/reports/:id/decision', 'post /v1/reports/bulk-decision', 'put /v1/policy/thresholds/:kind',
        'post /v1/decisions', 'post /v1/lists', 'put /v1/rules/:id',
      ].sort(),
    );
    for (const route of withBody) {
      const example = operation(document, route.method, route.path).requestBody?.content['application/json']?.example;
      expect(example).toBeDefined();
      const parsed = route.body!.schema.safeParse(example);
      expect([route.path, parsed.error?.message]).toEqual([route.path, undefined]);
    }
  });

  it('carries response examples that their own schema accepts', () => {
    const withExample = Object.values(answers).flatMap((value) => {
      if (!(value instanceof z.ZodType)) return [];
      const meta = z.globalRegistry.get(value);
      return meta?.example === undefined ? [] : [{ id: String(meta.id), schema: value, example: meta.example }];
    });
    expect(withExample.map((entry) => entry.id)).toEqual(expect.arrayContaining(['Error', 'IngestAck', 'Report', 'DeskReport', 'SalesAudit', 'Status']));
    for (const { id, schema, example } of withExample) {
      expect([id, schema.safeParse(example).error?.message]).toEqual([id, undefined]);
      expect((document.components!.schemas![id] as { example?: unknown }).example).toEqual(example);
    }
  });

  it('its examples work against the service, whose answers parse with the documented schemas', async () => {
    const example = (method: string, path: string) => operation(document, method, path).requestBody!.content['application/json'].example;
    const answerOf = (method: string, path: string) => ROUTES.find((route) => route.method === method && route.path === path)!.ok;

    const ingestKey = (await harness.createKey('ingest')).key;
    const ack = await harness.request('/v1/events', { method: 'POST', key: ingestKey, body: example('post', '/v1/events') });
    expect(ack.status).toBe(200);
    expect(answerOf('post', '/v1/events').schema!.parse(ack.body)).toMatchObject({ accepted: (example('post', '/v1/events') as unknown[]).length, duplicates: 0, rejected: [] });

    const calls: Array<[method: string, path: string, concrete: string, key: string]> = [];
    const created = await harness.request('/v1/api-keys', { method: 'POST', key: TEST_ADMIN_KEY, body: example('post', '/v1/api-keys') });
    expect(created.status).toBe(201);
    answerOf('post', '/v1/api-keys').schema!.parse(created.body);
    const merchantKey = (created.body as { key: string }).key;
    const put = await harness.request('/v1/policy/thresholds/inflated_gmv', { method: 'PUT', key: TEST_ADMIN_KEY, body: example('put', '/v1/policy/thresholds/:kind') });
    expect(put.status).toBe(200);
    answerOf('put', '/v1/policy/thresholds/:kind').schema!.parse(put.body);
    const allowed = await harness.request('/v1/policy/allow-list', { method: 'POST', key: TEST_ADMIN_KEY, body: example('post', '/v1/policy/allow-list') });
    expect(allowed.status).toBe(201);
    answerOf('post', '/v1/policy/allow-list').schema!.parse(allowed.body);

    await waitForBacklogZero(harness.baseUrl);
    const reviewerKey = (await harness.createKey('reviewer')).key;
    calls.push(
      ['get', '/v1/api-keys', '/v1/api-keys', TEST_ADMIN_KEY],
      ['get', '/v1/policy/thresholds', '/v1/policy/thresholds', TEST_ADMIN_KEY],
      ['get', '/v1/policy/allow-list', '/v1/policy/allow-list', TEST_ADMIN_KEY],
      ['get', '/v1/policy/audit', '/v1/policy/audit', TEST_ADMIN_KEY],
      ['get', '/v1/quarantine', '/v1/quarantine', TEST_ADMIN_KEY],
      ['get', '/v1/reports', '/v1/reports', reviewerKey],
      ['get', '/v1/deliveries', '/v1/deliveries', reviewerKey],
      ['get', '/v1/streams', '/v1/streams', merchantKey],
      ['get', '/v1/streams/:streamId', '/v1/streams/stream-1', merchantKey],
      ['get', '/v1/streams/:streamId/timeline', '/v1/streams/stream-1/timeline', merchantKey],
      ['get', '/v1/streams/:streamId/accounts', '/v1/streams/stream-1/accounts?ids=acct-1', reviewerKey],
      ['get', '/v1/streams/:streamId/sales-audit', '/v1/streams/stream-1/sales-audit', merchantKey],
      ['get', '/v1/whoami', '/v1/whoami', merchantKey],
      ['get', '/v1/status', '/v1/status', reviewerKey],
      ['get', '/health/live', '/health/live', ''],
      ['get', '/health/ready', '/health/ready', ''],
    );
    for (const [method, path, concrete, key] of calls) {
      const answer = await harness.request(concrete, { key: key || null });
      expect([concrete, answer.status]).toEqual([concrete, answerOf(method, path).status]);
      const parsed = answerOf(method, path).schema!.safeParse(answer.body);
      expect([concrete, parsed.error?.message]).toEqual([concrete, undefined]);
    }
    // The example stream is the merchant's: its list is not empty, so the item schema was exercised.
    expect((await harness.request<{ items: unknown[] }>('/v1/streams', { key: merchantKey })).body.items).toHaveLength(1);
  }, 120_000);

  it('serves the docs page from this origin under the console CSP, with no inline script', async () => {
    const redirect = await fetch(`${harness.baseUrl}/docs`, { redirect: 'manual' });
    expect([301, 302]).toContain(redirect.status);
    expect(redirect.headers.get('location')).toBe('/docs/');

    const page = await fetch(`${harness.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="[^"]+"/);
      expect(body.trim()).toBe('');
    }
    for (const [, attributes] of scripts) {
      const src = /src="([^"]+)"/.exec(attributes)![1];
      const asset = await fetch(new URL(src, `${harness.baseUrl}/docs/`));
      expect([src, asset.status]).toEqual([src, 200]);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
    }
    const css = await fetch(`${harness.baseUrl}/docs/vendor/swagger-ui/swagger-ui.css`);
    expect(css.status).toBe(200);
  });

  it('renders every operation in Chromium with no Content-Security-Policy violation', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      page.on('console', (message) => {
        if (message.text().startsWith('CSP ')) problems.push(message.text());
      });
      // A report of each blocked load or inline script, before any page script runs.
      await page.addInitScript(
        'document.addEventListener("securitypolicyviolation", (event) => console.error(`CSP ${event.violatedDirective} ${event.blockedURI}`))',
      );
      await page.goto(`${harness.baseUrl}/docs/`);
      await page.waitForSelector('.opblock', { timeout: 30_000 });
      expect(await page.locator('.opblock').count()).toBe(ROUTES.length);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
