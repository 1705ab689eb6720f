import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { CommitNotices } from '../log/commit-notices.js';
import { EventLogRepository } from '../log/event-log.repository.js';
import { EventLogWriter } from '../log/event-log.writer.js';
import { logSourceFor } from '../log/log-source.js';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { ReportsModule } from '../reports/reports.module.js';
import { ReportsService } from '../reports/reports.service.js';
import { LedgerModule } from '../state/ledger/ledger.module.js';
import { OrderLedger } from '../state/ledger/order-ledger.js';
import { PlatformFactsModule } from '../state/platform-facts.module.js';
import { CohortSightingsRepository } from '../state/sightings/cohort-sightings.repository.js';
import { StreamDirectory } from '../state/streams/stream-directory.js';
import { StreamRepository } from '../state/streams/stream.repository.js';
import { StreamsModule } from '../state/streams/streams.module.js';
import { CheckpointRepository } from './checkpoint.repository.js';
import { Monitor } from './monitor.js';
import { Pipeline } from './pipeline.js';
import { MONITOR, PipelineService } from './pipeline.service.js';
import { PoisonQuarantine } from './poison-quarantine.js';
import { QuarantineController } from './quarantine.controller.js';
import { QuarantineRepository } from './quarantine.repository.js';
import type { Stage } from './stage.js';
import { InflatedGmvStage } from './stages/inflated-gmv.stage.js';
import { LedgerStage } from './stages/ledger.stage.js';
import { LIVE_DETECTION_FACTORY, LiveEngineStage, newLiveDetection } from './stages/live-engine.stage.js';
import { OrderFactsReader } from './stages/order-facts.reader.js';
import { PlatformFactsStage } from './stages/platform-facts.stage.js';
import { RefundBrushingStage } from './stages/refund-brushing.stage.js';
import { FINDING_SINK, ReportSinkStage } from './stages/report-sink.stage.js';
import { StreamsStage } from './stages/streams.stage.js';
import { AccountPresenceStage } from './stages/account-presence.stage.js';
import { AccountStreamsModule } from '../state/accounts/account-streams.module.js';
import { RingsModule } from '../rings/rings.module.js';
import { RingsStage } from './stages/rings.stage.js';

/**
 * The stages every committed batch runs through, in this order (Pipeline
 * checks it at boot): the state first, the streams directory before the
 * ledger (the ledger detectors read stream boundaries), the v2 platform
 * facts (flash-sale openings, coupon claims, sign-ups), the accounts'
 * presence per stream (read by the desk only), then the ledger
 * detectors over that state, the linked-account rings (after the ledger
 * detectors, reading the reports earlier batches stored), the live engine,
 * and the report store last.
 */
const STAGES = [StreamsStage, LedgerStage, PlatformFactsStage, AccountPresenceStage, RefundBrushingStage, InflatedGmvStage, RingsStage, LiveEngineStage, ReportSinkStage] as const;

/**
 * The pipeline: a monitor following the log (local hand-over or remote
 * notices, by ROOMWATCH_ROLE) through the ordered stages, its checkpoint,
 * the poison quarantine and its admin route.
 */
@Module({
  imports: [IngestModule, ReportsModule, StreamsModule, LedgerModule, PlatformFactsModule, AccountStreamsModule, RingsModule],
  controllers: [QuarantineController],
  providers: [
    EventLogRepository,
    CohortSightingsRepository,
    CheckpointRepository,
    QuarantineRepository,
    StreamDirectory,
    OrderLedger,
    OrderFactsReader,
    PoisonQuarantine,
    ...STAGES,
    { provide: LIVE_DETECTION_FACTORY, useValue: newLiveDetection },
    { provide: FINDING_SINK, useExisting: ReportsService },
    {
      provide: Pipeline,
      inject: [PoisonQuarantine, ...STAGES],
      useFactory: (poison: PoisonQuarantine, ...stages: Stage[]) => new Pipeline(stages, poison),
    },
    {
      provide: MONITOR,
      inject: [APP_CONFIG, EventLogWriter, CommitNotices, EventLogRepository, Pipeline, CheckpointRepository, StreamRepository, QuarantineRepository],
      useFactory: (
        config: AppConfig,
        writer: EventLogWriter,
        notices: CommitNotices,
        log: EventLogRepository,
        pipeline: Pipeline,
        checkpoints: CheckpointRepository,
        streams: StreamRepository,
        quarantine: QuarantineRepository,
      ): Monitor | null => {
        const source = logSourceFor(config.ROOMWATCH_ROLE, { writer, notices, log });
        return source && new Monitor({ source, pipeline, checkpoints, streams, quarantine });
      },
    },
    PipelineService,
  ],
})
export class PipelineModule {}
