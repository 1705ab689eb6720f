import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesService } from './deliveries.service.js';
import { ENFORCEMENT_OPTIONS, enforcementOptions } from './enforcement.options.js';
import { EnforcementProcessor } from './enforcement.processor.js';
import { ENFORCEMENT_QUEUE } from './enforcement.queue.js';
import { PolicyController } from './policy.controller.js';
import { PolicyService } from './policy.service.js';
import { ReportEvents } from './report-events.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';
import { ReviewerOrAdminGuard } from './reviewer-or-admin.guard.js';
import { ReviewsGateway } from './reviews.gateway.js';

/** Report store, reviewer API and /reviews push, enforcement queue and policy (CONTRACT.md §3). */
@Module({
  imports: [BullModule.registerQueue({ name: ENFORCEMENT_QUEUE })],
  controllers: [ReportsController, DeliveriesController, PolicyController],
  providers: [
    {
      provide: ENFORCEMENT_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: enforcementOptions,
    },
    ReportsService,
    ReportEvents,
    ReviewsGateway,
    DeliveriesService,
    EnforcementProcessor,
    PolicyService,
    ReviewerOrAdminGuard,
  ],
  exports: [ReportsService],
})
export class ReportsModule {}
