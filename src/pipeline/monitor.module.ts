import { Global, Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { ReportsService } from '../reports/reports.service.js';
import { BatchHandlers, FINDING_SINK } from './batch-handlers.js';
import { CohortSightingsRepository } from '../state/sightings/cohort-sightings.repository.js';
import { MonitorService } from './monitor.service.js';
import { PoisonQuarantine } from './poison-quarantine.js';
import { QuarantineController } from './quarantine.controller.js';
import { StreamDirectory } from '../state/streams/stream-directory.js';
import { OrderLedger } from '../state/ledger/order-ledger.js';
import { OrderDetection } from './stages/order-detection.js';
import { OrdersHandler } from './stages/orders.handler.js';
import { StreamsModule } from '../state/streams/streams.module.js';
import { LedgerModule } from '../state/ledger/ledger.module.js';

@Global()
@Module({
  imports: [IngestModule, ReportsModule, StreamsModule, LedgerModule],
  controllers: [QuarantineController],
  providers: [
    PoisonQuarantine,
    StreamDirectory,
    OrderLedger,
    OrderDetection,
    OrdersHandler,
    // The state stages, in the order every committed batch runs through them:
    // the streams directory first (the ledger's detectors read stream
    // boundaries), then the order ledger and its detectors.
    {
      provide: BatchHandlers,
      inject: [StreamDirectory, OrdersHandler],
      useFactory: (streams: StreamDirectory, orders: OrdersHandler) => new BatchHandlers([streams, orders]),
    },
    CohortSightingsRepository,
    MonitorService,
    { provide: FINDING_SINK, useExisting: ReportsService },
  ],
  exports: [BatchHandlers, MonitorService],
})
export class MonitorModule {}
