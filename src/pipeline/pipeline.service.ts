import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommitNotices } from '../log/commit-notices.js';
import { EventLogRepository } from '../log/event-log.repository.js';
import { EventLogWriter } from '../log/event-log.writer.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { CheckpointRepository } from './checkpoint.repository.js';
import { CHECKPOINT_CONSUMER, type Monitor } from './monitor.js';
import { PartitionLeasesRepository } from './partition-leases.repository.js';
import type { PartitionOwnership } from './partition-ownership.js';
import { DEFAULT_MONITOR_CONFIG } from './pipeline.config.js';
import { Pipeline } from './pipeline.js';
import type { QuarantinedEvent } from './quarantine.repository.js';
import { LiveEngineStage } from './stages/live-engine.stage.js';

/** The monitor of this process, or null where the process only ingests (ROOMWATCH_ROLE=ingest). */
export const MONITOR = Symbol('MONITOR');
/** A detect worker's partition leases, or null where one process runs every room (all) or none (ingest). */
export const PARTITION_OWNERSHIP = Symbol('PARTITION_OWNERSHIP');

/** How far detection got over every partition, as the checkpoints say (null: nothing checkpointed yet). */
@Injectable()
export class DetectionProgress {
  private partitions: number | null = null;

  constructor(
    @Inject(CheckpointRepository) private readonly checkpoints: Pick<CheckpointRepository, 'lowestPartitionSeq'>,
    @Inject(PartitionLeasesRepository) private readonly leases: Pick<PartitionLeasesRepository, 'partitionCount'>,
  ) {}

  async lowest(): Promise<number | null> {
    this.partitions ??= await this.leases.partitionCount();
    return this.checkpoints.lowestPartitionSeq(this.partitions, CHECKPOINT_CONSUMER);
  }
}

/**
 * The pipeline in the Nest lifecycle: starts the monitor at boot and stops
 * it at shutdown, and reports detection's progress in `/v1/status`. An
 * ingest-only process runs no monitor; it shows how far the detect process
 * behind it has got instead.
 */
@Injectable()
export class PipelineService implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(MONITOR) private readonly monitor: Monitor | null,
    @Inject(Pipeline) private readonly pipeline: Pick<Pipeline, 'replayQuarantined'>,
    @Inject(LiveEngineStage) private readonly liveEngine: Pick<LiveEngineStage, 'stats'>,
    @Inject(StatusRegistry) private readonly status: Pick<StatusRegistry, 'register'>,
    @Inject(CommitNotices) private readonly notices: Pick<CommitNotices, 'remoteProcessed'>,
    @Inject(EventLogWriter) private readonly writer: Pick<EventLogWriter, 'committedThrough'>,
    @Inject(EventLogRepository) private readonly log: Pick<EventLogRepository, 'countRange'>,
    @Inject(PARTITION_OWNERSHIP) private readonly ownership: PartitionOwnership | null = null,
    @Inject(DetectionProgress) private readonly progress: Pick<DetectionProgress, 'lowest'> = { lowest: () => Promise.resolve(null) },
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { monitor, ownership } = this;
    if (!monitor) {
      // Detection runs in detect workers; show how far the slowest partition is behind this one's commits.
      this.status.register('detection', async () => {
        const processed = (await this.progress.lowest()) ?? (await this.notices.remoteProcessed());
        const committed = this.writer.committedThrough();
        // Counted in the log: seqs come in blocks per flush, so committed − processed is a span, not a count.
        const backlog = processed === null ? 0 : await this.log.countRange(processed, committed, DEFAULT_MONITOR_CONFIG.maxCountedBacklog);
        return { backlog, mode: 'remote', remoteProcessedSeq: processed };
      });
      return;
    }
    this.status.register('detection', async () => {
      // One pass over the engine's streams serves both the stats and the lag.
      const engine = this.liveEngine.stats();
      return {
        backlog: await monitor.backlog(),
        mode: monitor.mode,
        processedSeq: monitor.processedSeq,
        queuedEvents: monitor.queuedEvents,
        lagSeconds: monitor.lagSeconds(engine.maxEventTime),
        engine,
        ...(ownership ? { partitions: this.partitionStatus(monitor, ownership) } : {}),
        restricted: { lastError: monitor.lastError },
      };
    });
    // A worker takes its first share before it starts reading.
    if (ownership) await ownership.start();
    monitor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.monitor?.stop();
    // Given back at once: the other workers take over without waiting out the TTL.
    await this.ownership?.stop();
  }

  /** This worker's share: which partitions it holds, of how many, among how many workers, each one's checkpoint and lag. */
  private partitionStatus(monitor: Monitor, ownership: PartitionOwnership) {
    const progress = monitor.partitionProgress() ?? [];
    const lowest = progress.length > 0 ? Math.min(...progress.map((p) => p.processedSeq)) : null;
    return {
      worker: ownership.worker,
      held: ownership.held().length,
      of: ownership.partitionCount,
      workers: ownership.workers,
      leaseTtlMs: ownership.timing.ttlMs,
      lowestProcessedSeq: lowest,
      list: progress.map(({ partition, processedSeq }) => ({ partition, processedSeq, behindSeq: Math.max(0, monitor.readBound() - processedSeq) })),
    };
  }

  /**
   * Runs one quarantined event through the pipeline again, between batches;
   * the live engine sees it too while this process's monitor runs. Null when
   * no such event is quarantined.
   */
  replayQuarantined(seq: number): Promise<QuarantinedEvent | null> {
    return this.pipeline.replayQuarantined(seq, { live: this.monitor !== null && this.monitor.mode !== 'stopped' });
  }
}
