import { Module } from '@nestjs/common';
import { CommitNotices } from '../log/commit-notices.js';
import { EVENT_LOG_WRITER_PROVIDER, EventLogWriter } from '../log/event-log.writer.js';
import { IngestController } from './ingest.controller.js';
import { IngestGateway } from './ingest.gateway.js';
import { IngestService } from './ingest.service.js';
import { StreamOwnerRepository } from './stream-owner.repository.js';

@Module({
  controllers: [IngestController],
  providers: [EVENT_LOG_WRITER_PROVIDER, StreamOwnerRepository, IngestService, IngestGateway, CommitNotices],
  // Stream owners are claimed here, at ingest; the order ledger reads them. The
  // writer is this process's one writer of the log, for whoever follows or
  // announces its commits.
  exports: [IngestService, EventLogWriter, CommitNotices, StreamOwnerRepository],
})
export class IngestModule {}
