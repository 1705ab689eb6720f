import { Module } from '@nestjs/common';
import { EVENT_LOG_WRITER_PROVIDER } from '../log/event-log.writer.js';
import { CommitNotices } from './commit-notices.js';
import { IngestController } from './ingest.controller.js';
import { IngestGateway } from './ingest.gateway.js';
import { IngestService } from './ingest.service.js';
import { StreamOwnerRepository } from './stream-owner.repository.js';

@Module({
  controllers: [IngestController],
  providers: [EVENT_LOG_WRITER_PROVIDER, StreamOwnerRepository, IngestService, IngestGateway, CommitNotices],
  // Stream owners are claimed here, at ingest; the order ledger reads them.
  exports: [IngestService, CommitNotices, StreamOwnerRepository],
})
export class IngestModule {}
