import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { AccountStreamRow } from '../../state/accounts/account-streams.repository.js';
import { BatchContext } from '../stage.js';
import { AccountPresenceStage } from './account-presence.stage.js';

const T0 = Date.UTC(2026, 10, 11, 20);

describe('the account presence stage', () => {
  it('writes one row per account and stream of the batch, in one call, and adds no finding', async () => {
    const batch: CommittedEvent[] = [
      { seq: 1, event: { id: 'j', type: 'viewer.joined', roomId: 'room-1', streamId: 'st-1', accountId: 'acc-1', ts: T0, deviceId: 'dev-1', ip: '10.0.0.7' } as RoomEvent },
      { seq: 2, event: { id: 'l', type: 'like', roomId: 'room-1', streamId: 'st-1', accountId: 'acc-1', ts: T0 + 5_000, ip: '10.0.0.9' } as RoomEvent },
      { seq: 3, event: { id: 's', type: 'stream.started', roomId: 'room-1', streamId: 'st-1', ts: T0 } as RoomEvent },
    ];
    const written: AccountStreamRow[][] = [];
    const subject = new AccountPresenceStage({
      record: (rows) => {
        written.push([...rows]);
        return Promise.resolve();
      },
    });
    const context = new BatchContext(batch);
    await subject.run(context);

    expect(written).toEqual([[expect.objectContaining({ accountId: 'acc-1', streamId: 'st-1', roomId: 'room-1', firstTs: T0, lastTs: T0 + 5_000, deviceIds: ['dev-1'], ips: ['10.0.0.7', '10.0.0.9'], subnets: ['10.0.0.0/24'] })]]);
    expect(context.findings).toEqual([]);
  });
});
