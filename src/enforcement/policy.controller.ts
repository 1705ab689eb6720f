import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { RequireAdmin } from '../platform/auth/auth.guard.js';
import { REPORT_KINDS } from '../detection/engine/finding.js';
import { boundedDateTime, identifier, storableText, uuid } from '../platform/validation/route-input.js';
import { ALLOW_LIST_SUBJECT_TYPES, type AllowListEntryView, type PolicyAuditView, type ThresholdPolicyView } from './policy.js';
import { PolicyService } from './policy.service.js';

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });
const score = z.number({ error: 'must be a number from 0 to 1' }).min(0).max(1);
const expiresAt = boundedDateTime.nullable().default(null);

export const policyKindParams = z.object({ kind: z.enum(REPORT_KINDS, oneOf(REPORT_KINDS)) });
export const thresholdBody = z.object({
  autoEnforceScore: score.nullable().default(null),
  severityBands: z
    .object({ medium: score, high: score })
    .refine((bands) => bands.medium <= bands.high, { path: ['medium'], error: 'must not exceed high' })
    .nullable()
    .default(null),
  expiresAt,
});

export const allowListBody = z.object({
  subjectType: z.enum(ALLOW_LIST_SUBJECT_TYPES, oneOf(ALLOW_LIST_SUBJECT_TYPES)),
  subjectId: identifier,
  reason: storableText({ max: 500 }).nullable().default(null),
  expiresAt,
});
export const allowListQuery = z.object({
  subjectType: z.enum(ALLOW_LIST_SUBJECT_TYPES, oneOf(ALLOW_LIST_SUBJECT_TYPES)).optional(),
  subjectId: identifier.optional(),
});
export const allowListEntryParams = z.object({ id: uuid('an allow-list entry id') });
export const policyAuditQuery = z.object({
  limit: z.coerce.number({ error: 'must be an integer from 1 to 500' }).int().min(1).max(500).default(100),
});

/** Enforcement policy, the operator's (ADMIN_KEY) to change; every change lands in policy_audit. */
@Controller('v1/policy')
@RequireAdmin()
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  @Get('thresholds')
  async thresholds(): Promise<{ items: ThresholdPolicyView[] }> {
    return { items: await Promise.all(REPORT_KINDS.map((kind) => this.policy.threshold(kind))) };
  }

  @Get('thresholds/:kind')
  threshold(@Param({ schema: policyKindParams }) params: z.infer<typeof policyKindParams>): Promise<ThresholdPolicyView> {
    return this.policy.threshold(params.kind);
  }

  /** Replaces the kind's policy; null fields fall back to AUTO_ENFORCE_SCORE and the detectors' severities. */
  @Put('thresholds/:kind')
  putThreshold(
    @Param({ schema: policyKindParams }) params: z.infer<typeof policyKindParams>,
    @Body({ schema: thresholdBody }) body: z.infer<typeof thresholdBody>,
  ): Promise<ThresholdPolicyView> {
    return this.policy.putThreshold(params.kind, body);
  }

  @Get('allow-list')
  async allowList(@Query({ schema: allowListQuery }) query: z.infer<typeof allowListQuery>): Promise<{ items: AllowListEntryView[] }> {
    return { items: await this.policy.allowList(query) };
  }

  /** Adds a subject, or replaces the reason and expiry of its existing entry. */
  @Post('allow-list')
  allow(@Body({ schema: allowListBody }) body: z.infer<typeof allowListBody>): Promise<AllowListEntryView> {
    return this.policy.allow(body);
  }

  @Delete('allow-list/:id')
  @HttpCode(204)
  disallow(@Param({ schema: allowListEntryParams }) params: z.infer<typeof allowListEntryParams>): Promise<void> {
    return this.policy.disallow(params.id);
  }

  @Get('audit')
  async audit(@Query({ schema: policyAuditQuery }) query: z.infer<typeof policyAuditQuery>): Promise<{ items: PolicyAuditView[] }> {
    return { items: await this.policy.audit(query.limit) };
  }
}
