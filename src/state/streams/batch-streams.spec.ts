import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { streamsOfBatch } from './batch-streams.js';

const T0 = 1_764_000_000_000;
const at = (seq: number, ts: number, event: Partial<RoomEvent>): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, roomId: 'room-1', streamId: 'st-1', ts: T0 + ts, ...event } as RoomEvent,
});

const evening = [
  at(10, 5, { type: 'like' }),
  at(11, 0, { type: 'stream.started', merchantId: 'm-1', anchorId: 'host' } as Partial<RoomEvent>),
  at(12, 90, { type: 'stream.ended' }),
  at(13, 60, { type: 'comment' }),
  at(14, 200, { type: 'order.refunded' }),
  at(15, 3, { type: 'like', streamId: 'st-2', roomId: 'room-2' }),
];

describe('what a batch says about its streams', () => {
  it('gives each stream its boundaries, its clock, its live activity and its log span', () => {
    const streams = streamsOfBatch(evening);
    expect(streams.get('st-1')).toEqual({
      streamId: 'st-1',
      roomId: 'room-1',
      merchantId: 'm-1',
      anchorId: 'host',
      startedAt: T0,
      endedAt: T0 + 90,
      firstTs: T0,
      // The refund is the stream's clock, but not live activity.
      lastTs: T0 + 200,
      activityTs: T0 + 90,
      firstSeq: 10,
      lastSeq: 14,
    });
    expect(streams.get('st-2')).toMatchObject({ startedAt: null, endedAt: null, activityTs: T0 + 3, firstSeq: 15, lastSeq: 15 });
  });

  it('is the same in any order and, folded with min and max, for two halves of the batch as for the whole', () => {
    const whole = streamsOfBatch(evening).get('st-1')!;
    expect(streamsOfBatch([...evening].reverse()).get('st-1')).toEqual(whole);
    const [first, second] = [streamsOfBatch(evening.slice(0, 3)).get('st-1')!, streamsOfBatch(evening.slice(3)).get('st-1')!];
    expect({
      startedAt: first.startedAt,
      endedAt: Math.max(first.endedAt ?? 0, second.endedAt ?? 0),
      lastTs: Math.max(first.lastTs!, second.lastTs!),
      activityTs: Math.max(first.activityTs!, second.activityTs!),
      firstSeq: Math.min(first.firstSeq, second.firstSeq),
    }).toEqual({ startedAt: whole.startedAt, endedAt: whole.endedAt, lastTs: whole.lastTs, activityTs: whole.activityTs, firstSeq: whole.firstSeq });
  });

  it('takes the earliest of two stream.started and the latest of two stream.ended', () => {
    const streams = streamsOfBatch([
      at(1, 50, { type: 'stream.ended' }),
      at(2, 20, { type: 'stream.started', merchantId: 'm-1' } as Partial<RoomEvent>),
      at(3, 80, { type: 'stream.ended' }),
      at(4, 10, { type: 'stream.started', merchantId: 'm-2' } as Partial<RoomEvent>),
    ]);
    expect(streams.get('st-1')).toMatchObject({ startedAt: T0 + 10, endedAt: T0 + 80, merchantId: 'm-1' });
  });

  it('names no stream for an event of no room, and moves no clock for an announcement', () => {
    const streams = streamsOfBatch([
      at(1, 0, { type: 'like' }),
      { seq: 2, event: { id: 'reg', type: 'account.registered', ts: T0 + 9_000_000, accountId: 'a-9' } },
      { seq: 3, event: { id: 'off-room', type: 'coupon.claimed', ts: T0 + 9_000_000, accountId: 'a-9', couponId: 'c', campaignId: 'k', value: 1 } },
      at(4, 60_000, { type: 'sale.opened' }),
      at(5, 0, { type: 'sale.opened', streamId: 'st-3', roomId: 'room-3' }),
    ]);
    expect([...streams.keys()]).toEqual(['st-1', 'st-3']);
    // The opening a minute ahead is in the stream's span (its seq) but not on its clock.
    expect(streams.get('st-1')).toMatchObject({ lastTs: T0, activityTs: T0, firstSeq: 1, lastSeq: 4 });
    expect(streams.get('st-3')).toMatchObject({ lastTs: null, activityTs: null, firstTs: T0, firstSeq: 5, lastSeq: 5 });
  });
});
