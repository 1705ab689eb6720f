import { Module } from '@nestjs/common';
import { OrderDetection } from './order-detection.js';
import { OrderLedger } from './order-ledger.js';
import { OrdersHandler } from './orders.handler.js';
import { SalesAuditController } from './sales-audit.controller.js';
import { SalesAuditService } from './sales-audit.service.js';

/**
 * The order ledger, the sales audit (CONTRACT.md §4) and the order
 * detectors' adapter (refund brushing, inflated GMV). BatchHandlers comes
 * from the global MonitorModule.
 */
@Module({
  controllers: [SalesAuditController],
  providers: [OrderLedger, OrderDetection, OrdersHandler, SalesAuditService],
})
export class OrdersModule {}
