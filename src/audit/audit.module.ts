import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module.js';
import { LedgerModule } from '../state/ledger/ledger.module.js';
import { PromotionFactsRepository } from '../state/promotions/promotion-facts.repository.js';
import { StreamsModule } from '../state/streams/streams.module.js';
import { SalesAuditService } from './sales-audit.service.js';

/**
 * The sales audit (CONTRACT.md §4): what a stream's anchor claimed against
 * what settled. Served at /v1/streams/:streamId/sales-audit by the streams
 * controller, with the rest of /v1/streams.
 */
@Module({
  imports: [StreamsModule, LedgerModule, ReportsModule],
  providers: [SalesAuditService, PromotionFactsRepository],
  exports: [SalesAuditService],
})
export class AuditModule {}
