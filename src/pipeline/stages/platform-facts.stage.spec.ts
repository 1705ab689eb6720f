import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { BatchContext } from '../stage.js';
import { PlatformFactsStage } from './platform-facts.stage.js';

const T0 = 1_764_000_000_000;
const committed = (seq: number, event: Record<string, unknown>): CommittedEvent => ({ seq, event: { id: `e-${seq}`, ts: T0 + seq, ...event } as RoomEvent });

describe('the platform facts stage', () => {
  it('files each v2 fact with its log position in its own table and nothing else', async () => {
    const written: Record<string, Array<{ seq: number; event: RoomEvent }>> = { sales: [], coupons: [], registrations: [] };
    const into = (table: string) => ({
      record: (rows: ReadonlyArray<{ seq: number; event: RoomEvent }>) => {
        written[table]!.push(...rows);
        return Promise.resolve();
      },
    });
    const subject = new PlatformFactsStage(into('sales'), into('coupons'), into('registrations'));
    const stream = { roomId: 'room-1', streamId: 'st-1' };
    const context = new BatchContext([
      committed(1, { type: 'like', ...stream, accountId: 'a-1', count: 1 }),
      committed(2, { type: 'sale.opened', ...stream, skuId: 'sku', salePrice: 1, listPrice: 2, currency: 'CNY', stock: 3 }),
      committed(3, { type: 'coupon.claimed', ...stream, accountId: 'a-1', couponId: 'c-1', campaignId: 'k', value: 5 }),
      committed(4, { type: 'coupon.claimed', accountId: 'a-2', couponId: 'c-2', campaignId: 'k', value: 5 }),
      committed(5, { type: 'account.registered', accountId: 'a-2' }),
      committed(6, { type: 'order.placed', ...stream, accountId: 'a-1', orderId: 'o', skuId: 'sku', quantity: 1, unitPrice: 1, listPrice: 2, currency: 'CNY' }),
    ]);
    await subject.run(context);
    const seqs = (table: string) => written[table]!.map(({ seq, event }) => [seq, event.type]);
    expect(seqs('sales')).toEqual([[2, 'sale.opened']]);
    expect(seqs('coupons')).toEqual([[3, 'coupon.claimed'], [4, 'coupon.claimed']]);
    expect(seqs('registrations')).toEqual([[5, 'account.registered']]);
    expect(context.findings).toEqual([]);
  });
});
