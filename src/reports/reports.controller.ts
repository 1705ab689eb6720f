import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { REPORT_KINDS } from '../detection/finding.js';
import { REPORT_STATUSES, REVIEW_DECISIONS } from './report.entity.js';
import { type ReportView, decodeCursor } from './report-view.js';
import { type ReportDecisionView, ReportsService } from './reports.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const reportIdParams = z.object({ id: z.string().regex(UUID, { error: 'must be a report id (a UUID)' }) });

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });
const identifier = z.string().min(1).max(128);

const listQuery = z.object({
  kind: z.enum(REPORT_KINDS, oneOf(REPORT_KINDS)).optional(),
  status: z.enum(REPORT_STATUSES, oneOf(REPORT_STATUSES)).optional(),
  subjectType: z.enum(['room', 'account'], oneOf(['room', 'account'])).optional(),
  roomId: identifier.optional(),
  streamId: identifier.optional(),
  accountId: identifier.optional(),
  limit: z.coerce.number({ error: 'must be an integer from 1 to 200' }).int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

const decisionBody = z.object({
  decision: z.enum(REVIEW_DECISIONS, oneOf(REVIEW_DECISIONS)),
  note: z.string().max(2000).optional(),
  version: z.number({ error: 'must be the report version you decided on' }).int().min(1),
});

@Controller('v1/reports')
@RequireRole('reviewer')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Newest first; `nextCursor` pages on and stays stable while new reports arrive. */
  @Get()
  list(@Query({ schema: listQuery }) query: z.infer<typeof listQuery>): Promise<{ items: ReportView[]; nextCursor: string | null }> {
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
