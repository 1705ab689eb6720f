import { Module } from '@nestjs/common';
import { IngestController } from './ingest.controller.js';
import { IngestGateway } from './ingest.gateway.js';
import { IngestService } from './ingest.service.js';

@Module({
  controllers: [IngestController],
  providers: [IngestService, IngestGateway],
  exports: [IngestService],
})
export class IngestModule {}
