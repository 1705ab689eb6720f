import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../platform/auth/auth.guard.js';
import type { Principal } from '../platform/auth/principal.js';
import { identifier, storableText, uuid } from '../platform/validation/route-input.js';
import { EVENT_BOUNDS } from '../events/event.schema.js';
import { type SalesAudit, SalesAuditService } from '../audit/sales-audit.service.js';
import type { StreamAccount, StreamSummary, StreamTimeline } from './stream-views.js';
import { StreamTimelineService } from './stream-timeline.service.js';
import { TIMELINE_CONFIG } from './timeline.config.js';

export const streamParams = z.object({ streamId: identifier });
export const streamListQuery = z.object({
  merchantId: identifier.optional(),
  roomId: identifier.optional(),
  limit: z.coerce
    .number({ error: `must be an integer from 1 to ${TIMELINE_CONFIG.maxStreams}` })
    .int()
    .min(1)
    .max(TIMELINE_CONFIG.maxStreams)
    .default(50),
});
// Event time as events carry it (EVENT_BOUNDS.eventTime): a window past it cannot hold an event.
const eventTime = z.coerce
  .number({ error: 'must be event time in ms' })
  .int({ error: 'must be event time in ms' })
  .min(0, { error: 'must be event time in ms, at least 0' })
  .max(EVENT_BOUNDS.eventTime, { error: `must be event time in ms, at most ${EVENT_BOUNDS.eventTime}` });
export const timelineQuery = z.object({ from: eventTime.optional(), to: eventTime.optional() });
export const streamAccountsQuery = z.object({
  reportId: uuid('a report id').optional(),
  /** Comma-separated account ids. */
  ids: storableText({ max: 8192 }).optional(),
});

/**
 * Every /v1/streams route: the list, one stream, its timeline, the accounts
 * behind a report (read models for the console) and the merchants' sales
 * audit (CONTRACT.md §4). Reviewers see every stream, a merchant key its own.
 */
@Controller('v1/streams')
export class StreamsController {
  constructor(
    private readonly streams: StreamTimelineService,
    private readonly salesAudit: SalesAuditService,
  ) {}

  /** Newest first. A merchant key sees its own streams whatever `merchantId` says. */
  @Get()
  @RequireRole('reviewer', 'merchant')
  async list(
    @Query({ schema: streamListQuery }) query: z.infer<typeof streamListQuery>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ items: StreamSummary[] }> {
    return { items: await this.streams.list(principal, query) };
  }

  /** One stream; 404 when it does not exist or is another merchant's. */
  @Get(':streamId')
  @RequireRole('reviewer', 'merchant')
  get(@Param({ schema: streamParams }) params: z.infer<typeof streamParams>, @CurrentPrincipal() principal: Principal): Promise<StreamSummary> {
    return this.streams.visibleStream(principal, params.streamId);
  }

  /** Per-bucket audience, activity and sales; `from`/`to` (ms) pick a window, by default the stream plus a short tail. */
  @Get(':streamId/timeline')
  @RequireRole('reviewer', 'merchant')
  timeline(
    @Param({ schema: streamParams }) params: z.infer<typeof streamParams>,
    @Query({ schema: timelineQuery }) query: z.infer<typeof timelineQuery>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamTimeline> {
    return this.streams.timeline(principal, params.streamId, query);
  }

  /** Identity and activity of a report's accounts (`reportId`) or of listed ones (`ids=a,b`), reviewers only. */
  @Get(':streamId/accounts')
  @RequireRole('reviewer')
  async accounts(
    @Param({ schema: streamParams }) params: z.infer<typeof streamParams>,
    @Query({ schema: streamAccountsQuery }) query: z.infer<typeof streamAccountsQuery>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ items: StreamAccount[] }> {
    const ids = query.ids?.split(',').filter((id) => id.length > 0) ?? [];
    if (query.reportId !== undefined) {
      const report = await this.streams.reportAccounts(query.reportId);
      if (report.streamId !== params.streamId) throw new BadRequestException(`reportId: report is about stream ${report.streamId}`);
      ids.push(...report.accounts);
    }
    if (ids.length === 0) throw new BadRequestException('reportId or ids: name the accounts to look up');
    return { items: await this.streams.accounts(principal, params.streamId, ids) };
  }

  /** What the stream's anchor claimed against what its orders settled; 404 for another merchant's stream. */
  @Get(':streamId/sales-audit')
  @RequireRole('reviewer', 'merchant')
  audit(@Param({ schema: streamParams }) params: z.infer<typeof streamParams>, @CurrentPrincipal() principal: Principal): Promise<SalesAudit> {
    return this.salesAudit.audit(params.streamId, principal);
  }
}
