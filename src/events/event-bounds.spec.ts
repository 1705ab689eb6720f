import { EVENT_BOUNDS, validateEvent } from './event.schema.js';

const order = (quantity: number, unitPrice: number, listPrice: number) => ({
  id: 'o',
  type: 'order.placed',
  roomId: 'r',
  streamId: 's',
  ts: 1_764_000_000_000,
  accountId: 'a',
  orderId: 'o-1',
  skuId: 'sku',
  quantity,
  unitPrice,
  listPrice,
  currency: 'CNY',
});
const errorOf = (input: unknown) => {
  const result = validateEvent(input);
  return result.ok ? null : result.error;
};

describe('numeric event bounds', () => {
  it('keeps every per-stream sum exact up to 900k orders at the largest order value', () => {
    expect(900_000 * EVENT_BOUNDS.orderValue).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(EVENT_BOUNDS.claimedGmv + 900_000 * EVENT_BOUNDS.orderValue).toBeLessThanOrEqual(2 * Number.MAX_SAFE_INTEGER);
    expect(EVENT_BOUNDS.money * EVENT_BOUNDS.quantity).toBeLessThan(2 ** 63);
    expect(new Date(EVENT_BOUNDS.eventTime).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('accepts values at the bounds and rejects past them, naming the field', () => {
    expect(errorOf(order(1, EVENT_BOUNDS.money, EVENT_BOUNDS.money))).toBeNull();
    expect(errorOf(order(10, EVENT_BOUNDS.orderValue / 10, EVENT_BOUNDS.orderValue / 10))).toBeNull();
    expect(errorOf(order(1, EVENT_BOUNDS.money + 1, 1))).toBe(`unitPrice: must be at most ${EVENT_BOUNDS.money}`);
    expect(errorOf(order(1, 1, Number.MAX_SAFE_INTEGER))).toBe(`listPrice: must be at most ${EVENT_BOUNDS.money}`);
    expect(errorOf(order(11, 1, EVENT_BOUNDS.orderValue / 10))).toMatch(/^quantity: must keep listPrice × quantity/);
    const base = { id: 'e', roomId: 'r', streamId: 's', ts: 1_764_000_000_000 };
    expect(errorOf({ ...base, type: 'viewer.count', displayed: EVENT_BOUNDS.count + 1 })).toMatch(/^displayed: must be at most/);
    expect(errorOf({ ...base, type: 'sales.claimed', gmv: EVENT_BOUNDS.claimedGmv + 1, orders: 1 })).toMatch(/^gmv: must be at most/);
    expect(errorOf({ ...base, type: 'order.refunded', accountId: 'a', orderId: 'o', amount: 2 ** 53 - 1 })).toMatch(/^amount: must be at most/);
    expect(errorOf({ ...base, ts: EVENT_BOUNDS.eventTime + 1, type: 'stream.ended' })).toMatch(/^ts: must be at most/);
  });
});
