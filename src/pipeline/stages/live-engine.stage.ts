import { Inject, Injectable } from '@nestjs/common';
import { InMemoryCohortDirectory } from '../../detection/engine/cohort-directory.js';
import { DEFAULT_ENGINE_CONFIG, DetectionEngine, type EngineStats } from '../../detection/engine/engine.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { CohortSightingsRepository } from '../../state/sightings/cohort-sightings.repository.js';
import type { BatchContext, LiveDetectionStage } from '../stage.js';

/** The engine and the cohort directory it records cross-room sightings in: built, and rebuilt, together. */
export interface LiveDetection {
  readonly engine: Pick<DetectionEngine, 'process' | 'drainFindings' | 'stats'>;
  readonly cohorts: Pick<InMemoryCohortDirectory, 'position' | 'takeJournal' | 'restore' | 'horizonMs'>;
}

/** Builds a fresh, empty live detection: at start and at every rebuild after an outage. */
export type LiveDetectionFactory = () => LiveDetection;
export const LIVE_DETECTION_FACTORY = Symbol('LIVE_DETECTION_FACTORY');

/** The engine with every live detector, its cohort directory journalling each new sighting for PostgreSQL. */
export const newLiveDetection: LiveDetectionFactory = () => {
  const cohorts = new InMemoryCohortDirectory(DEFAULT_ENGINE_CONFIG.cohortDirectory, { journal: true });
  return { engine: new DetectionEngine(undefined, { cohortDirectory: cohorts }), cohorts };
};

/**
 * The live detectors (injected viewers, scripted comments, ...) in the
 * engine, fed each event in log order. The cohort directory is told each
 * event's log position, and its sightings are written through after every
 * batch, so cross-room memory outlives a restart.
 */
@Injectable()
export class LiveEngineStage implements LiveDetectionStage {
  readonly kind = 'live-detection';
  readonly name = 'live engine';
  private live: LiveDetection;
  /** A detect worker's partitions (null: every room is this process's) and how far other workers' sightings are loaded. */
  private partitions: readonly number[] | null = null;
  private foreignThrough = 0;

  constructor(
    @Inject(LIVE_DETECTION_FACTORY) private readonly create: LiveDetectionFactory,
    @Inject(CohortSightingsRepository)
    private readonly sightings: Pick<CohortSightingsRepository, 'append' | 'loadRecent' | 'loadRecentOf' | 'loadForeign'>,
  ) {
    this.live = create();
  }

  async run(context: BatchContext): Promise<void> {
    if (this.partitions !== null && context.events.length > 0) await this.takeForeignSightings(context.events[0]!.seq);
    for (const committed of context.events) {
      try {
        this.live.cohorts.position = committed.seq;
        this.live.engine.process(committed.event);
      } catch (error) {
        context.rejected.push({ committed, error });
      }
    }
    context.findings.push(...this.live.engine.drainFindings());
    await this.sightings.append(this.live.cohorts.takeJournal());
  }

  async rebuild(beforeSeq: number, partitions: readonly number[] | null = null): Promise<void> {
    this.live = this.create();
    this.partitions = partitions;
    const { cohorts } = this.live;
    const limit = DEFAULT_ENGINE_CONFIG.cohortDirectory.maxSightings;
    if (partitions === null) {
      cohorts.restore(await this.sightings.loadRecent(beforeSeq, cohorts.horizonMs, limit));
      return;
    }
    const restored = await this.sightings.loadRecentOf(beforeSeq, cohorts.horizonMs, limit, partitions);
    cohorts.restore(restored.sightings);
    this.foreignThrough = restored.through;
  }

  /**
   * A detect worker: the sightings other workers' rooms recorded since the
   * last batch, as far as their checkpoints vouch (see
   * CohortSightingsRepository.loadForeign), put in the directory before this
   * batch's events look for matches. Cross-room memory goes through
   * PostgreSQL, never another worker's memory.
   */
  private async takeForeignSightings(beforeSeq: number): Promise<void> {
    const foreign = await this.sightings.loadForeign(this.foreignThrough, beforeSeq, this.partitions!);
    this.live.cohorts.restore(foreign.sightings);
    this.foreignThrough = foreign.through;
  }

  replay(events: readonly CommittedEvent[]): void {
    for (const { seq, event } of events) {
      this.live.cohorts.position = seq;
      this.live.engine.process(event);
    }
    // Findings and sightings up to the checkpoint are stored already.
    this.live.engine.drainFindings();
    this.live.cohorts.takeJournal();
  }

  stats(): EngineStats {
    return this.live.engine.stats();
  }
}
