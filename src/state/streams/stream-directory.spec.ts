import type { RoomEvent } from '../../events/event.schema.js';
import { streamsOfBatch } from './batch-streams.js';
import { StreamDirectory } from './stream-directory.js';
import type { StreamRepository, StreamSpan } from './stream.repository.js';

const T0 = 1_800_000_000_000;

describe('StreamDirectory', () => {
  it('stores the batch\'s streams, one span per stream: boundaries, log span, owner, and live activity without trailing order events', async () => {
    const recorded: StreamSpan[][] = [];
    const directory = new StreamDirectory({ record: async (spans: readonly StreamSpan[]) => void recorded.push([...spans]) } as unknown as StreamRepository);
    const events: RoomEvent[] = [
      { id: 'e-1', type: 'viewer.joined', roomId: 'room-1', streamId: 's-1', accountId: 'a-1', ts: T0 + 10 },
      { id: 'e-2', type: 'stream.started', roomId: 'room-1', streamId: 's-1', ts: T0, merchantId: 'm-a', anchorId: 'anchor-1' },
      { id: 'e-3', type: 'stream.ended', roomId: 'room-1', streamId: 's-1', ts: T0 + 3_600_000 },
      { id: 'e-4', type: 'order.refunded', roomId: 'room-1', streamId: 's-1', accountId: 'a-1', orderId: 'o-1', amount: 5, ts: T0 + 7_200_000 },
      { id: 'e-5', type: 'like', roomId: 'room-2', streamId: 's-2', accountId: 'a-2', ts: T0 + 5, count: 3 },
    ];
    await directory.record(streamsOfBatch(events.map((event, index) => ({ seq: 100 + index, event }))));
    expect(recorded).toEqual([
      [
        {
          streamId: 's-1',
          roomId: 'room-1',
          merchantId: 'm-a',
          anchorId: 'anchor-1',
          startedAt: T0,
          endedAt: T0 + 3_600_000,
          firstTs: T0,
          lastTs: T0 + 7_200_000,
          activityTs: T0 + 3_600_000,
          firstSeq: 100,
          lastSeq: 103,
        },
        {
          streamId: 's-2',
          roomId: 'room-2',
          merchantId: null,
          anchorId: null,
          startedAt: null,
          endedAt: null,
          firstTs: T0 + 5,
          lastTs: T0 + 5,
          activityTs: T0 + 5,
          firstSeq: 104,
          lastSeq: 104,
        },
      ],
    ]);
  });
});
