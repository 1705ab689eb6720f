import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommitNotices } from '../log/commit-notices.js';
import { EventLogWriter } from '../log/event-log.writer.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { Monitor } from './monitor.js';
import { Pipeline } from './pipeline.js';
import type { QuarantinedEvent } from './quarantine.repository.js';
import { LiveEngineStage } from './stages/live-engine.stage.js';

/** The monitor of this process, or null where the process only ingests (ROOMWATCH_ROLE=ingest). */
export const MONITOR = Symbol('MONITOR');

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
  ) {}

  onApplicationBootstrap(): void {
    const { monitor } = this;
    if (!monitor) {
      // Detection runs in a detect process; show how far it is behind this one's commits.
      this.status.register('detection', async () => {
        const processed = await this.notices.remoteProcessed();
        const committed = this.writer.committedThrough();
        return { backlog: processed === null ? 0 : Math.max(0, committed - processed), mode: 'remote', remoteProcessedSeq: processed };
      });
      return;
    }
    this.status.register('detection', () => {
      // One pass over the engine's streams serves both the stats and the lag.
      const engine = this.liveEngine.stats();
      return {
        backlog: monitor.backlog(),
        mode: monitor.mode,
        processedSeq: monitor.processedSeq,
        queuedEvents: monitor.queuedEvents,
        lagSeconds: monitor.lagSeconds(engine.maxEventTime),
        engine,
        restricted: { lastError: monitor.lastError },
      };
    });
    monitor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.monitor?.stop();
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
