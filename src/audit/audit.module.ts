import { Module } from '@nestjs/common';
import { SalesAuditController } from './sales-audit.controller.js';
import { SalesAuditService } from './sales-audit.service.js';

/** The sales audit (CONTRACT.md §4): what a stream's anchor claimed against what settled. */
@Module({
  controllers: [SalesAuditController],
  providers: [SalesAuditService],
})
export class AuditModule {}
