import { Module } from '@nestjs/common';
import { CommitNotices } from './commit-notices.js';
import { IngestController } from './ingest.controller.js';
import { IngestGateway } from './ingest.gateway.js';
import { IngestService } from './ingest.service.js';

@Module({
  controllers: [IngestController],
  providers: [IngestService, IngestGateway, CommitNotices],
  exports: [IngestService, CommitNotices],
})
export class IngestModule {}
