import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { LedgerChange } from '../../state/ledger/order-ledger.js';
import { BatchContext } from '../stage.js';
import { LEDGER_CHANGE, LedgerStage } from './ledger.stage.js';

describe('the ledger stage', () => {
  it('folds the batch into the ledger and leaves what it changed for the ledger detectors', async () => {
    const batch: CommittedEvent[] = [{ seq: 1, event: { id: 'paid', type: 'order.paid', streamId: 'st-1' } as RoomEvent }];
    const change: LedgerChange = { touchedStreams: new Set(['st-1']), trailingStreams: new Set() };
    const applied: Array<readonly CommittedEvent[]> = [];
    const subject = new LedgerStage({
      apply: (events) => {
        applied.push(events);
        return Promise.resolve(change);
      },
    });
    const context = new BatchContext(batch);
    await subject.run(context);
    expect(applied).toEqual([batch]);
    expect(context.get(LEDGER_CHANGE)).toBe(change);
  });
});
