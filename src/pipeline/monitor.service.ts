import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../platform/database/database.module.js';
import { InMemoryCohortDirectory } from '../detection/engine/cohort-directory.js';
import { DEFAULT_ENGINE_CONFIG, DetectionEngine } from '../detection/engine/engine.js';
import { type Finding, findingKey } from '../detection/engine/finding.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { CommitNotices } from '../ingest/commit-notices.js';
import { IngestService } from '../ingest/ingest.service.js';
import { STORED_EVENT_COLUMNS, type StoredEventRecord, fromStoredRecord } from '../log/stored-event.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { BatchHandlers, FINDING_SINK, type FindingSink } from './batch-handlers.js';
import { CohortSightingsRepository } from '../state/sightings/cohort-sightings.repository.js';
import { DEFAULT_MONITOR_CONFIG, type MonitorConfig } from './monitor.config.js';
import { PoisonQuarantine, type QuarantinedEvent, isDependencyError } from './poison-quarantine.js';

const CONSUMER = 'detection';

type Mode = 'recovering' | 'live' | 'catching-up' | 'stopped';

/**
 * Feeds what ingest durably committed to the detection engine, in commit
 * order, and hands the findings on. Live, it is given each batch right after
 * its commit (no polling). At start, and whenever it falls too far behind, it
 * reads the log instead: first replaying, muted, the recent streams up to its
 * checkpoint (to rebuild the engine's state), then processing what came after.
 * The checkpoint moves only after a batch's side effects and findings are
 * stored, so a crash at any point loses nothing and repeats at most one batch,
 * which every handler and the report store absorb idempotently.
 */
@Injectable()
export class MonitorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MonitorService.name);
  private readonly config: MonitorConfig = DEFAULT_MONITOR_CONFIG;
  /** Journals its sightings: written through after each batch, restored at start (cross-room memory outlives a restart). */
  private cohorts = newCohortDirectory();
  private engine = new DetectionEngine(undefined, { cohortDirectory: this.cohorts });
  private mode: Mode = 'recovering';
  private readonly queue: CommittedEvent[][] = [];
  private queuedEvents = 0;
  private processedSeq = 0;
  private highestCommittedSeq = 0;
  private draining: Promise<void> | null = null;
  private readonly stopListening: Array<() => void> = [];
  private lastError: string | null = null;
  /** Newest ts among committed events handed to this process (live hand-over only). */
  private newestCommittedTs = Number.NEGATIVE_INFINITY;
  /** Batches and quarantine replays run one at a time (both feed the engine and the handlers). */
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly ingest: IngestService,
    private readonly handlers: BatchHandlers,
    @Inject(FINDING_SINK) private readonly sink: FindingSink,
    private readonly status: StatusRegistry,
    private readonly notices: CommitNotices,
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    private readonly poison: PoisonQuarantine,
    private readonly sightings: CohortSightingsRepository,
  ) {}

  /** Detection in another process than ingest: commits arrive as notices, not hand-overs. */
  private get remote(): boolean {
    return this.appConfig.ROOMWATCH_ROLE === 'detect';
  }

  onApplicationBootstrap(): void {
    if (this.appConfig.ROOMWATCH_ROLE === 'ingest') {
      // Detection runs in a detect process; show how far it is behind this one's commits.
      this.mode = 'stopped';
      this.status.register('detection', async () => {
        const processed = await this.notices.remoteProcessed();
        const committed = this.ingest.writer.committedThrough();
        return { backlog: processed === null ? 0 : Math.max(0, committed - processed), mode: 'remote', remoteProcessedSeq: processed };
      });
      return;
    }
    if (this.remote) {
      this.stopListening.push(this.notices.onAdvance(() => this.onRemoteAdvance()));
    } else {
      this.stopListening.push(
        this.ingest.writer.onCommitted((batch) => this.onCommitted(batch)),
        this.ingest.writer.onGap(() => this.onGap()),
      );
    }
    this.status.register('detection', () => {
      // One pass over the engine's streams serves both the stats and the lag.
      const engine = this.engine.stats();
      return {
        backlog: this.backlog(),
        mode: this.mode,
        processedSeq: this.processedSeq,
        queuedEvents: this.queuedEvents,
        lagSeconds: this.lagSeconds(engine.maxEventTime),
        engine,
        restricted: { lastError: this.lastError },
      };
    });
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.stopListening) stop();
    this.mode = 'stopped';
    await this.draining;
  }

  /** Accepted events not yet fully processed; 0 means every finding they justify is stored. */
  backlog(): number {
    if (this.mode === 'live') return this.queuedEvents;
    return this.queuedEvents + Math.max(1, this.highestCommittedSeq - this.processedSeq);
  }

  /** Event time between the newest committed event handed over and the newest the engine processed. */
  private lagSeconds(processed: number | null): number {
    if (processed === null || this.newestCommittedTs <= processed) return 0;
    return (this.newestCommittedTs - processed) / 1000;
  }

  private onCommitted(batch: CommittedEvent[]): void {
    for (const committed of batch) if (committed.event.ts > this.newestCommittedTs) this.newestCommittedTs = committed.event.ts;
    const last = batch[batch.length - 1];
    if (last) this.highestCommittedSeq = Math.max(this.highestCommittedSeq, last.seq);
    if (this.mode !== 'live') return; // the log has it; recovery or catch-up will read it
    if (this.queuedEvents + batch.length > this.config.maxQueuedEvents) {
      // Falling behind: stop holding batches in memory and read them back later.
      this.logger.warn(`detection is ${this.queuedEvents} events behind ingest; catching up from the log`);
      this.queue.length = 0;
      this.queuedEvents = 0;
      this.mode = 'catching-up';
    } else {
      this.queue.push(batch);
      this.queuedEvents += batch.length;
    }
    this.kick();
  }

  /** Another process committed more: read the log up to the new bound. */
  private onRemoteAdvance(): void {
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, this.notices.readBound());
    if (this.mode === 'live') this.mode = 'catching-up';
    this.kick();
  }

  /** Rows may have been committed without a hand-over: read the log from the checkpoint. */
  private onGap(): void {
    if (this.mode !== 'live') return;
    this.queue.length = 0;
    this.queuedEvents = 0;
    this.mode = 'catching-up';
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.mode === 'stopped') return;
    this.draining = this.drain()
      .catch((error: Error) => {
        // The database went away mid-batch. The engine may hold half of that
        // batch, so rebuild it from the log once the database is back:
        // nothing past the checkpoint is lost, nothing is counted twice.
        this.lastError = error.message;
        this.logger.error(`detection paused: ${error.message}`);
        this.queue.length = 0;
        this.queuedEvents = 0;
        if (this.mode !== 'stopped') this.mode = 'recovering';
        return new Promise<void>((resolve) => setTimeout(resolve, 1_000));
      })
      .finally(() => {
        this.draining = null;
        if (this.mode !== 'stopped' && (this.mode !== 'live' || this.queue.length > 0)) this.kick();
      });
  }

  private async drain(): Promise<void> {
    if (this.mode === 'recovering') await this.recover();
    while (this.mode === 'catching-up') {
      const caughtUp = await this.catchUpPage();
      if (caughtUp && this.processedSeq >= this.highestCommittedSeq) {
        this.mode = 'live';
        this.lastError = null;
      }
    }
    while (this.mode === 'live' && this.queue.length > 0) {
      const batch = this.queue[0]!;
      // Counted in the backlog until its findings are stored, not just dequeued.
      if (batch[batch.length - 1]!.seq > this.processedSeq) {
        await this.processBatch(batch.filter((committed) => committed.seq > this.processedSeq));
      }
      if (this.queue[0] === batch) {
        this.queue.shift();
        this.queuedEvents -= batch.length;
      }
    }
  }

  /** Rebuilds engine state from the log: muted up to the checkpoint, then catch-up. */
  private async recover(): Promise<void> {
    this.cohorts = newCohortDirectory();
    this.engine = new DetectionEngine(undefined, { cohortDirectory: this.cohorts });
    const checkpoint = await this.pool.query<{ processed_seq: string }>(
      'SELECT processed_seq FROM engine_checkpoints WHERE consumer = $1',
      [CONSUMER],
    );
    this.processedSeq = Number(checkpoint.rows[0]?.processed_seq ?? 0);
    const maxSeq = await this.pool.query<{ max: string | null }>('SELECT max(last_seq) AS max FROM streams');
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, Number(maxSeq.rows[0]?.max ?? 0));

    const replayFrom = await this.replayStart();
    // Sightings the replay below will not record again (it records the rest itself, in log order).
    const replaying = replayFrom !== null && replayFrom <= this.processedSeq;
    this.cohorts.restore(
      await this.sightings.loadRecent(replaying ? replayFrom : this.processedSeq + 1, this.cohorts.horizonMs, DEFAULT_ENGINE_CONFIG.cohortDirectory.maxSightings),
    );
    let replayed = 0;
    if (replaying) {
      // Quarantined events were kept out of the live engine: keep them out of its rebuild too.
      const quarantined = await this.poison.openSeqs(this.processedSeq);
      for (let from = replayFrom - 1; from < this.processedSeq; from += this.config.replayPageSpan) {
        const to = Math.min(from + this.config.replayPageSpan, this.processedSeq);
        this.processInOrder((await this.readLog(from, to)).filter(({ seq }) => !quarantined.has(seq)));
        replayed += to - from;
        // Findings and sightings up to the checkpoint are already stored.
        this.engine.drainFindings();
        this.cohorts.takeJournal();
      }
    }
    this.logger.log(
      `detection recovered: checkpoint seq ${this.processedSeq}, replayed ${replayed > 0 ? `seq ${replayFrom}..${this.processedSeq}` : 'nothing'}`,
    );
    this.mode = 'catching-up';
  }

  /** The first log position of any stream recent enough that the engine may still hold it. */
  private async replayStart(): Promise<number | null> {
    const result = await this.pool.query<{ first: string | null }>(
      `SELECT min(first_seq) AS first FROM streams
        WHERE activity_ts >= (SELECT max(activity_ts) FROM streams) - $1`,
      [this.config.replayHorizonMs],
    );
    const first = result.rows[0]?.first;
    return first === null || first === undefined ? null : Number(first);
  }

  /** Processes one page of the log after the checkpoint; true when the log had nothing more. */
  private async catchUpPage(): Promise<boolean> {
    const bound = this.remote ? this.notices.readBound() : this.ingest.writer.safeSeq();
    const to = Math.min(this.processedSeq + this.config.replayPageSpan, bound);
    if (this.remote && to <= this.processedSeq) {
      // Everything announced so far is processed; the next notice wakes us.
      this.highestCommittedSeq = this.processedSeq;
      return true;
    }
    if (to <= this.processedSeq) {
      // A flush below everything newer is still committing; its rows come next.
      await new Promise((resolve) => setTimeout(resolve, 5));
      return false;
    }
    const page = await this.readLog(this.processedSeq, to);
    if (page.length > 0) {
      await this.processBatch(page);
      return false;
    }
    // An empty span below a known commit is a run of seqs burnt by duplicates.
    if (to < this.highestCommittedSeq) {
      this.processedSeq = to;
      return false;
    }
    if (this.remote) {
      // The writers vouch for everything up to the bound: nothing more will appear below it.
      this.processedSeq = to;
      this.highestCommittedSeq = Math.max(this.highestCommittedSeq, to);
      void this.notices.publishProcessed(this.processedSeq);
      return to >= bound;
    }
    return true;
  }

  /**
   * Stores findings. The store checks them (one place for it); a finding it
   * refuses for anything but an outage, a malformed one (a detector bug)
   * included, is dropped loudly so it cannot stall detection for every room.
   */
  private async storeFindings(findings: Finding[]): Promise<void> {
    try {
      await this.sink.applyFindings(findings);
    } catch (error) {
      if (isDependencyError(error)) throw error;
      for (const finding of findings) {
        try {
          await this.sink.applyFindings([finding]);
        } catch (single) {
          if (isDependencyError(single)) throw single;
          this.logger.error(`dropped finding ${findingKey(finding)}: the report store refused it: ${(single as Error).message}`);
        }
      }
    }
  }

  /**
   * Runs one quarantined event through the handlers again (its cause fixed),
   * between batches, and stores what it reveals. The engine sees it too when
   * this process runs detection; null when no such event is quarantined.
   */
  async replayQuarantined(seq: number): Promise<QuarantinedEvent | null> {
    const run = this.exclusive.then(async () => {
      const replayed = await this.poison.replay(seq, this.handlers.all());
      if (!replayed) return null;
      const findings = [...replayed.findings];
      if (this.mode !== 'stopped') {
        try {
          this.cohorts.position = replayed.event.seq;
          this.engine.process(replayed.event.event);
          findings.push(...this.engine.drainFindings());
          await this.sightings.append(this.cohorts.takeJournal());
        } catch (error) {
          this.logger.error(`replayed event ${replayed.event.event.id} failed in the engine: ${(error as Error).message}`);
        }
      }
      if (findings.length > 0) await this.storeFindings(findings);
      return replayed.entry;
    });
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private async readLog(afterSeq: number, upToSeq: number): Promise<CommittedEvent[]> {
    const result = await this.pool.query<StoredEventRecord>(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
      [afterSeq, upToSeq],
    );
    return result.rows.map((row) => ({ seq: Number(row.seq), event: fromStoredRecord(row) }));
  }

  /** Feeds the engine, telling the cohort directory where in the log each sighting is recorded. */
  private processInOrder(batch: readonly CommittedEvent[]): void {
    for (const { seq, event } of batch) {
      this.cohorts.position = seq;
      this.engine.process(event);
    }
  }

  private processBatch(batch: CommittedEvent[]): Promise<void> {
    const run = this.exclusive.then(() => this.processBatchNow(batch));
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private async processBatchNow(batch: CommittedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    // A poison event is set aside there (retried, then isolated), so one bad event cannot stop the log.
    const { findings, quarantined } = await this.poison.handle(batch, this.handlers.all());
    for (const committed of batch) {
      if (quarantined.has(committed.seq)) continue;
      try {
        this.cohorts.position = committed.seq;
        this.engine.process(committed.event);
      } catch (error) {
        await this.poison.quarantine(committed, error, 1);
      }
    }
    findings.push(...this.engine.drainFindings());
    await this.sightings.append(this.cohorts.takeJournal());
    if (findings.length > 0) await this.storeFindings(findings);
    const lastSeq = batch[batch.length - 1]!.seq;
    await this.pool.query(
      `INSERT INTO engine_checkpoints (consumer, processed_seq) VALUES ($1, $2)
       ON CONFLICT (consumer) DO UPDATE SET processed_seq = GREATEST(engine_checkpoints.processed_seq, EXCLUDED.processed_seq), updated_at = now()`,
      [CONSUMER, lastSeq],
    );
    this.processedSeq = lastSeq;
    this.highestCommittedSeq = Math.max(this.highestCommittedSeq, lastSeq);
    if (this.remote) void this.notices.publishProcessed(lastSeq);
  }
}

function newCohortDirectory(): InMemoryCohortDirectory {
  return new InMemoryCohortDirectory(DEFAULT_ENGINE_CONFIG.cohortDirectory, { journal: true });
}
