import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../platform/config/config.js';
import { DeliveriesController } from '../enforcement/deliveries.controller.js';
import { DeliveriesService } from '../enforcement/deliveries.service.js';
import { DeliveryRepository } from '../enforcement/delivery.repository.js';
import { ENFORCEMENT_OPTIONS, enforcementOptions } from '../enforcement/enforcement.options.js';
import { EnforcementProcessor } from '../enforcement/enforcement.processor.js';
import { ENFORCEMENT_QUEUE } from '../enforcement/enforcement.queue.js';
import { PolicyController } from '../enforcement/policy.controller.js';
import { PolicyRepository } from '../enforcement/policy.repository.js';
import { PolicyService } from '../enforcement/policy.service.js';
import { ReportEvents } from './report-events.js';
import { ReportRepository } from './report.repository.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';
import { ReviewerOrAdminGuard } from '../platform/auth/reviewer-or-admin.guard.js';
import { ReviewDeskRepository } from './review-desk.repository.js';
import { ReviewDeskService } from './review-desk.service.js';
import { ReviewsGateway } from './reviews.gateway.js';
import { AccountStreamsModule } from '../state/accounts/account-streams.module.js';

/**
 * Report store, reviewer API and /reviews push, enforcement queue and policy
 * (CONTRACT.md §3). Reports and enforcement share one module: a report change
 * writes its outbox row in the same statement, and a delivery checks its
 * report before it goes out. Other modules read reports through the exported
 * ReportRepository.
 */
@Module({
  imports: [BullModule.registerQueue({ name: ENFORCEMENT_QUEUE }), AccountStreamsModule],
  controllers: [ReportsController, DeliveriesController, PolicyController],
  providers: [
    {
      provide: ENFORCEMENT_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: enforcementOptions,
    },
    ReportRepository,
    DeliveryRepository,
    PolicyRepository,
    ReportsService,
    ReviewDeskRepository,
    ReviewDeskService,
    ReportEvents,
    ReviewsGateway,
    DeliveriesService,
    EnforcementProcessor,
    PolicyService,
    ReviewerOrAdminGuard,
  ],
  exports: [ReportsService, ReportRepository],
})
export class ReportsModule {}
