import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import type { ReportView } from './report-view.js';

/** `report.claim` (extension): a claim was taken, renewed or ended; the report carries `claim`, its version unchanged. */
export type ReportEventName = 'report.created' | 'report.updated' | 'report.claim';
export interface ReportEvent {
  event: ReportEventName;
  report: ReportView;
}
type ReportEventListener = (event: ReportEvent) => void;

/**
 * Fans report changes out to every roomwatch process through Redis pub/sub,
 * so a console connected to one node hears reports written by another. The
 * writer's own node hears it the same way (one code path, one order). The push
 * is best effort: the report is already committed, and consoles re-list on
 * reconnect.
 */
@Injectable()
export class ReportEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReportEvents.name);
  private readonly listeners = new Set<ReportEventListener>();
  private readonly channel: string;
  private publisher!: Redis;
  private subscriber!: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.channel = `${config.REDIS_PREFIX}:reports:events`;
  }

  async onModuleInit(): Promise<void> {
    this.publisher = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(this.config.REDIS_URL);
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error) => this.logger.warn(`redis: ${error.message}`));
    }
    this.subscriber.on('message', (_channel, message: string) => {
      let parsed: ReportEvent;
      try {
        parsed = JSON.parse(message) as ReportEvent;
      } catch {
        return;
      }
      for (const listener of this.listeners) listener(parsed);
    });
    await this.subscriber.subscribe(this.channel);
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  on(listener: ReportEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publish(events: ReportEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const pipeline = this.publisher.pipeline();
      for (const event of events) pipeline.publish(this.channel, JSON.stringify(event));
      await pipeline.exec();
    } catch (error) {
      this.logger.warn(`could not publish ${events.length} report event(s): ${(error as Error).message}`);
    }
  }
}
