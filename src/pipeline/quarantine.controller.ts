import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UnprocessableEntityException } from '@nestjs/common';
import { z } from 'zod';
import { RequireAdmin } from '../platform/auth/auth.guard.js';
import { isDependencyError } from './dependency-error.js';
import { PipelineService } from './pipeline.service.js';
import { type QuarantinedEvent, QuarantineRepository } from './quarantine.repository.js';

export const seqParams = z.object({
  seq: z.coerce
    .number({ error: 'must be the log seq of a quarantined event' })
    .int({ error: 'must be the log seq of a quarantined event' })
    .min(1, { error: 'must be the log seq of a quarantined event' })
    .max(Number.MAX_SAFE_INTEGER, { error: 'must be the log seq of a quarantined event' }),
});
export const listQuery = z.object({
  limit: z.coerce.number({ error: 'must be an integer from 1 to 500' }).int().min(1).max(500).default(100),
  /** `true` lists replayed events too (their history). */
  all: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
});

/** Operator routes for events the pipeline set aside (admin key). */
@Controller('v1/quarantine')
export class QuarantineController {
  constructor(
    private readonly quarantine: QuarantineRepository,
    private readonly pipeline: PipelineService,
  ) {}

  /** Quarantined events, oldest first: seq, event id, type, stream, error, attempts. */
  @Get()
  @RequireAdmin()
  async list(@Query({ schema: listQuery }) query: z.infer<typeof listQuery>): Promise<{ count: number; items: QuarantinedEvent[] }> {
    const [count, items] = await Promise.all([this.quarantine.openCount(), this.quarantine.list(query.limit, query.all === 'true')]);
    return { count, items };
  }

  /** Runs the event through the pipeline again; 422 with the error when it still fails. */
  @Post(':seq/replay')
  @HttpCode(200)
  @RequireAdmin()
  async replay(@Param({ schema: seqParams }) params: z.infer<typeof seqParams>): Promise<QuarantinedEvent> {
    try {
      const entry = await this.pipeline.replayQuarantined(params.seq);
      if (!entry) throw new NotFoundException(`seq: no quarantined event at seq ${params.seq}`);
      return entry;
    } catch (error) {
      if (error instanceof NotFoundException || isDependencyError(error)) throw error;
      throw new UnprocessableEntityException(`seq: the event still fails: ${(error as Error).message}`);
    }
  }
}
