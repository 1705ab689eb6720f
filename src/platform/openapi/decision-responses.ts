/** Response schemas of the decision, list and rule routes (src/decisions), for the API document. */
import { z } from 'zod';
import { DECISION_EVENT_TYPES } from '../../decisions/decision-features.js';
import { LIST_ENTRY_TYPES, LIST_NAMES } from '../../decisions/decision-lists.js';
import { RULE_MODES } from '../../decisions/decision-rules.js';
import { DECISION_OUTCOMES } from '../../decisions/risk-scoring.js';

const isoTime = z.string().meta({ format: 'date-time' });

export const decisionAnswer = z
  .object({
    eventId: z.string(),
    decision: z.enum(DECISION_OUTCOMES),
    score: z.number().min(0).max(1),
    riskCodes: z.array(z.string()),
    reasons: z.array(z.string()),
    rules: z.array(z.object({ id: z.string(), score: z.number(), mode: z.enum(RULE_MODES) })),
    decidedAt: isoTime,
  })
  .meta({ id: 'Decision' });

export const decisionRecord = decisionAnswer
  .extend({ eventType: z.string(), accountId: z.string().nullable(), features: z.record(z.string(), z.unknown()) })
  .meta({ id: 'StoredDecision' });

export const listEntry = z
  .object({
    id: z.string(),
    list: z.enum(LIST_NAMES),
    type: z.enum(LIST_ENTRY_TYPES),
    value: z.string(),
    scope: z.object({ campaignId: z.string().optional(), merchantId: z.string().optional(), roomId: z.string().optional(), skuId: z.string().optional() }).nullable(),
    expiresAt: isoTime.nullable(),
    reason: z.string().nullable(),
    createdBy: z.string(),
    createdAt: isoTime,
  })
  .meta({ id: 'ListEntry' });

export const listAuditEntry = z
  .object({ id: z.number().int(), actor: z.string(), action: z.string(), target: z.string(), before: z.unknown(), after: z.unknown(), changedAt: isoTime })
  .meta({ id: 'ListAuditEntry' });

export const decisionRule = z
  .object({
    id: z.string(),
    description: z.string(),
    appliesTo: z.array(z.enum(DECISION_EVENT_TYPES)),
    when: z.unknown(),
    score: z.number(),
    riskCode: z.string(),
    mode: z.enum(RULE_MODES),
    enabled: z.boolean(),
    updatedAt: isoTime,
  })
  .meta({ id: 'DecisionRule' });

export const ruleStats = z
  .object({
    ruleId: z.string(),
    matched: z.object({ live: z.number().int(), shadow: z.number().int() }),
    outcomes: z.object({ pass: z.number().int(), review: z.number().int(), reject: z.number().int() }),
    matchedAccounts: z.number().int(),
    laterConfirmedAccounts: z.number().int(),
  })
  .meta({ id: 'RuleStats' });

export const featureDescription = z
  .object({ name: z.string(), type: z.enum(['number', 'boolean', 'string']), nullable: z.boolean(), description: z.string(), source: z.string() })
  .meta({ id: 'DecisionFeature' });
