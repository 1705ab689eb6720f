import { Injectable } from '@nestjs/common';
import type { Finding } from '../../detection/engine/finding.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { StreamRepository, type StreamSpan } from './stream.repository.js';

/** Order lifecycle events that trickle in long after a stream: not live activity. */
const TRAILING_TYPES = new Set(['order.paid', 'order.refunded', 'sales.claimed']);

/**
 * Keeps one row per stream: who owns it (merchant scoping of the sales
 * audit), when it ran, and where its events start in the log (restart replay).
 */
@Injectable()
export class StreamDirectory {
  readonly name = 'streams';

  constructor(private readonly streams: StreamRepository) {}

  async handle(batch: CommittedEvent[]): Promise<Finding[]> {
    const rows = new Map<string, StreamSpan>();
    for (const { seq, event } of batch) {
      let row = rows.get(event.streamId);
      if (!row) {
        row = {
          streamId: event.streamId,
          roomId: event.roomId,
          merchantId: null,
          anchorId: null,
          startedAt: null,
          endedAt: null,
          firstTs: event.ts,
          lastTs: event.ts,
          activityTs: null,
          firstSeq: seq,
          lastSeq: seq,
        };
        rows.set(event.streamId, row);
      }
      row.firstTs = Math.min(row.firstTs, event.ts);
      row.lastTs = Math.max(row.lastTs, event.ts);
      row.firstSeq = Math.min(row.firstSeq, seq);
      row.lastSeq = Math.max(row.lastSeq, seq);
      if (!TRAILING_TYPES.has(event.type)) row.activityTs = Math.max(row.activityTs ?? event.ts, event.ts);
      if (event.type === 'stream.started') {
        row.merchantId ??= event.merchantId;
        row.anchorId = event.anchorId ?? null;
        row.startedAt = event.ts;
      } else if (event.type === 'stream.ended') {
        row.endedAt = event.ts;
      }
    }
    await this.streams.record([...rows.values()]);
    return [];
  }
}
