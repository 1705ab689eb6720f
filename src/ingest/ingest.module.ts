import { Module } from '@nestjs/common';
import { CommitNotices } from '../log/commit-notices.js';
import { EventLogWriter } from '../log/event-log.writer.js';
import { IngestController } from './ingest.controller.js';
import { IngestGateway } from './ingest.gateway.js';
import { IngestService } from './ingest.service.js';

@Module({
  controllers: [IngestController],
  providers: [
    IngestService,
    IngestGateway,
    // The one writer of this process's log, for whoever follows or announces its commits.
    { provide: EventLogWriter, inject: [IngestService], useFactory: (ingest: IngestService) => ingest.writer },
    CommitNotices,
  ],
  exports: [IngestService, EventLogWriter, CommitNotices],
})
export class IngestModule {}
