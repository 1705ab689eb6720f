import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { RoomEvent } from '../../events/event.schema.js';
import { accountPresence } from './account-presence.js';
import { MAX_IDENTIFIERS_PER_ROW } from './account-streams.repository.js';

const T0 = 1_764_000_000_000;
let seq = 0;
const committed = (event: Record<string, unknown>): CommittedEvent => ({ seq: ++seq, event: { id: `e${seq}`, roomId: 'r1', streamId: 's1', ...event } as unknown as RoomEvent });

describe('accountPresence', () => {
  it('folds an account\'s events in a stream into one row with its times and identifiers', () => {
    const rows = accountPresence([
      committed({ type: 'viewer.joined', accountId: 'a', ts: T0 + 5, deviceId: 'd1', ip: '10.1.2.3' }),
      committed({ type: 'comment', accountId: 'a', ts: T0 + 1, text: 'hi', ip: '10.1.2.9' }),
      committed({ type: 'order.placed', accountId: 'a', ts: T0 + 9, phoneHash: 'p1', deviceId: 'd1' }),
      committed({ type: 'viewer.joined', accountId: 'a', streamId: 's2', roomId: 'r2', ts: T0 + 3, deviceId: 'd2' }),
      committed({ type: 'viewer.count', ts: T0, displayed: 10 }),
    ]);
    expect(rows).toEqual([
      { accountId: 'a', streamId: 's1', roomId: 'r1', firstTs: T0 + 1, lastTs: T0 + 9, deviceIds: ['d1'], ips: ['10.1.2.3', '10.1.2.9'], subnets: ['10.1.2.0/24'], phoneHashes: ['p1'] },
      { accountId: 'a', streamId: 's2', roomId: 'r2', firstTs: T0 + 3, lastTs: T0 + 3, deviceIds: ['d2'], ips: [], subnets: [], phoneHashes: [] },
    ]);
  });

  it('keeps at most a bounded number of identifiers for a sender rotating proxies on every event', () => {
    const events = Array.from({ length: 100 }, (_, i) => committed({ type: 'like', accountId: 'rot', ts: T0 + i, count: 1, ip: `198.51.${i}.7` }));
    const [row] = accountPresence(events);
    expect(row.ips).toHaveLength(MAX_IDENTIFIERS_PER_ROW);
    expect(row.subnets).toHaveLength(MAX_IDENTIFIERS_PER_ROW);
    expect(row.lastTs).toBe(T0 + 99);
  });
});
