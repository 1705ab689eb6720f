import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type RoomEvent, type StreamStarted, validateEvent } from '../events/event.schema.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { EventLogWriter, StorageUnavailableError } from '../log/event-log.writer.js';
import { StreamOwnerRepository } from './stream-owner.repository.js';

/** Contract limit (CONTRACT.md §2): one send carries 1–1000 events. */
export const MAX_EVENTS_PER_BATCH = 1000;

export interface IngestAck {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; id?: string; error: string }>;
}

/** The whole send was refused (shape or size), before any event was looked at. */
export class IngestRequestError extends Error {}

/** An input item that could not even be parsed (an NDJSON line that is not JSON). */
export class UnparsableItem {
  constructor(readonly error: string) {}
}

@Injectable()
export class IngestService implements OnModuleInit, OnApplicationShutdown {
  constructor(
    /** This process's one writer of the log; the service closes it at shutdown. */
    readonly writer: EventLogWriter,
    private readonly owners: StreamOwnerRepository,
    private readonly status: StatusRegistry,
    private readonly metrics: MetricsService,
  ) {
    this.writer.onFlush((rows, seconds, ok) => {
      metrics.flushRows.observe(rows);
      metrics.flushSeconds.observe({ outcome: ok ? 'committed' : 'failed' }, seconds);
    });
  }

  onModuleInit(): void {
    this.status.register('ingest', () => {
      const stats = this.writer.stats();
      return { backlog: stats.queuedRows, ...stats };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writer.close();
  }

  /**
   * Validates every event on its own and stores the valid ones durably; one
   * bad event never sinks its batch. Resolves after the commit.
   */
  async ingest(payload: unknown): Promise<IngestAck> {
    const startedAt = performance.now();
    const items = Array.isArray(payload) ? payload : [payload];
    if (items.length === 0 || items.length > MAX_EVENTS_PER_BATCH) {
      throw new IngestRequestError(`events: a batch holds 1–${MAX_EVENTS_PER_BATCH} events, got ${items.length}`);
    }
    const rejected: IngestAck['rejected'] = [];
    let valid: Array<{ index: number; event: RoomEvent }> = [];
    items.forEach((item, index) => {
      if (item instanceof UnparsableItem) {
        rejected.push({ index, error: item.error });
        return;
      }
      const result = validateEvent(item);
      if (result.ok) valid.push({ index, event: result.event });
      else rejected.push({ index, ...(result.id !== undefined ? { id: result.id } : {}), error: result.error });
    });
    const starts = valid.flatMap(({ event }) => (event.type === 'stream.started' ? [event] : []));
    if (starts.length > 0) {
      // A stream keeps the merchant of its first stream.started; the database settles who was first.
      const owners = await this.claim(starts);
      valid = valid.filter(({ index, event }) => {
        if (event.type !== 'stream.started' || owners.get(event.streamId) === event.merchantId) return true;
        rejected.push({ index, id: event.id, error: `merchantId: stream ${event.streamId} belongs to another merchant` });
        return false;
      });
      rejected.sort((a, b) => a.index - b.index);
    }
    const outcome = await this.writer.append(valid.map(({ event }) => event));
    const accepted = outcome.filter((seq) => seq !== null).length;
    this.metrics.ingestEvents.inc({ outcome: 'accepted' }, accepted);
    this.metrics.ingestEvents.inc({ outcome: 'duplicate' }, valid.length - accepted);
    this.metrics.ingestEvents.inc({ outcome: 'rejected' }, rejected.length);
    this.metrics.ingestAckSeconds.observe(MetricsService.since(startedAt));
    return { accepted, duplicates: valid.length - accepted, rejected };
  }

  /** Claims each stream for its first `stream.started` here and answers every stream's owner. */
  private async claim(starts: readonly StreamStarted[]): Promise<Map<string, string>> {
    const first = new Map<string, StreamStarted>();
    for (const event of starts) if (!first.has(event.streamId)) first.set(event.streamId, event);
    try {
      await this.owners.claim([...first.values()].map((e) => ({ streamId: e.streamId, merchantId: e.merchantId, eventId: e.id })));
      return await this.owners.ownersOf([...first.keys()]);
    } catch {
      throw new StorageUnavailableError('storage: PostgreSQL is unavailable, nothing was stored; retry');
    }
  }
}
