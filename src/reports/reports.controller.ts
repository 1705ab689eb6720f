import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../platform/auth/auth.guard.js';
import type { Principal } from '../platform/auth/principal.js';
import { REPORT_KINDS, SUBJECT_TYPES } from '../detection/engine/finding.js';
import { identifier, PG_INT_MAX, storableText, uuid } from '../platform/validation/route-input.js';
import { type DeskReport, decodeCursor, decodePriorityCursor, REPORT_STATUSES, REVIEW_DECISIONS } from './report-view.js';
import type { ReportDecisionView } from './report-view.js';
import { type BulkDecisionResult, ReviewDeskService } from './review-desk.service.js';

export const reportIdParams = z.object({ id: uuid('a report id') });

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });
const SEVERITIES = ['low', 'medium', 'high'] as const;
const SORTS = ['newest', 'priority'] as const;
const CLAIM_FILTERS = ['none', 'mine', 'others'] as const;
export const reportListQuery = z.object({
  kind: z.enum(REPORT_KINDS, oneOf(REPORT_KINDS)).optional(),
  status: z.enum(REPORT_STATUSES, oneOf(REPORT_STATUSES)).optional(),
  subjectType: z.enum(SUBJECT_TYPES, oneOf(SUBJECT_TYPES)).optional(),
  roomId: identifier.optional(),
  streamId: identifier.optional(),
  accountId: identifier.optional(),
  limit: z.coerce.number({ error: 'must be an integer from 1 to 200' }).int().min(1).max(200).default(50),
  cursor: storableText({ max: 512 }).optional(),
  // Extensions (issue 17): the desk's order, filters and searches.
  /** `newest` (the contract's order) or `priority` (src/reports/queue-priority.ts). */
  sort: z.enum(SORTS, oneOf(SORTS)).default('newest'),
  severity: z.enum(SEVERITIES, oneOf(SEVERITIES)).optional(),
  merchantId: identifier.optional(),
  /** Reports naming an account seen with this device id, IP or phone hash, in any stream. */
  deviceId: identifier.optional(),
  ip: identifier.optional(),
  phoneHash: identifier.optional(),
  /** `none`: unclaimed; `mine`: claimed by this key; `others`: claimed by another reviewer. */
  claimed: z.enum(CLAIM_FILTERS, oneOf(CLAIM_FILTERS)).optional(),
});

const versionField = z
  .number({ error: 'must be the report version you decided on' })
  .int({ error: 'must be the report version you decided on' })
  .min(1, { error: 'must be the report version you decided on' })
  .max(PG_INT_MAX, { error: 'must be the report version you decided on' });

export const decisionBody = z.object({
  decision: z.enum(REVIEW_DECISIONS, oneOf(REVIEW_DECISIONS)),
  note: storableText({ max: 2000 }).optional(),
  version: versionField,
});

/** A bulk decision takes at most a page of the queue. */
export const MAX_BULK_ITEMS = 200;
const reportItems = z
  .array(z.object({ id: uuid('a report id'), version: versionField }), { error: 'must be a list of { id, version }' })
  .min(1, { error: `must hold 1 to ${MAX_BULK_ITEMS} reports` })
  .max(MAX_BULK_ITEMS, { error: `must hold 1 to ${MAX_BULK_ITEMS} reports` })
  .refine((items) => new Set(items.map((item) => item.id)).size === items.length, { error: 'must name each report once' });

/** Instead of items: every open account report of a cohort or comment cluster, or of the accounts a report names (a room's, a ring's). */
const reportGroup = z.union(
  [
    z.object({
      cohort: z.object({
        streamId: identifier,
        kind: z.enum(['injected_viewers', 'scripted_comments'], oneOf(['injected_viewers', 'scripted_comments'])),
        // The injected_viewers `group` or scripted_comments `cohort` of the account evidence: a key and an id.
        group: storableText({ min: 1, max: 400 }),
      }),
    }),
    z.object({ namedBy: uuid('a report id') }),
  ],
  { error: 'must be { cohort: { streamId, kind, group } } or { namedBy: <report id> }' },
);

export const bulkDecisionBody = z
  .object({
    decision: z.enum(REVIEW_DECISIONS, oneOf(REVIEW_DECISIONS)),
    note: storableText({ max: 2000 }).optional(),
    items: reportItems.optional(),
    group: reportGroup.optional(),
    /** Answers the reports the selection holds, deciding none: what the console shows before a reviewer commits. */
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .refine((body) => (body.items === undefined) !== (body.group === undefined), {
    error: 'must name either the reports or a group of them, not both',
    path: ['items'],
  });

const reviewerOf = (principal: Principal) => ({ keyId: principal.keyId, label: principal.label ?? principal.keyId });

@Controller('v1/reports')
@RequireRole('reviewer')
export class ReportsController {
  constructor(private readonly desk: ReviewDeskService) {}

  /** Newest first (or by priority); `nextCursor` pages on and stays stable while new reports arrive. */
  @Get()
  list(
    @Query({ schema: reportListQuery }) query: z.infer<typeof reportListQuery>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ items: DeskReport[]; nextCursor: string | null }> {
    const { cursor: cursorText, sort, ...filter } = query;
    if (sort === 'priority') {
      const cursor = cursorText === undefined ? undefined : decodePriorityCursor(cursorText);
      if (cursor === null) throw new BadRequestException('cursor: not a cursor of this order from this API; pass nextCursor unchanged, with the same sort');
      return this.desk.list(filter, { sort, cursor }, principal.keyId);
    }
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (cursor === null) throw new BadRequestException('cursor: not a cursor from this API; pass nextCursor unchanged');
    return this.desk.list(filter, { sort, cursor }, principal.keyId);
  }

  /** One decision and note over many reports, each on its own version; every item answers its own status. */
  @Post('bulk-decision')
  @HttpCode(200)
  bulkDecide(@Body({ schema: bulkDecisionBody }) body: z.infer<typeof bulkDecisionBody>, @CurrentPrincipal() principal: Principal): Promise<BulkDecisionResult> {
    return this.desk.bulkDecide(body, reviewerOf(principal));
  }

  @Get(':id')
  get(@Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>): Promise<DeskReport> {
    return this.desk.get(params.id);
  }

  /** The decision trail, oldest first. */
  @Get(':id/decisions')
  async decisions(@Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>): Promise<{ items: ReportDecisionView[] }> {
    return { items: await this.desk.decisions(params.id) };
  }

  @Post(':id/decision')
  @HttpCode(200)
  decide(
    @Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>,
    @Body({ schema: decisionBody }) body: z.infer<typeof decisionBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeskReport> {
    return this.desk.decide(params.id, body, reviewerOf(principal));
  }

  /** Claims the report (or renews this key's claim) for REVIEW_CLAIM_TTL_MS; 409 naming the holder when another reviewer has it. */
  @Post(':id/claim')
  @HttpCode(200)
  claim(@Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>, @CurrentPrincipal() principal: Principal): Promise<DeskReport> {
    return this.desk.claim(params.id, reviewerOf(principal));
  }

  /** Ends this key's claim (204 also when there was none); 409 naming the holder when it is another reviewer's. */
  @Delete(':id/claim')
  @HttpCode(204)
  release(@Param({ schema: reportIdParams }) params: z.infer<typeof reportIdParams>, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.desk.release(params.id, reviewerOf(principal));
  }
}
