import { Controller, Get, Param } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../platform/auth/auth.guard.js';
import type { Principal } from '../platform/auth/principal.js';
import { identifier } from '../platform/validation/route-input.js';
import { type SalesAudit, SalesAuditService } from './sales-audit.service.js';

export const salesAuditParams = z.object({ streamId: identifier });

/** The merchants' sales audit (CONTRACT.md §4); reviewers see every stream. */
@Controller('v1/streams')
@RequireRole('merchant', 'reviewer')
export class SalesAuditController {
  constructor(private readonly salesAudit: SalesAuditService) {}

  @Get(':streamId/sales-audit')
  audit(
    @Param({ schema: salesAuditParams }) params: z.infer<typeof salesAuditParams>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SalesAudit> {
    return this.salesAudit.audit(params.streamId, principal);
  }
}
