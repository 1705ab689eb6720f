/**
 * The API description (OpenAPI 3.1), generated from the zod schemas the
 * controllers validate with: each route below names its controller's exported
 * `*Params`, `*Query` and `*Body` schema, never a copy. Responses come from
 * ./response-schemas.ts. test/openapi.e2e-spec.ts fails when a route the app
 * registers is missing here.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { apiKeyIdParams, createApiKeyBody } from '../auth/api-keys.controller.js';
import { streamAccountsQuery, streamListQuery, streamParams, timelineQuery } from '../../console/streams.controller.js';
import { roomEventSchema } from '../../events/event.schema.js';
import { MAX_EVENTS_PER_BATCH } from '../../ingest/ingest.service.js';
import { listQuery as quarantineListQuery, seqParams as quarantineSeqParams } from '../../pipeline/quarantine.controller.js';
import { deliveryIdParams, deliveryListQuery } from '../../enforcement/deliveries.controller.js';
import {
  allowListBody,
  allowListEntryParams,
  allowListQuery,
  policyAuditQuery,
  policyKindParams,
  thresholdBody,
} from '../../enforcement/policy.controller.js';
import { bulkDecisionBody, decisionBody, MAX_BULK_ITEMS, reportIdParams, reportListQuery } from '../../reports/reports.controller.js';
import { MAX_GROUP_ITEMS } from '../../reports/review-desk.service.js';
import { accountParams, accountSearchQuery } from '../../console/accounts.controller.js';
import { decisionListQuery } from '../../decisions/decisions.controller.js';
import { listAuditQuery, listEntryBody, listEntryParams, listQuery } from '../../decisions/lists.controller.js';
import { ruleBody, ruleParams } from '../../decisions/rules.controller.js';
import * as decisionAnswers from './decision-responses.js';
import * as answers from './response-schemas.js';

/** The document's type, as the generator declares it. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

type Access = 'public' | 'admin' | 'reviewer or admin' | string;

/** A route as this document lists it, with the request body example the e2e test checks against `body.schema`. */
export interface DescribedRoute {
  method: RouteConfig['method'];
  /** Express style (`/v1/reports/:id`), as the controllers declare it. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; example: unknown };
  /** Status → what it means and, for JSON, its schema. */
  ok: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Error statuses beyond the ones access and input imply. */
  errors?: Record<number, string>;
}

const EXAMPLE_EVENTS = [
  { id: 'e-1', type: 'stream.started', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_000_000, merchantId: 'merchant-1' },
  { id: 'e-2', type: 'viewer.joined', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_001_000, accountId: 'acct-1', deviceId: 'dev-1', ip: '203.0.113.7' },
  { id: 'e-3', type: 'comment', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_002_000, accountId: 'acct-1', text: '1' },
  // v2 (CONTRACT.md §1): a flash sale announced ahead of its opening, coupons in and outside the room, a sign-up, v2 order and refund fields.
  { id: 'e-4', type: 'sale.opened', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_060_000, skuId: 'sku-9', salePrice: 990, listPrice: 5_900, currency: 'CNY', stock: 200, perAccountLimit: 1 },
  { id: 'e-5', type: 'account.registered', ts: 1_763_999_000_000, accountId: 'acct-2', deviceId: 'dev-2', phoneHash: 'ph-2', channel: 'live_room_link', device: { model: 'PJZ110', os: 'Android 14', cloudPhone: false, multiInstance: false, hooked: false } },
  { id: 'e-6', type: 'coupon.claimed', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_003_000, accountId: 'acct-1', couponId: 'cpn-1', campaignId: 'camp-1', value: 2_000, minSpend: 6_000 },
  { id: 'e-7', type: 'coupon.claimed', ts: 1_764_000_004_000, accountId: 'acct-2', couponId: 'cpn-2', campaignId: 'welcome', value: 1_000 },
  {
    id: 'e-8', type: 'order.placed', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_061_000, accountId: 'acct-1', orderId: 'o-1', skuId: 'sku-9', quantity: 1,
    unitPrice: 9_900, listPrice: 9_900, currency: 'CNY', couponId: 'cpn-1', discount: 2_000, recipientHash: 'rc-1', paymentAccountHash: 'pa-1', virtual: false, category: 'beauty',
    device: { model: 'iPhone15,2', os: 'iOS 18.1', hooked: false },
  },
  { id: 'e-9', type: 'order.paid', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_062_000, accountId: 'acct-1', orderId: 'o-1', amount: 7_900 },
  { id: 'e-10', type: 'order.refunded', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_300_000_000, accountId: 'acct-1', orderId: 'o-1', amount: 7_900, returned: false, reason: 'spoiled on arrival' },
];

/** CONTRACT.md §1's event, named once in the document's components. */
const roomEvent = roomEventSchema.meta({ id: 'RoomEvent' });

/** Every HTTP route of the service. */
export const ROUTES: readonly DescribedRoute[] = [
  {
    method: 'post', path: '/v1/events', tag: 'ingest', access: 'ingest',
    summary: 'Append events (HTTP backfill)',
    description: `A JSON array of 1–${MAX_EVENTS_PER_BATCH} events (or one event), or NDJSON with Content-Type application/x-ndjson. Same ack as the socket.io \`/ingest\` namespace: a bad event is rejected alone, by index, and does not sink the rest.`,
    body: { schema: z.union([z.array(roomEvent).min(1).max(MAX_EVENTS_PER_BATCH), roomEvent]), example: EXAMPLE_EVENTS },
    ok: { status: 200, description: 'every accepted event is durably stored', schema: answers.ingestAck },
    errors: { 413: 'body larger than the limit', 503: 'storage unavailable; retry, nothing of this send was stored' },
  },
  {
    method: 'get', path: '/v1/reports', tag: 'reports', access: 'reviewer', query: reportListQuery,
    summary: 'List reports, newest first or by priority',
    description:
      '`nextCursor` pages on and stays stable while new reports arrive. Extensions: `sort=priority` orders by queue priority (severity, score, kind, subject and waiting time; README "Review desk") over every matching report; `severity`, `merchantId`, `claimed` filter; `deviceId`, `ip` and `phoneHash` find the reports naming any account seen with that identifier. Each item carries its live `claim` and `createdAt` (the queue age counts from it).',
    ok: { status: 200, description: 'a page of reports', schema: z.object({ items: z.array(answers.deskReport), nextCursor: z.string().nullable() }) },
  },
  {
    method: 'post', path: '/v1/reports/bulk-decision', tag: 'reports', access: 'reviewer',
    summary: 'Confirm or dismiss many reports with one note',
    description: `1–${MAX_BULK_ITEMS} reports, each decided on its own \`version\`, in its own transaction, with its own audit row (one \`bulkId\` for all). Each item answers what the single decision would: 200 with the report, 404, or 409 (changed since, or claimed by another reviewer); one refused item does not stop the others. Instead of \`items\`, a \`group\` names every open account report of one cohort or comment cluster of a stream (\`{ cohort: { streamId, kind, group } }\`, the \`group\` of injected_viewers account evidence or the \`cohort\` of scripted_comments), or of the accounts a report names (\`{ namedBy }\`: a room report's in its stream and kind, a ring's anywhere), up to ${MAX_GROUP_ITEMS}, each on its version as of the request; \`dryRun: true\` answers what the group holds and decides nothing.`,
    body: {
      schema: bulkDecisionBody,
      example: { decision: 'confirmed', note: 'one emulator farm: same devices and subnet', items: [{ id: '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c', version: 2 }] },
    },
    ok: { status: 200, description: 'one outcome per item, in the order sent', schema: answers.bulkDecisionResult },
  },
  { method: 'get', path: '/v1/reports/:id', tag: 'reports', access: 'reviewer', params: reportIdParams, summary: 'One report', ok: { status: 200, description: 'the report, with its live claim', schema: answers.deskReport } },
  {
    method: 'post', path: '/v1/reports/:id/claim', tag: 'reports', access: 'reviewer', params: reportIdParams,
    summary: 'Claim a report (or renew your claim)',
    description: 'Others see who works it; a claim lapses after REVIEW_CLAIM_TTL_MS (15 min) unless renewed. While it holds, another reviewer\'s claim or decision answers 409 naming the holder.',
    ok: { status: 200, description: 'the report with your claim', schema: answers.deskReport },
    errors: { 409: 'claimed by another reviewer: the message names them and when the claim lapses' },
  },
  {
    method: 'delete', path: '/v1/reports/:id/claim', tag: 'reports', access: 'reviewer', params: reportIdParams,
    summary: 'Release your claim', ok: { status: 204, description: 'released, or there was none' },
    errors: { 409: "the claim is another reviewer's" },
  },
  {
    method: 'get', path: '/v1/reports/:id/decisions', tag: 'reports', access: 'reviewer', params: reportIdParams,
    summary: 'The decision trail, oldest first', ok: { status: 200, description: 'decisions', schema: answers.items(answers.reportDecisionView) },
  },
  {
    method: 'post', path: '/v1/reports/:id/decision', tag: 'reports', access: 'reviewer', params: reportIdParams,
    summary: 'Confirm or dismiss a report',
    description: '`version` is the version you decided on: a report that changed since answers 409. A report another reviewer has claimed answers 409 naming them (extension). The decision ends any claim on the report.',
    body: { schema: decisionBody, example: { decision: 'confirmed', note: 'same device farm as last week', version: 1 } },
    ok: { status: 200, description: 'the report after the decision', schema: answers.deskReport },
    errors: { 409: 'the report changed since that version, or another reviewer claims it' },
  },
  {
    method: 'get', path: '/v1/deliveries', tag: 'enforcement', access: 'reviewer or admin', query: deliveryListQuery,
    summary: 'Enforcement deliveries, newest first', ok: { status: 200, description: 'deliveries', schema: answers.items(answers.deliveryView) },
  },
  { method: 'get', path: '/v1/deliveries/:id', tag: 'enforcement', access: 'reviewer or admin', params: deliveryIdParams, summary: 'One delivery', ok: { status: 200, description: 'the delivery', schema: answers.deliveryView } },
  {
    method: 'post', path: '/v1/deliveries/:id/retry', tag: 'enforcement', access: 'reviewer or admin', params: deliveryIdParams,
    summary: 'Send a failed delivery again', ok: { status: 202, description: 'back to pending with a fresh set of attempts', schema: answers.deliveryView },
    errors: { 409: 'the delivery is not failed' },
  },
  {
    method: 'get', path: '/v1/policy/thresholds', tag: 'policy', access: 'admin',
    summary: 'Auto-enforce and severity policy of every kind', ok: { status: 200, description: 'one entry per report kind', schema: answers.items(answers.thresholdPolicyView) },
  },
  { method: 'get', path: '/v1/policy/thresholds/:kind', tag: 'policy', access: 'admin', params: policyKindParams, summary: "One kind's policy", ok: { status: 200, description: 'the policy', schema: answers.thresholdPolicyView } },
  {
    method: 'put', path: '/v1/policy/thresholds/:kind', tag: 'policy', access: 'admin', params: policyKindParams,
    summary: "Replace one kind's policy",
    description: 'Null fields fall back to AUTO_ENFORCE_SCORE and the detectors\' severities.',
    body: { schema: thresholdBody, example: { autoEnforceScore: 0.95, severityBands: { medium: 0.6, high: 0.85 }, expiresAt: '2026-12-31T23:59:59Z' } },
    ok: { status: 200, description: 'the policy now', schema: answers.thresholdPolicyView },
  },
  {
    method: 'get', path: '/v1/policy/allow-list', tag: 'policy', access: 'admin', query: allowListQuery,
    summary: 'Subjects never auto-enforced', ok: { status: 200, description: 'entries', schema: answers.items(answers.allowListEntryView) },
  },
  {
    method: 'post', path: '/v1/policy/allow-list', tag: 'policy', access: 'admin',
    summary: 'Allow-list a subject', description: 'Adds a subject, or replaces the reason and expiry of its existing entry.',
    body: { schema: allowListBody, example: { subjectType: 'account', subjectId: 'acct-staff-1', reason: "the room's own moderator", expiresAt: null } },
    ok: { status: 201, description: 'the entry', schema: answers.allowListEntryView },
  },
  {
    method: 'delete', path: '/v1/policy/allow-list/:id', tag: 'policy', access: 'admin', params: allowListEntryParams,
    summary: 'Remove an allow-list entry', ok: { status: 204, description: 'removed' },
  },
  {
    method: 'get', path: '/v1/policy/audit', tag: 'policy', access: 'admin', query: policyAuditQuery,
    summary: 'Every policy change', ok: { status: 200, description: 'newest first', schema: answers.items(answers.policyAuditView) },
  },
  {
    method: 'post', path: '/v1/api-keys', tag: 'keys', access: 'admin',
    summary: 'Create an API key', description: 'The secret `key` is in this answer only; it is stored as a hash.',
    body: { schema: createApiKeyBody, example: { role: 'reviewer', name: 'Lin (night shift)' } },
    ok: { status: 201, description: 'the key, with its secret', schema: answers.createdApiKey },
  },
  { method: 'get', path: '/v1/api-keys', tag: 'keys', access: 'admin', summary: 'API keys, without secrets', ok: { status: 200, description: 'keys', schema: answers.items(answers.apiKeyView) } },
  {
    method: 'delete', path: '/v1/api-keys/:id', tag: 'keys', access: 'admin', params: apiKeyIdParams,
    summary: 'Revoke an API key at once', ok: { status: 204, description: 'revoked' },
  },
  {
    method: 'get', path: '/v1/quarantine', tag: 'operations', access: 'admin', query: quarantineListQuery,
    summary: 'Events the monitor set aside as poison, oldest first',
    ok: { status: 200, description: 'the open count and the entries', schema: z.object({ count: z.number().int(), items: z.array(answers.quarantinedEvent) }) },
  },
  {
    method: 'post', path: '/v1/quarantine/:seq/replay', tag: 'operations', access: 'admin', params: quarantineSeqParams,
    summary: 'Run a quarantined event through the pipeline again', ok: { status: 200, description: 'it passed', schema: answers.quarantinedEvent },
    errors: { 422: 'the event still fails; the message says why', 503: 'a dependency is unavailable' },
  },
  {
    method: 'get', path: '/v1/streams', tag: 'streams', access: 'reviewer or merchant (its own streams)', query: streamListQuery,
    summary: 'Streams, newest first', ok: { status: 200, description: 'streams', schema: answers.items(answers.streamSummary) },
  },
  {
    method: 'get', path: '/v1/streams/:streamId', tag: 'streams', access: 'reviewer or merchant (its own streams)', params: streamParams,
    summary: 'One stream', description: "404 when it does not exist or is another merchant's.", ok: { status: 200, description: 'the stream', schema: answers.streamSummary },
  },
  {
    method: 'get', path: '/v1/streams/:streamId/timeline', tag: 'streams', access: 'reviewer or merchant (its own streams)', params: streamParams, query: timelineQuery,
    summary: "A stream's audience, activity and sales per time bucket", ok: { status: 200, description: 'the timeline', schema: answers.streamTimeline },
  },
  {
    method: 'get', path: '/v1/streams/:streamId/accounts', tag: 'streams', access: 'reviewer', params: streamParams, query: streamAccountsQuery,
    summary: "A report's accounts (`reportId`) or listed ones (`ids=a,b`), with what they share", ok: { status: 200, description: 'accounts', schema: answers.items(answers.streamAccount) },
  },
  {
    method: 'get', path: '/v1/streams/:streamId/sales-audit', tag: 'streams', access: 'reviewer or merchant (its own streams)', params: streamParams,
    summary: 'Claimed against verified sales (CONTRACT.md §4)', ok: { status: 200, description: 'the audit', schema: answers.salesAudit },
  },
  {
    method: 'get', path: '/v1/accounts', tag: 'accounts', access: 'reviewer', query: accountSearchQuery,
    summary: 'Accounts seen with one device, IP, network or phone hash', description: 'Name exactly one identifier. Any stream; at most 200 accounts, by id.',
    ok: { status: 200, description: 'account ids', schema: answers.items(z.string()) },
  },
  {
    method: 'get', path: '/v1/accounts/:accountId', tag: 'accounts', access: 'reviewer', params: accountParams,
    summary: "An account's streams, rooms, and who shares its identifiers",
    description: 'Its reports: `GET /v1/reports?accountId=`. An account never seen answers empty lists.',
    ok: { status: 200, description: 'the account', schema: answers.accountProfile },
  },
  { method: 'get', path: '/v1/whoami', tag: 'keys', access: 'ingest, reviewer or merchant', summary: "The key's role and merchant", ok: { status: 200, description: 'who the key is', schema: answers.whoamiView } },
  {
    method: 'get', path: '/v1/status', tag: 'operations', access: 'public',
    summary: 'Backlog and components',
    description: 'Counts for everyone; an admin or reviewer key adds internal detail. `backlog` 0 means every report exists.',
    ok: { status: 200, description: 'status', schema: answers.statusView },
  },
  { method: 'get', path: '/health/live', tag: 'operations', access: 'public', summary: 'Liveness: the process answers', ok: { status: 200, description: 'alive', schema: answers.healthView } },
  {
    method: 'get', path: '/health/ready', tag: 'operations', access: 'public',
    summary: 'Readiness: PostgreSQL, Redis, migrations and detection lag', ok: { status: 200, description: 'ready', schema: answers.healthView },
    errors: { 503: 'not ready: the message names what is down, `error` and `details` hold each check' },
  },
  {
    method: 'get', path: '/metrics', tag: 'operations', access: 'admin',
    summary: 'Prometheus metrics', description: 'Answers 404 when METRICS_PORT serves them on a port of their own.',
    ok: { status: 200, description: 'Prometheus text format', contentType: 'text/plain', schema: z.string() },
    errors: { 404: 'metrics are served on METRICS_PORT' },
  },
  {
    method: 'post', path: '/v1/decisions', tag: 'decisions', access: 'ingest',
    summary: 'Decide now: pass, review or reject one order, coupon claim, viewer join or sign-up',
    description: 'Validated as on ingest; the event is stored durably before the answer. A resend of the same id answers the stored decision and stores nothing new.',
    body: { schema: roomEventSchema, example: { id: 'o-1', type: 'order.placed', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_060_200, accountId: 'acct-1', deviceId: 'dev-1', ip: '203.0.113.7', orderId: 'ord-1', skuId: 'sku-9', quantity: 1, unitPrice: 990, listPrice: 5_900, currency: 'CNY' } },
    ok: { status: 200, description: 'the decision', schema: decisionAnswers.decisionAnswer },
    errors: { 503: 'storage unavailable: nothing was stored; retry' },
  },
  {
    method: 'get', path: '/v1/decisions', tag: 'decisions', access: 'reviewer', query: decisionListQuery,
    summary: 'Stored decisions, newest first', ok: { status: 200, description: 'a page', schema: z.object({ items: z.array(decisionAnswers.decisionRecord), nextCursor: z.string().nullable() }) },
  },
  {
    method: 'get', path: '/v1/lists', tag: 'decisions', access: 'reviewer or admin', query: listQuery,
    summary: 'Block, gray and allow list entries', ok: { status: 200, description: 'entries, newest first', schema: answers.items(decisionAnswers.listEntry) },
  },
  {
    method: 'post', path: '/v1/lists', tag: 'decisions', access: 'admin',
    summary: 'Add a list entry', description: 'Or replace the reason and expiry of the same (list, type, value, scope). Audited.',
    body: { schema: listEntryBody, example: { list: 'block', type: 'device', value: 'dev-farm-7', scope: { merchantId: 'merchant-1' }, expiresAt: '2026-12-31T23:59:59Z', reason: 'cloud-phone farm, case 2291' } },
    ok: { status: 201, description: 'the entry', schema: decisionAnswers.listEntry },
  },
  { method: 'delete', path: '/v1/lists/:id', tag: 'decisions', access: 'admin', params: listEntryParams, summary: 'Remove a list entry (audited)', ok: { status: 204, description: 'removed' } },
  {
    method: 'get', path: '/v1/lists/audit', tag: 'decisions', access: 'reviewer or admin', query: listAuditQuery,
    summary: 'Every change of a list or a rule', ok: { status: 200, description: 'newest first', schema: answers.items(decisionAnswers.listAuditEntry) },
  },
  { method: 'get', path: '/v1/rules', tag: 'decisions', access: 'reviewer or admin', summary: 'Every rule', ok: { status: 200, description: 'rules', schema: answers.items(decisionAnswers.decisionRule) } },
  {
    method: 'get', path: '/v1/rules/features', tag: 'decisions', access: 'reviewer or admin',
    summary: 'The decision features a rule may name', ok: { status: 200, description: 'the catalogue', schema: answers.items(decisionAnswers.featureDescription) },
  },
  { method: 'get', path: '/v1/rules/:id', tag: 'decisions', access: 'reviewer or admin', params: ruleParams, summary: 'One rule', ok: { status: 200, description: 'the rule', schema: decisionAnswers.decisionRule } },
  {
    method: 'put', path: '/v1/rules/:id', tag: 'decisions', access: 'admin', params: ruleParams,
    summary: 'Create or replace a rule', description: 'A condition that is not JSON Logic, or names a feature outside the catalogue, answers 400 naming `when`. Audited.',
    body: {
      schema: ruleBody,
      example: { description: 'a new account on a cloud phone', appliesTo: ['order.placed', 'coupon.claimed'], when: { and: [{ var: 'device.cloudPhone' }, { '<': [{ var: 'account.ageMs' }, 86_400_000] }] }, score: 0.3, riskCode: 'new_cloud_phone', mode: 'shadow', enabled: true },
    },
    ok: { status: 200, description: 'the rule', schema: decisionAnswers.decisionRule },
  },
  { method: 'delete', path: '/v1/rules/:id', tag: 'decisions', access: 'admin', params: ruleParams, summary: 'Remove a rule (audited)', ok: { status: 204, description: 'removed' } },
  {
    method: 'get', path: '/v1/rules/:id/stats', tag: 'decisions', access: 'reviewer or admin', params: ruleParams,
    summary: 'How often a rule matched and how those decisions ended', ok: { status: 200, description: 'the figures', schema: decisionAnswers.ruleStats },
  },
  { method: 'get', path: '/openapi.json', tag: 'operations', access: 'public', summary: 'This document', ok: { status: 200, description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
  { method: 'get', path: '/', tag: 'console', access: 'public', summary: 'Redirects to the console', ok: { status: 302, description: 'to /console/' } },
];

const ERROR_MEANINGS: Record<number, string> = {
  400: 'bad input: the message names the field',
  401: 'no Bearer key, or not a valid one',
  403: "the key's role may not use this route",
  404: 'not found',
  429: 'too many failed authentications from this address; see Retry-After',
};

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: answers.errorBody } } };
}

function responsesOf(route: DescribedRoute): RouteConfig['responses'] {
  const { ok } = route;
  const responses: RouteConfig['responses'] = {
    [ok.status]: {
      description: ok.description,
      ...(ok.schema ? { content: { [ok.contentType ?? 'application/json']: { schema: ok.schema } } } : {}),
    },
  };
  const codes = new Set<number>(Object.keys(route.errors ?? {}).map(Number));
  if (route.params || route.query || route.body) codes.add(400);
  if (route.access !== 'public') [401, 429].forEach((code) => codes.add(code));
  // The admin key is one secret: a wrong one is 401. A role key of the wrong role is 403.
  if (route.access !== 'public' && route.access !== 'admin') codes.add(403);
  if (route.params) codes.add(404);
  for (const code of [...codes].sort()) responses[code] = errorResponse(route.errors?.[code] ?? ERROR_MEANINGS[code] ?? 'error');
  return responses;
}

/** `/v1/reports/:id` → `/v1/reports/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

function buildDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (POST /v1/api-keys) or the ADMIN_KEY, as `Authorization: Bearer <key>`.',
  });
  for (const route of ROUTES) {
    const body = route.body
      ? {
          required: true,
          content: {
            'application/json': { schema: route.body.schema, example: route.body.example },
            ...(route.path === '/v1/events'
              ? { 'application/x-ndjson': { schema: z.string().meta({ description: 'one event per line' }), example: EXAMPLE_EVENTS.map((event) => JSON.stringify(event)).join('\n') } }
              : {}),
          },
        }
      : undefined;
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, `Key: ${route.access}.`].filter(Boolean).join('\n\n'),
      ...(route.access === 'public' ? {} : { security: [{ bearer: [] }] }),
      request: { params: route.params, query: route.query, body },
      responses: responsesOf(route),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'roomwatch',
      version: '2.0.0',
      description:
        'Live-stream room traffic-integrity monitor (CONTRACT.md v2). Every error is `{ statusCode, error, message }`; bad input answers 400 naming the field. Real-time ingest and review pushes run over socket.io (`/ingest`, `/reviews`), outside this document.',
    },
  });
}

let built: OpenApiDocument | undefined;
/** Built once, on first use: the schemas do not change while the process runs. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildDocument();
  return built;
}
