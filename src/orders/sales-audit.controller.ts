import { Controller, Get, Param } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { type SalesAudit, SalesAuditService } from './sales-audit.service.js';

const streamParams = z.object({ streamId: z.string().min(1).max(128, { error: 'must be at most 128 characters' }) });

/** The merchants' sales audit (CONTRACT.md §4); reviewers see every stream. */
@Controller('v1/streams')
@RequireRole('merchant', 'reviewer')
export class SalesAuditController {
  constructor(private readonly salesAudit: SalesAuditService) {}

  @Get(':streamId/sales-audit')
  audit(
    @Param({ schema: streamParams }) params: z.infer<typeof streamParams>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SalesAudit> {
    return this.salesAudit.audit(params.streamId, principal);
  }
}
