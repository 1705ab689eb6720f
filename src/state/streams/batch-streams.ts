import { advancesStreamClock, isLiveActivity, isStreamEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';

/**
 * What one batch says about a stream it names: its boundaries and log span.
 * Derived once per batch (the pipeline's streams stage); the streams
 * directory stores it, the ledger detectors read the boundaries from it.
 */
export interface BatchStream {
  streamId: string;
  roomId: string;
  /** Of the first stream.started in the batch: the first names the owner for good. */
  merchantId: string | null;
  anchorId: string | null;
  /** Earliest stream.started in the batch, if any. */
  startedAt: number | null;
  /** Latest stream.ended in the batch, if any. */
  endedAt: number | null;
  firstTs: number;
  /**
   * Latest event time of any type: the stream's clock, as far as this batch
   * knows it; null when the batch holds only announcements for it
   * (`sale.opened`, whose ts is the opening ahead, not a moment passed).
   */
  lastTs: number | null;
  /** Latest live (non-order-lifecycle) event time, if any. */
  activityTs: number | null;
  firstSeq: number;
  lastSeq: number;
}

/**
 * Every stream the batch names, folded with min/max only, so the result is
 * the same in any event order and two halves of a batch fold into the same
 * row as the whole.
 */
export function streamsOfBatch(batch: readonly CommittedEvent[]): Map<string, BatchStream> {
  const streams = new Map<string, BatchStream>();
  for (const { seq, event } of batch) {
    // Events of no stream (account registrations, coupons claimed outside rooms) name none.
    if (!isStreamEvent(event)) continue;
    let stream = streams.get(event.streamId);
    if (!stream) {
      stream = {
        streamId: event.streamId,
        roomId: event.roomId,
        merchantId: null,
        anchorId: null,
        startedAt: null,
        endedAt: null,
        firstTs: event.ts,
        lastTs: null,
        activityTs: null,
        firstSeq: seq,
        lastSeq: seq,
      };
      streams.set(event.streamId, stream);
    }
    stream.firstTs = Math.min(stream.firstTs, event.ts);
    stream.firstSeq = Math.min(stream.firstSeq, seq);
    stream.lastSeq = Math.max(stream.lastSeq, seq);
    if (!advancesStreamClock(event)) continue;
    stream.lastTs = Math.max(stream.lastTs ?? event.ts, event.ts);
    if (isLiveActivity(event)) stream.activityTs = Math.max(stream.activityTs ?? event.ts, event.ts);
    if (event.type === 'stream.started') {
      stream.merchantId ??= event.merchantId;
      stream.anchorId = event.anchorId ?? null;
      stream.startedAt = Math.min(stream.startedAt ?? event.ts, event.ts);
    } else if (event.type === 'stream.ended') {
      stream.endedAt = Math.max(stream.endedAt ?? event.ts, event.ts);
    }
  }
  return streams;
}
