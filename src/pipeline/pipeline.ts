import { Logger } from '@nestjs/common';
import type { Finding } from '../detection/engine/finding.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { isDependencyError } from './dependency-error.js';
import type { PoisonQuarantine } from './poison-quarantine.js';
import type { QuarantinedEvent } from './quarantine.repository.js';
import {
  type AggregateDetectionStage,
  BatchContext,
  type LedgerDetectionStage,
  type LiveDetectionStage,
  type SinkStage,
  STAGE_ORDER,
  type Stage,
  type StateStage,
} from './stage.js';

/**
 * The stages every committed batch runs through, in the order they are
 * listed (pipeline.module.ts lists them): state, then detection, then sinks.
 *
 * - The state stages and the ledger detectors are retried as one: the
 *   poison quarantine runs them again after a failure, and halves the batch
 *   to set aside the event that fails alone.
 * - The live detectors then see every event not set aside; one they throw on
 *   is quarantined at once (in memory, a retry cannot differ).
 * - The sinks get the findings of both.
 * - The aggregate detectors (rings) then read what the sinks stored, and
 *   the sinks get their findings too.
 *
 * Batches and quarantine replays run one at a time: both feed the same stages.
 */
export class Pipeline {
  private readonly logger = new Logger(Pipeline.name);
  private readonly retried: Array<StateStage | LedgerDetectionStage> = [];
  private readonly live: LiveDetectionStage[] = [];
  private readonly sinks: SinkStage[] = [];
  private readonly aggregate: AggregateDetectionStage[] = [];
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(
    readonly stages: readonly Stage[],
    private readonly poison: Pick<PoisonQuarantine, 'handle' | 'replay' | 'quarantine'>,
    /** Told how long each stage took over each batch (the stage-seconds metric). */
    private readonly timed: (stage: string, seconds: number) => void = () => undefined,
  ) {
    let rank = 0;
    for (const stage of stages) {
      const stageRank = STAGE_ORDER.indexOf(stage.kind);
      if (stageRank < rank) {
        throw new Error(`pipeline: the ${stage.kind} stage "${stage.name}" is listed after a ${STAGE_ORDER[rank]} stage; the order is ${STAGE_ORDER.join(', ')}`);
      }
      rank = stageRank;
      if (stage.kind === 'sink') this.sinks.push(stage);
      else if (stage.kind === 'aggregate-detection') this.aggregate.push(stage);
      else if (stage.kind === 'live-detection') this.live.push(stage);
      else this.retried.push(stage);
    }
  }

  /** Runs one committed batch through every stage; throws only when a dependency is away (the batch must come again). */
  run(batch: CommittedEvent[]): Promise<void> {
    return this.oneAtATime(async () => {
      if (batch.length === 0) return;
      const { findings, quarantined } = await this.poison.handle(batch, (events) => this.runRetried(events));
      const context = new BatchContext(quarantined.size === 0 ? batch : batch.filter(({ seq }) => !quarantined.has(seq)));
      for (const stage of this.live) await this.time(stage.name, () => stage.run(context));
      for (const { committed, error } of context.rejected) await this.poison.quarantine(committed, error, 1);
      const stored = [...findings, ...context.findings];
      await this.store(stored);
      await this.runAggregate(context.events, stored);
    });
  }

  /**
   * Runs one quarantined event through the stages again (its cause fixed)
   * and stores what it reveals; the live detectors see it too when `live`
   * (this process runs them). Null when no such event is quarantined.
   */
  replayQuarantined(seq: number, { live }: { live: boolean }): Promise<QuarantinedEvent | null> {
    return this.oneAtATime(async () => {
      const replayed = await this.poison.replay(seq, (events) => this.runRetried(events));
      if (!replayed) return null;
      const findings = [...replayed.findings];
      if (live) {
        const context = new BatchContext([replayed.event]);
        try {
          for (const stage of this.live) await stage.run(context);
          findings.push(...context.findings);
          for (const { error } of context.rejected) throw error;
        } catch (error) {
          this.logger.error(`replayed event ${replayed.event.event.id} failed in the ${this.live.map((stage) => stage.name).join(', ')}: ${(error as Error).message}`);
        }
      }
      await this.store(findings);
      await this.runAggregate([replayed.event], findings);
      return replayed.entry;
    });
  }

  /**
   * Empties the live detectors, restoring what they keep durably from before
   * `beforeSeq` (restart, outage); `partitions`: only these partitions' rooms
   * are this process's (a detect worker), null: every room.
   */
  async rebuild(beforeSeq: number, partitions: readonly number[] | null = null): Promise<void> {
    for (const stage of this.live) await stage.rebuild(beforeSeq, partitions);
  }

  /** Feeds events processed before the checkpoint to the live detectors again, muted, to rebuild their memory. */
  replay(events: readonly CommittedEvent[]): void {
    for (const stage of this.live) stage.replay(events);
  }

  private async runRetried(events: CommittedEvent[]): Promise<Finding[]> {
    const context = new BatchContext(events);
    for (const stage of this.retried) await this.time(stage.name, () => stage.run(context));
    return context.findings;
  }

  /** The aggregate detectors over a stored batch, their findings stored in turn; an outage throws, anything else is logged. */
  private async runAggregate(events: readonly CommittedEvent[], stored: readonly Finding[]): Promise<void> {
    if (this.aggregate.length === 0) return;
    const context = new BatchContext(events);
    context.findings.push(...stored);
    for (const stage of this.aggregate) {
      const before = context.findings.length;
      try {
        await this.time(stage.name, () => stage.run(context));
      } catch (error) {
        if (isDependencyError(error)) throw error;
        this.logger.error(`the ${stage.name} stage failed on seq ${events[0]?.seq}..${events[events.length - 1]?.seq}, left to the next change: ${(error as Error).message}`);
        continue;
      }
      await this.store(context.findings.slice(before));
    }
  }

  private async store(findings: readonly Finding[]): Promise<void> {
    for (const sink of this.sinks) await this.time(sink.name, () => sink.store(findings));
  }

  private async time(stage: string, work: () => Promise<void>): Promise<void> {
    const startedAt = process.hrtime.bigint();
    try {
      await work();
    } finally {
      this.timed(stage, Number(process.hrtime.bigint() - startedAt) / 1e9);
    }
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(work);
    this.exclusive = run.catch(() => undefined);
    return run;
  }
}
