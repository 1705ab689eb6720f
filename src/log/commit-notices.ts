import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { EventLogWriter } from './event-log.writer.js';

/** How often an ingest process announces itself even when nothing is committed. */
const HEARTBEAT_MS = 1_000;
/** A writer not heard from for this long is gone: its open transactions died with its connections. */
const WRITER_SILENCE_MS = 10_000;

interface CommitNotice {
  writer: string;
  committedThrough: number;
}

/**
 * Commits announced across processes, for deployments that run ingest and
 * detection apart (ROOMWATCH_ROLE). Every ingest-capable process publishes
 * its writer's committedThrough after each commit and on a heartbeat; a
 * detect process reads the log up to the lowest bound of the live writers,
 * woken by these notices instead of polling the table. It also publishes how
 * far it has processed, which ingest processes show in their backlog.
 */
@Injectable()
export class CommitNotices implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CommitNotices.name);
  private readonly writerId = randomUUID();
  private readonly channel: string;
  private readonly processedKey: string;
  private publisher?: Redis;
  private subscriber?: Redis;
  private heartbeat?: NodeJS.Timeout;
  private readonly writers = new Map<string, { committedThrough: number; seenAt: number }>();
  private readonly advanceListeners = new Set<() => void>();
  private stopProgress?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly writer: EventLogWriter,
  ) {
    this.channel = `${config.REDIS_PREFIX}:log:committed`;
    this.processedKey = `${config.REDIS_PREFIX}:detection:processed-seq`;
  }

  /** True when detection lives in another process than this one's ingest, or vice versa. */
  get split(): boolean {
    return this.config.ROOMWATCH_ROLE !== 'all';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.split) return;
    this.publisher = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 3 });
    this.publisher.on('error', (error) => this.logger.warn(`redis: ${error.message}`));
    if (this.config.ROOMWATCH_ROLE === 'detect') {
      this.subscriber = new Redis(this.config.REDIS_URL);
      this.subscriber.on('error', (error) => this.logger.warn(`redis: ${error.message}`));
      this.subscriber.on('message', (_channel, message: string) => this.hear(message));
      await this.subscriber.subscribe(this.channel);
    }
    // Every role that can ingest announces its writer, the detect role too
    // (events sent to it are read back from the log like anyone's).
    this.stopProgress = this.writer.onProgress((committedThrough) => this.announce(committedThrough));
    const beat = () => void this.writer.refreshIdleBound().catch((error: Error) => this.logger.warn(`heartbeat: ${error.message}`));
    beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    this.stopProgress?.();
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  onAdvance(listener: () => void): () => void {
    this.advanceListeners.add(listener);
    return () => this.advanceListeners.delete(listener);
  }

  /** The highest seq a reader may read to: every live writer has committed all it will commit below it. */
  readBound(now = Date.now()): number {
    let bound = Number.POSITIVE_INFINITY;
    for (const [writer, state] of this.writers) {
      if (now - state.seenAt > WRITER_SILENCE_MS) this.writers.delete(writer);
      else bound = Math.min(bound, state.committedThrough);
    }
    return Number.isFinite(bound) ? bound : 0;
  }

  /** Detect role: tells ingest processes how far detection got. */
  async publishProcessed(processedSeq: number): Promise<void> {
    await this.publisher?.set(this.processedKey, String(processedSeq)).catch(() => undefined);
  }

  /** Ingest role: how far the detect process got, as it last said. */
  async remoteProcessed(): Promise<number | null> {
    const value = await this.publisher?.get(this.processedKey).catch(() => null);
    return value ? Number(value) : null;
  }

  private announce(committedThrough: number): void {
    const notice: CommitNotice = { writer: this.writerId, committedThrough };
    void this.publisher?.publish(this.channel, JSON.stringify(notice)).catch(() => undefined);
  }

  private hear(message: string): void {
    let notice: CommitNotice;
    try {
      notice = JSON.parse(message) as CommitNotice;
    } catch {
      return;
    }
    const known = this.writers.get(notice.writer);
    const moved = !known || notice.committedThrough > known.committedThrough;
    this.writers.set(notice.writer, {
      committedThrough: Math.max(known?.committedThrough ?? 0, notice.committedThrough),
      seenAt: Date.now(),
    });
    if (moved) for (const listener of this.advanceListeners) listener();
  }
}
