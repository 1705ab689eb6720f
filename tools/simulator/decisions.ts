import type { RoomEvent } from '../../src/events/event.schema.js';

/**
 * (v2) Which orders of an evening a platform asks a decision for: every
 * `order.placed` of a flash sale, i.e. of a SKU with a `sale.opened` in its
 * stream, at or under the sale price, from ten minutes before the opening
 * (the early grabs) to five minutes after it. Keyed `merchantId/orderId`,
 * as the evening truth names scalper orders.
 */
export function flashSaleOrders(events: readonly RoomEvent[], merchantOf: ReadonlyMap<string, string>): Map<string, string> {
  const sales = new Map<string, Array<{ at: number; price: number }>>();
  for (const event of events) {
    if (event.type !== 'sale.opened') continue;
    const key = `${event.streamId}\u0000${event.skuId}`;
    sales.set(key, [...(sales.get(key) ?? []), { at: event.ts, price: event.salePrice }]);
  }
  const orders = new Map<string, string>();
  for (const event of events) {
    if (event.type !== 'order.placed' || event.streamId === undefined) continue;
    const opened = sales.get(`${event.streamId}\u0000${event.skuId}`);
    if (!opened?.some((sale) => event.ts >= sale.at - 10 * 60_000 && event.ts <= sale.at + 5 * 60_000 && event.unitPrice <= sale.price)) continue;
    orders.set(event.id, `${merchantOf.get(event.streamId) ?? '?'}/${event.orderId}`);
  }
  return orders;
}
