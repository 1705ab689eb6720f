import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { EventLogRepository } from '../log/event-log.repository.js';
import { ReviewerOrAdminGuard } from '../platform/auth/reviewer-or-admin.guard.js';
import { ReportsModule } from '../reports/reports.module.js';
import { DecisionState } from './decision-state.js';
import { DecisionsController } from './decisions.controller.js';
import { DecisionsGateway } from './decisions.gateway.js';
import { DecisionsRepository } from './decisions.repository.js';
import { DecisionsService } from './decisions.service.js';
import { ListsAndRulesRepository } from './lists-and-rules.repository.js';
import { ListsAndRulesService } from './lists-and-rules.service.js';
import { ListsController } from './lists.controller.js';
import { RulesController } from './rules.controller.js';

/**
 * Real-time decisions, lists and rules (CONTRACT.md §7, README "Decisions").
 * It stores events through ingest's one log writer and reads report counts
 * through the report store; nothing imports it back.
 */
@Module({
  imports: [IngestModule, ReportsModule],
  controllers: [DecisionsController, ListsController, RulesController],
  providers: [EventLogRepository, DecisionState, DecisionsRepository, DecisionsService, DecisionsGateway, ListsAndRulesRepository, ListsAndRulesService, ReviewerOrAdminGuard],
})
export class DecisionsModule {}
