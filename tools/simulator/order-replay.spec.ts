import type { RoomEvent } from '../../src/events/event.schema.js';
import { generateEvening, type SimulatedEvening } from './generator.js';
import { findingsOverTime, foldLedger } from './order-replay.js';

describe('the order detectors in process (eval:orders)', () => {
  let evening: SimulatedEvening;
  beforeAll(() => {
    evening = generateEvening({ seed: 11, rooms: 8 });
  });

  it('folds order events as the ledger does: the audit figures come out of the facts', () => {
    const { inputs } = foldLedger(evening.events);
    for (const room of evening.rooms) {
      const input = inputs.find((candidate) => candidate.facts.streamId === room.streamId)!;
      const paid = input.facts.orders.reduce((total, order) => total + order.paidAmount, 0);
      const refunded = input.facts.orders.reduce((total, order) => total + order.refunds.reduce((sum, refund) => sum + refund.amount, 0), 0);
      expect({ orders: input.facts.orders.length, paid, refunded }).toEqual({
        orders: room.expectedAudit.verified.orders,
        paid: room.expectedAudit.verified.grossPaid,
        refunded: room.expectedAudit.verified.refunded,
      });
      expect(input.claim === null ? null : { gmv: input.claim.gmv, orders: input.claim.orders }).toEqual(room.expectedAudit.claimed);
      expect(input.facts.endedAt).toBe(room.endTs);
    }
  });

  it('keeps the earliest order.placed and the latest order.paid whatever order they come in', () => {
    const base = { roomId: 'r', streamId: 's', accountId: 'a', orderId: 'o-1' };
    const events = [
      { ...base, id: 'e3', type: 'order.paid', ts: 3_000, amount: 900 },
      { ...base, id: 'e1', type: 'order.placed', ts: 2_000, skuId: 'k', quantity: 1, unitPrice: 900, listPrice: 1_000, currency: 'CNY' },
      { ...base, id: 'e2', type: 'order.paid', ts: 2_500, amount: 800 },
      { ...base, id: 'e0', type: 'order.placed', ts: 1_000, skuId: 'k', quantity: 1, unitPrice: 800, listPrice: 1_000, currency: 'CNY' },
    ] as RoomEvent[];
    const [order] = foldLedger(events).inputs[0]!.facts.orders;
    expect(order).toMatchObject({ placedAt: 1_000, unitPrice: 800, paidAt: 3_000, paidAmount: 900 });
  });

  it('raises on an attacked room what its labels say and nothing on the honest ones', () => {
    const { inputs } = foldLedger(evening.events);
    for (const room of evening.rooms) {
      const kinds = new Set(findingsOverTime(inputs.find((input) => input.facts.streamId === room.streamId)!).map((finding) => finding.kind));
      const expected = room.labels.kinds.filter((kind) => kind === 'refund_brushing' || kind === 'inflated_gmv');
      expect([...kinds].sort()).toEqual(expected.sort());
    }
  });
});
