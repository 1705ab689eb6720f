import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Finding } from '../detection/engine/finding.js';
import { EventLogRepository } from '../log/event-log.repository.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { DEFAULT_POISON_CONFIG, type PoisonConfig } from './pipeline.config.js';
import { isDependencyError } from './dependency-error.js';
import { type QuarantinedEvent, QuarantineRepository } from './quarantine.repository.js';

export type { QuarantinedEvent } from './quarantine.repository.js';

/** The retried part of the pipeline over some events: its findings, or a throw. */
export type RetriedRun = (events: CommittedEvent[]) => Promise<Finding[]>;

/** What the retried stages reached on a batch, and the events set aside on the way. */
export interface HandledBatch {
  findings: Finding[];
  /** Seqs quarantined: the engine skips them too, so the restart replay agrees with the live run. */
  quarantined: Set<number>;
}

/**
 * The pipeline's failure path: a batch whose durable stages fail for a
 * reason other than an unreachable dependency is retried a few times, then
 * split in halves until the event that fails alone is found; that event goes
 * to `quarantined_events` with its error, the rest of the batch is handled,
 * and the log moves on. The durable stages are idempotent, so running a half
 * again is safe.
 */
@Injectable()
export class PoisonQuarantine implements OnModuleInit {
  private readonly logger = new Logger(PoisonQuarantine.name);
  private readonly config: PoisonConfig = DEFAULT_POISON_CONFIG;

  constructor(
    @Inject(QuarantineRepository)
    private readonly repository: Pick<QuarantineRepository, 'quarantine' | 'openCount' | 'has' | 'markReplayed' | 'recordReplayFailure'>,
    @Inject(EventLogRepository) private readonly log: Pick<EventLogRepository, 'readOne'>,
    @Inject(StatusRegistry) private readonly status: Pick<StatusRegistry, 'register'>,
  ) {}

  onModuleInit(): void {
    this.status.register('quarantine', async () => {
      const quarantined = await this.repository.openCount();
      return { backlog: 0, quarantined, degraded: quarantined > 0 };
    });
  }

  /** Runs the retried stages over the batch; throws only for a dependency error. */
  async handle(batch: CommittedEvent[], run: RetriedRun): Promise<HandledBatch> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.config.attempts; attempt++) {
      try {
        return { findings: await run(batch), quarantined: new Set() };
      } catch (error) {
        if (isDependencyError(error)) throw error;
        lastError = error;
        this.logger.warn(`batch seq ${batch[0]!.seq}..${batch[batch.length - 1]!.seq} failed (attempt ${attempt}): ${messageOf(error)}`);
        if (attempt < this.config.attempts) await new Promise((resolve) => setTimeout(resolve, this.config.backoffMs * attempt));
      }
    }
    const handled: HandledBatch = { findings: [], quarantined: new Set() };
    await this.isolate(batch, run, handled, lastError);
    return handled;
  }

  /**
   * Runs the retried stages over one quarantined event again (after the
   * cause was fixed). On success the entry is closed and the event returned,
   * for the stages after them; on failure the error is kept and rethrown.
   */
  async replay(seq: number, run: RetriedRun): Promise<{ entry: QuarantinedEvent; event: CommittedEvent; findings: Finding[] } | null> {
    if (!(await this.repository.has(seq))) return null;
    const event = await this.log.readOne(seq);
    if (!event) return null;
    try {
      const findings = await run([event]);
      const entry = await this.repository.markReplayed(seq);
      return entry ? { entry, event, findings } : null;
    } catch (error) {
      if (!isDependencyError(error)) await this.repository.recordReplayFailure(seq, messageOf(error));
      throw error;
    }
  }

  /** Halves the batch until the failing events stand alone; the others' findings are kept. */
  private async isolate(batch: CommittedEvent[], run: RetriedRun, handled: HandledBatch, error: unknown): Promise<void> {
    if (batch.length === 1) {
      await this.quarantine(batch[0]!, error);
      handled.quarantined.add(batch[0]!.seq);
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
      try {
        handled.findings.push(...(await run(half)));
      } catch (halfError) {
        if (isDependencyError(halfError)) throw halfError;
        await this.isolate(half, run, handled, halfError);
      }
    }
  }

  /** Sets one event aside with its error (also for an engine that threw on it: in memory, a retry cannot differ). */
  async quarantine({ seq, event }: CommittedEvent, error: unknown, attempts = this.config.attempts + 1): Promise<void> {
    const message = messageOf(error);
    this.logger.error(`quarantined event ${event.id} (seq ${seq}, ${event.type}, ${event.streamId === undefined ? 'no stream' : `stream ${event.streamId}`}): ${message}`);
    await this.repository.quarantine({ seq, event }, message, attempts);
  }
}

/** Bounded so one odd error cannot bloat the table or the listing. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}
