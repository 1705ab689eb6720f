import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../platform/auth/auth.guard.js';
import type { Principal } from '../platform/auth/principal.js';
import { REPORT_KINDS, SUBJECT_TYPES } from '../detection/engine/finding.js';
import { identifier, PG_INT_MAX, storableText, uuid } from '../platform/validation/route-input.js';
import { REPORT_STATUSES, REVIEW_DECISIONS, type ReportDecisionView, type ReportView, decodeCursor } from './report-view.js';
import { ReportsService } from './reports.service.js';

export const reportIdParams = z.object({ id: uuid('a report id') });

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });
export const reportListQuery = z.object({
  kind: z.enum(REPORT_KINDS, oneOf(REPORT_KINDS)).optional(),
  status: z.enum(REPORT_STATUSES, oneOf(REPORT_STATUSES)).optional(),
  subjectType: z.enum(SUBJECT_TYPES, oneOf(SUBJECT_TYPES)).optional(),
  roomId: identifier.optional(),
  streamId: identifier.optional(),
  accountId: identifier.optional(),
  limit: z.coerce.number({ error: 'must be an integer from 1 to 200' }).int().min(1).max(200).default(50),
  cursor: storableText({ max: 512 }).optional(),
});

export const decisionBody = z.object({
  decision: z.enum(REVIEW_DECISIONS, oneOf(REVIEW_DECISIONS)),
  note: storableText({ max: 2000 }).optional(),
  version: z
    .number({ error: 'must be the report version you decided on' })
    .int({ error: 'must be the report version you decided on' })
    .min(1, { error: 'must be the report version you decided on' })
    .max(PG_INT_MAX, { error: 'must be the report version you decided on' }),
});

@Controller('v1/reports')
@RequireRole('reviewer')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Newest first; `nextCursor` pages on and stays stable while new reports arrive. */
  @Get()
  list(@Query({ schema: reportListQuery }) query: z.infer<typeof reportListQuery>): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    const { cursor: cursorText, ...filter } = query;
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (cursor === null) throw new BadRequestException('cursor: not a cursor from this API; pass nextCursor unchanged');
    return this.reports.list({ ...filter, cursor });
  }

  @Get(':id')
  get(@Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>): Promise<ReportView> {
    return this.reports.get(params.id);
  }

  /** The decision trail, oldest first. */
  @Get(':id/decisions')
  async decisions(@Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>): Promise<{ items: ReportDecisionView[] }> {
    return { items: await this.reports.decisions(params.id) };
  }

  @Post(':id/decision')
  @HttpCode(200)
  decide(
    @Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>,
    @Body({ schema: decisionBody }) body: z.infer<typeof decisionBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ReportView> {
    return this.reports.decide(params.id, body, principal.keyId);
  }
}
