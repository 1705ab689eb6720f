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
import { PartitionLeasesRepository } from './partition-leases.repository.js';
import { PartitionOwnership } from './partition-ownership.js';
import { Pipeline } from './pipeline.js';
import { DetectionProgress, MONITOR, PARTITION_OWNERSHIP, PipelineService } from './pipeline.service.js';
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
import { PromotionsStage } from './stages/promotions.stage.js';
import { PromotionFactsRepository } from '../state/promotions/promotion-facts.repository.js';
import { AccountStreamsModule } from '../state/accounts/account-streams.module.js';
import { RingsModule } from '../rings/rings.module.js';
import { RingsStage } from './stages/rings.stage.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';

/**
 * The stages every committed batch runs through, in this order (Pipeline
 * checks it at boot): the state first, the streams directory before the
 * ledger (the ledger detectors read stream boundaries), the v2 platform
 * facts (flash-sale openings, coupon claims, sign-ups), the accounts'
 * presence per stream (read by the desk only), then the ledger
 * detectors over that state (refund brushing, inflated GMV, then coupon
 * abuse and cash-out), the live engine, the report store, and then the
 * linked-account rings, which read every catch the batch stored.
 */
const STAGES = [StreamsStage, LedgerStage, PlatformFactsStage, AccountPresenceStage, RefundBrushingStage, InflatedGmvStage, PromotionsStage, LiveEngineStage, ReportSinkStage, RingsStage] as const;

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
    PartitionLeasesRepository,
    QuarantineRepository,
    StreamDirectory,
    OrderLedger,
    OrderFactsReader,
    PromotionFactsRepository,
    PoisonQuarantine,
    ...STAGES,
    { provide: LIVE_DETECTION_FACTORY, useValue: newLiveDetection },
    { provide: FINDING_SINK, useExisting: ReportsService },
    {
      provide: Pipeline,
      inject: [PoisonQuarantine, MetricsService, ...STAGES],
      useFactory: (poison: PoisonQuarantine, metrics: MetricsService, ...stages: Stage[]) =>
        new Pipeline(stages, poison, (stage, seconds) => metrics.stageSeconds.observe({ stage }, seconds)),
    },
    {
      // A detect worker holds a share of the partitions; a single process (all) runs every room.
      provide: PARTITION_OWNERSHIP,
      inject: [APP_CONFIG, PartitionLeasesRepository],
      useFactory: (config: AppConfig, leases: PartitionLeasesRepository): PartitionOwnership | null =>
        config.ROOMWATCH_ROLE === 'detect'
          ? new PartitionOwnership(leases, { ttlMs: config.DETECT_LEASE_TTL_MS, renewMs: Math.max(100, Math.floor(config.DETECT_LEASE_TTL_MS / 3)) })
          : null,
    },
    {
      provide: MONITOR,
      inject: [
        APP_CONFIG,
        EventLogWriter,
        CommitNotices,
        EventLogRepository,
        Pipeline,
        CheckpointRepository,
        StreamRepository,
        QuarantineRepository,
        PARTITION_OWNERSHIP,
      ],
      useFactory: (
        config: AppConfig,
        writer: EventLogWriter,
        notices: CommitNotices,
        log: EventLogRepository,
        pipeline: Pipeline,
        checkpoints: CheckpointRepository,
        streams: StreamRepository,
        quarantine: QuarantineRepository,
        ownership: PartitionOwnership | null,
      ): Monitor | null => {
        const source = logSourceFor(config.ROOMWATCH_ROLE, { writer, notices, log });
        return source && new Monitor({ source, pipeline, checkpoints, streams, quarantine, ...(ownership ? { partitions: ownership } : {}) });
      },
    },
    DetectionProgress,
    PipelineService,
  ],
})
export class PipelineModule {}
