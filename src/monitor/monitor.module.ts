import { Global, Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { ReportsService } from '../reports/reports.service.js';
import { BatchHandlers, FINDING_SINK } from './batch-handlers.js';
import { CohortSightingsRepository } from './cohort-sightings.repository.js';
import { MonitorService } from './monitor.service.js';
import { PoisonQuarantine } from './poison-quarantine.js';
import { QuarantineController } from './quarantine.controller.js';
import { StreamDirectory } from './stream-directory.js';

@Global()
@Module({
  imports: [IngestModule, ReportsModule],
  controllers: [QuarantineController],
  providers: [
    PoisonQuarantine,
    BatchHandlers,
    StreamDirectory,
    CohortSightingsRepository,
    MonitorService,
    { provide: FINDING_SINK, useExisting: ReportsService },
  ],
  exports: [BatchHandlers, MonitorService],
})
export class MonitorModule {}
