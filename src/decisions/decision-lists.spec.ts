import type { DecisionEvent } from './decision-features.js';
import { type ListEntry, ListIndex } from './decision-lists.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const entry = (over: Partial<ListEntry>): ListEntry => ({ id: 'e', list: 'block', type: 'account', value: 'a', scope: null, expiresAt: null, reason: null, createdBy: 'admin', createdAt: '', ...over });
const claim = (over: Record<string, unknown> = {}) =>
  ({ id: 'c', type: 'coupon.claimed', ts: 1, accountId: 'a', couponId: 'cp', campaignId: 'camp-1', value: 1, ...over }) as DecisionEvent;
const order = (over: Record<string, unknown> = {}) =>
  ({ id: 'o', type: 'order.placed', roomId: 'r1', streamId: 's1', ts: 1, accountId: 'a', orderId: 'x', skuId: 'sku-1', quantity: 1, unitPrice: 1, listPrice: 1, currency: 'CNY', ip: '203.0.113.9', paymentAccountHash: 'card', recipientHash: 'rcp', ...over }) as DecisionEvent;

describe('list hits', () => {
  it('matches each identifier type of the event, the /24 of its IP included', () => {
    const index = new ListIndex([
      entry({ id: 'ip', type: 'ip', value: '203.0.113.9' }),
      entry({ id: 'net', type: 'subnet', value: '203.0.113.0/24' }),
      entry({ id: 'pay', type: 'payment', value: 'card' }),
      entry({ id: 'rcp', type: 'address', value: 'rcp' }),
      entry({ id: 'other', type: 'device', value: 'nope' }),
    ]);
    expect(index.hits(order(), null, NOW).map((hit) => hit.id).sort()).toEqual(['ip', 'net', 'pay', 'rcp']);
  });

  it('applies a scoped entry only where every scope field it names matches', () => {
    const index = new ListIndex([
      entry({ id: 'camp', scope: { campaignId: 'camp-1' } }),
      entry({ id: 'room-sku', scope: { roomId: 'r1', skuId: 'sku-1' } }),
      entry({ id: 'merchant', scope: { merchantId: 'm1' } }),
    ]);
    expect(index.hits(claim(), null, NOW).map((hit) => hit.id)).toEqual(['camp']);
    expect(index.hits(claim({ campaignId: 'camp-2' }), null, NOW)).toEqual([]);
    expect(index.hits(order(), 'm1', NOW).map((hit) => hit.id).sort()).toEqual(['merchant', 'room-sku']);
    expect(index.hits(order({ skuId: 'sku-2' }), 'm2', NOW)).toEqual([]);
  });

  it('ignores an expired entry', () => {
    const index = new ListIndex([entry({ id: 'old', expiresAt: '2026-11-30T00:00:00Z' }), entry({ id: 'live', expiresAt: '2026-12-02T00:00:00Z', list: 'gray' })]);
    expect(index.hits(order(), null, NOW).map((hit) => hit.id)).toEqual(['live']);
  });
});
