import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { BatchStream } from '../../state/streams/batch-streams.js';
import { BatchContext } from '../stage.js';
import { BATCH_STREAMS, StreamsStage } from './streams.stage.js';

const T0 = 1_764_000_000_000;
const at = (seq: number, event: Partial<RoomEvent>): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, roomId: 'room-1', streamId: 'st-1', ts: T0 + seq, ...event } as RoomEvent,
});

describe('the streams stage', () => {
  it('derives each stream once, stores it in the directory and leaves the same for the later stages', async () => {
    const recorded: Array<ReadonlyMap<string, BatchStream>> = [];
    const subject = new StreamsStage({
      record: (streams) => {
        recorded.push(streams);
        return Promise.resolve();
      },
    });
    const context = new BatchContext([
      at(1, { type: 'stream.started', merchantId: 'm-1' } as Partial<RoomEvent>),
      at(2, { type: 'like' }),
      at(3, { type: 'stream.ended' }),
      at(4, { type: 'like', streamId: 'st-2', roomId: 'room-2' }),
    ]);
    await subject.run(context);
    expect(recorded).toHaveLength(1);
    expect(context.get(BATCH_STREAMS)).toBe(recorded[0]);
    expect(recorded[0]!.get('st-1')).toMatchObject({ merchantId: 'm-1', startedAt: T0 + 1, endedAt: T0 + 3, firstSeq: 1, lastSeq: 3 });
    expect([...recorded[0]!.keys()]).toEqual(['st-1', 'st-2']);
  });
});
