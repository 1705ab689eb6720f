/**
 * What the routes answer, as zod schemas for the API description only: the
 * services build these values and type them with their own interfaces. Each
 * schema is typed `z.ZodType<Interface>`, so a field the interface has and the
 * schema lacks (or types differently) fails the type check.
 */
import { z } from 'zod';
import { API_KEY_ROLES } from '../auth/api-key.js';
import type { ApiKeyView, CreatedApiKey } from '../auth/api-keys.service.js';
import type { StreamAccount, StreamSummary, StreamTimeline } from '../../console/stream-views.js';
import { REPORT_KINDS, SUBJECT_TYPES } from '../../detection/engine/finding.js';
import type { IngestAck } from '../../ingest/ingest.service.js';
import type { QuarantinedEvent } from '../../pipeline/poison-quarantine.js';
import type { SalesAudit } from '../../audit/sales-audit.service.js';
import { DELIVERY_STATUSES, type DeliveryView } from '../../enforcement/delivery.js';
import {
  ALLOW_LIST_SUBJECT_TYPES,
  type AllowListEntryView,
  type PolicyAuditView,
  type ThresholdPolicyView,
} from '../../enforcement/policy.js';
import { REPORT_STATUSES, REVIEW_DECISIONS, type DeskReport, type ReportClaim, type ReportDecisionView, type ReportView } from '../../reports/report-view.js';
import type { BulkDecisionResult } from '../../reports/review-desk.service.js';
import type { AccountProfile } from '../../console/account-profile.service.js';
import type { Whoami } from '../../console/console.controller.js';
import { ACCOUNT_IDENTIFIERS } from '../../state/accounts/account-streams.repository.js';

const isoTime = z.string().meta({ format: 'date-time' });
const epochMs = z.number().int().meta({ description: 'event time, ms since the Unix epoch' });

/** CONTRACT.md §6: every HTTP error. Some carry more fields (a readiness probe's per-dependency results). */
export const errorBody = z
  .object({
    statusCode: z.number().int(),
    error: z.string().meta({ description: 'the HTTP reason phrase' }),
    message: z.string().meta({ description: 'what is wrong, starting with the field it names' }),
  })
  .meta({ id: 'Error', example: { statusCode: 400, error: 'Bad Request', message: 'limit: must be an integer from 1 to 200' } });

export const ingestAck: z.ZodType<IngestAck> = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int().meta({ description: 'events whose id was already stored: not stored twice' }),
    rejected: z.array(z.object({ index: z.number().int(), id: z.string().optional(), error: z.string() })),
  })
  .meta({ id: 'IngestAck', example: { accepted: 1, duplicates: 0, rejected: [{ index: 1, id: 'e-2', error: 'ts: is required' }] } });

export const createdApiKey: z.ZodType<CreatedApiKey> = z
  .object({
    id: z.string(),
    role: z.enum(API_KEY_ROLES),
    merchantId: z.string().nullable(),
    name: z.string().nullable().meta({ description: 'who holds the key, shown on claims and decisions' }),
    key: z.string().meta({ description: 'the secret: shown in this answer only, stored as a hash' }),
  })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyView: z.ZodType<ApiKeyView> = z
  .object({
    id: z.string(),
    role: z.enum(API_KEY_ROLES),
    merchantId: z.string().nullable(),
    keyPrefix: z.string(),
    name: z.string().nullable(),
    createdAt: isoTime,
    revokedAt: isoTime.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const quarantinedEvent: z.ZodType<QuarantinedEvent> = z
  .object({
    seq: z.number().int(),
    eventId: z.string(),
    type: z.string(),
    streamId: z.string().nullable().meta({ description: 'null for an event of no stream (account.registered, a coupon claimed outside a room)' }),
    error: z.string(),
    attempts: z.number().int(),
    quarantinedAt: isoTime,
    replayedAt: isoTime.nullable(),
    lastReplayError: z.string().nullable(),
  })
  .meta({ id: 'QuarantinedEvent' });

export const reportView: z.ZodType<ReportView> = z
  .object({
    id: z.string(),
    kind: z.enum(REPORT_KINDS),
    subjectType: z.enum(SUBJECT_TYPES),
    subjectId: z
      .string()
      .meta({ description: 'roomId for a room report, accountId for an account report, the ring id for a ring report, merchantId for a merchant report' }),
    roomId: z.string().nullable().meta({ description: 'null for ring and merchant reports (they span rooms; the evidence lists them) and account reports tied to no stream' }),
    streamId: z.string().nullable().meta({ description: 'null with roomId' }),
    score: z.number().min(0).max(1),
    severity: z.enum(['low', 'medium', 'high']),
    summary: z.string(),
    accounts: z.array(z.string()),
    evidence: z.record(z.string(), z.unknown()).meta({ description: "the kind's typed evidence (src/detection/evidence.ts)" }),
    detectedAt: epochMs,
    status: z.enum(REPORT_STATUSES),
    version: z.number().int().meta({ description: 'send it back with a decision' }),
    updatedAt: isoTime,
  })
  .meta({
    id: 'Report',
    example: {
      id: '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c',
      kind: 'injected_viewers',
      subjectType: 'room',
      subjectId: 'room-1',
      roomId: 'room-1',
      streamId: 'stream-1',
      score: 0.93,
      severity: 'high',
      summary: '412 accounts joined within 40 s on 3 device models and never spoke or bought',
      accounts: ['acct-101', 'acct-102'],
      evidence: { cohortSize: 412, joinSpreadMs: 40_000 },
      detectedAt: 1_764_000_600_000,
      status: 'open',
      version: 1,
      updatedAt: '2025-11-24T16:10:02.120Z',
    },
  });

const DESK_EXAMPLE_BASE = (z.globalRegistry.get(reportView)?.example ?? {}) as Record<string, unknown>;

export const reportClaim: z.ZodType<ReportClaim> = z
  .object({
    reviewerKeyId: z.string(),
    reviewer: z.string().meta({ description: "the claiming key's name, else its prefix" }),
    claimedAt: isoTime,
    expiresAt: isoTime.meta({ description: 'the claim lapses then unless renewed (REVIEW_CLAIM_TTL_MS)' }),
  })
  .meta({ id: 'ReportClaim' });

/** The reviewer routes' report: the contract's, plus the desk's extensions. */
export const deskReport: z.ZodType<DeskReport> = z
  .intersection(
    reportView,
    z.object({
      claim: reportClaim.nullable().meta({ description: 'who works it, or null (unclaimed or lapsed)' }),
      createdAt: isoTime.meta({ description: 'when roomwatch raised it; the queue age counts from here' }),
    }),
  )
  .meta({
    id: 'DeskReport',
    description: "The contract's Report and the desk's extensions",
    example: { ...DESK_EXAMPLE_BASE, claim: null, createdAt: '2025-11-24T16:10:02.120Z' },
  });


export const reportDecisionView: z.ZodType<ReportDecisionView> = z
  .object({
    reportId: z.string(),
    decision: z.enum(REVIEW_DECISIONS),
    note: z.string().nullable(),
    version: z.number().int().meta({ description: 'the version decided on; the decision made version + 1' }),
    reviewerKeyId: z.string(),
    reviewer: z.string().nullable().meta({ description: "the key's name (or prefix) when deciding; null for decisions made before keys had names" }),
    bulkId: z.string().nullable().meta({ description: 'the bulk decision this was one item of' }),
    decidedAt: isoTime,
  })
  .meta({ id: 'ReportDecision' });

export const bulkDecisionResult: z.ZodType<BulkDecisionResult> = z
  .object({
    bulkId: z.string().nullable().meta({ description: 'shared by the audit rows of this decision; null on a dry run' }),
    decided: z.number().int(),
    refused: z.number().int(),
    items: z.array(
      z.object({
        id: z.string(),
        status: z.union([z.literal(200), z.literal(404), z.literal(409)]).meta({ description: 'what the single decision would have answered' }),
        report: deskReport.nullable(),
        error: z.string().nullable().meta({ description: 'why it was refused: the 404 or 409 message' }),
      }),
    ),
    dryRun: z.literal(true).optional().meta({ description: 'set when the request asked what a group holds: every item answers 200 with no report, none is decided' }),
  })
  .meta({ id: 'BulkDecisionResult' });

const accountStream = z.object({
  streamId: z.string(),
  roomId: z.string(),
  firstSeenAt: epochMs,
  lastSeenAt: epochMs,
  deviceIds: z.array(z.string()),
  ips: z.array(z.string()),
  subnets: z.array(z.string()),
  phoneHashes: z.array(z.string()),
});

export const accountProfile: z.ZodType<AccountProfile> = z
  .object({
    accountId: z.string(),
    streams: z.array(accountStream).meta({ description: 'newest first, at most 200' }),
    rooms: z.array(z.string()),
    shared: z.array(
      z.object({
        kind: z.enum(ACCOUNT_IDENTIFIERS),
        value: z.string(),
        accounts: z.array(z.string()).meta({ description: 'other accounts seen with it (at most 50 listed)' }),
        otherAccounts: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'AccountProfile' });

export const deliveryView: z.ZodType<DeliveryView> = z
  .object({
    id: z.string().meta({ description: '<reportId>-v<version>, also the X-Roomwatch-Delivery header' }),
    reportId: z.string(),
    reportVersion: z.number().int(),
    reason: z.enum(['auto', 'confirmed']),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    manualRetries: z.number().int(),
    lastError: z.string().nullable(),
    responseStatus: z.number().int().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
    lastAttemptAt: isoTime.nullable(),
    deliveredAt: isoTime.nullable(),
  })
  .meta({ id: 'Delivery' });

export const thresholdPolicyView: z.ZodType<ThresholdPolicyView> = z
  .object({
    kind: z.enum(REPORT_KINDS),
    autoEnforceScore: z.number().nullable(),
    effectiveAutoEnforceScore: z.number(),
    severityBands: z.object({ medium: z.number(), high: z.number() }).nullable(),
    expiresAt: isoTime.nullable(),
    active: z.boolean(),
    updatedAt: isoTime.nullable(),
  })
  .meta({ id: 'ThresholdPolicy' });

export const allowListEntryView: z.ZodType<AllowListEntryView> = z
  .object({
    id: z.string(),
    subjectType: z.enum(ALLOW_LIST_SUBJECT_TYPES),
    subjectId: z.string(),
    reason: z.string().nullable(),
    expiresAt: isoTime.nullable(),
    active: z.boolean(),
    createdAt: isoTime,
  })
  .meta({ id: 'AllowListEntry' });

export const policyAuditView: z.ZodType<PolicyAuditView> = z
  .object({
    id: z.number().int(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    changedAt: isoTime,
  })
  .meta({ id: 'PolicyAuditEntry' });

export const streamSummary: z.ZodType<StreamSummary> = z
  .object({
    streamId: z.string(),
    roomId: z.string(),
    merchantId: z.string().nullable(),
    startedAt: epochMs.nullable(),
    endedAt: epochMs.nullable(),
    firstTs: epochMs,
    lastTs: epochMs,
  })
  .meta({ id: 'StreamSummary' });

const moneyFigure = z.number().int().meta({ description: "minor units of the stream's currency" });
export const streamTimeline: z.ZodType<StreamTimeline> = z
  .object({
    stream: streamSummary,
    from: epochMs,
    to: epochMs,
    bucketMs: z.number().int(),
    points: z.array(
      z.object({
        t: epochMs,
        displayed: z.number().int().nullable(),
        present: z.number().int(),
        joins: z.number().int(),
        leaves: z.number().int(),
        comments: z.number().int(),
        orders: z.number().int(),
        refunds: z.number().int(),
        paidAmount: moneyFigure,
        refundedAmount: moneyFigure,
      }),
    ),
    currency: z.string().nullable(),
    after: z
      .object({ events: z.number().int(), orders: z.number().int(), refunds: z.number().int(), paidAmount: moneyFigure, refundedAmount: moneyFigure, lastTs: epochMs })
      .nullable(),
  })
  .meta({ id: 'StreamTimeline' });

const sharedCount = z.number().int();
export const streamAccount: z.ZodType<StreamAccount> = z
  .object({
    accountId: z.string(),
    firstSeenAt: epochMs,
    joined: z.boolean(),
    accountCreatedAt: epochMs.nullable(),
    deviceId: z.string().nullable(),
    ip: z.string().nullable(),
    subnet: z.string().nullable(),
    model: z.string().nullable(),
    os: z.string().nullable(),
    emulator: z.boolean().nullable(),
    rooted: z.boolean().nullable(),
    comments: z.number().int(),
    likes: z.number().int(),
    orders: z.number().int(),
    shared: z.object({ device: sharedCount, ip: sharedCount, subnet: sharedCount, model: sharedCount }),
  })
  .meta({ id: 'StreamAccount' });

export const salesAudit: z.ZodType<SalesAudit> = z
  .object({
    roomId: z.string(),
    streamId: z.string(),
    merchantId: z.string().nullable(),
    currency: z.string().nullable(),
    claimed: z.object({ gmv: moneyFigure, orders: z.number().int() }).nullable(),
    verified: z.object({
      orders: z.number().int(),
      paidOrders: z.number().int(),
      refundedOrders: z.number().int(),
      grossAtListPrice: moneyFigure,
      grossPaid: moneyFigure,
      refunded: moneyFigure,
      net: moneyFigure,
      suspectedBrushing: z.number().int(),
      refundedWithoutReturn: moneyFigure.meta({ description: 'refunds sent with returned: false' }),
      couponDiscounts: moneyFigure.meta({ description: 'coupon discounts of paid orders' }),
      virtualPaid: moneyFigure.meta({ description: 'paid for virtual goods (gift cards, game coins, top-ups)' }),
      virtualShare: z.number().nullable().meta({ description: 'virtualPaid / grossPaid, 4 decimals; null when nothing was paid' }),
      suspectedCouponAbuse: moneyFigure.meta({ description: 'paid by accounts named in coupon_abuse reports on the stream' }),
      suspectedCashOut: moneyFigure.meta({ description: "paid by accounts named in cash_out reports on the stream or its merchant" }),
    }),
    inflation: z.object({ amount: moneyFigure, ratio: z.number().nullable() }).nullable(),
    pending: z.object({ orders: z.number().int(), paid: moneyFigure, refunded: moneyFigure }),
    inexact: z.array(z.string()).optional().meta({ description: 'figures past 2^53, each the nearest JSON number' }),
  })
  .meta({
    id: 'SalesAudit',
    example: {
      roomId: 'room-1',
      streamId: 'stream-1',
      merchantId: 'merchant-1',
      currency: 'CNY',
      claimed: { gmv: 50_000_000, orders: 1200 },
      verified: { orders: 300, paidOrders: 280, refundedOrders: 40, grossAtListPrice: 9_000_000, grossPaid: 8_400_000, refunded: 1_200_000, net: 7_200_000, suspectedBrushing: 35,
        refundedWithoutReturn: 60_000, couponDiscounts: 150_000, virtualPaid: 0, virtualShare: 0, suspectedCouponAbuse: 0, suspectedCashOut: 0 },
      inflation: { amount: 42_800_000, ratio: 6.94 },
      pending: { orders: 0, paid: 0, refunded: 0 },
    },
  });

/** The status answer: counts for everyone, detail for an admin or reviewer key. */
export const statusView = z
  .object({
    status: z.enum(['ok', 'degraded']),
    backlog: z.number().int().meta({ description: 'accepted items not yet fully processed; 0 means every report exists' }),
    components: z.record(z.string(), z.object({ backlog: z.number().int() }).catchall(z.unknown())),
  })
  .meta({ id: 'Status', example: { status: 'ok', backlog: 0, components: { ingest: { backlog: 0, connections: 2 }, detection: { backlog: 0 } } } });

/** @nestjs/terminus's answer (503 adds `message`, see Error). */
export const healthView = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown())).optional(),
    error: z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown())).optional(),
    details: z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown())),
  })
  .meta({ id: 'Health' });

export const whoamiView: z.ZodType<Whoami> = z
  .object({
    role: z.enum(API_KEY_ROLES),
    merchantId: z.string().nullable(),
    keyId: z.string().meta({ description: "the key's id: claims and decisions name it" }),
    label: z.string().meta({ description: "the key's name, else its prefix" }),
  })
  .meta({ id: 'Whoami' });

export const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
