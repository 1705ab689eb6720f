import type { OrderFact, SalesClaimFact } from '../../../src/detection/ledger/order-facts.js';
import type { IdentifierSets, LedgerRepository, RefundedOrderRecord, StreamOrders } from '../../../src/state/ledger/ledger.repository.js';
import type { StreamRecord, StreamRepository } from '../../../src/state/streams/stream.repository.js';

export const T0 = 1_764_000_000_000;
export const MIN = 60_000;
/** When the ring's stream ended. */
export const END = T0 + 90 * MIN;

/**
 * One order of a brushing ring: placed and paid during the stream, from one
 * phone and address, refunded from half an hour after the end, one refund
 * every 20 minutes. Three refunders make a ring, so the third refund (ring-2,
 * END + 70 min) is when the room's refund_brushing is first justified.
 */
export function ringOrder(i: number, streamEnd = END): OrderFact {
  const placedAt = streamEnd - 80 * MIN + i * MIN;
  return {
    orderId: `ring-order-${i}-${streamEnd}`,
    accountId: `ring-${i}`,
    deviceId: 'ring-phone',
    ip: `198.51.100.${i}`,
    subnet: '198.51.100.0/24',
    phoneHash: `sim-${i}`,
    addressHash: 'ring-address',
    skuId: 'sku-hero',
    quantity: 1,
    unitPrice: 39_900,
    listPrice: 39_900,
    placedAt,
    paidAt: placedAt + 10_000,
    paidAmount: 39_900,
    refunds: [{ amount: 39_900, at: streamEnd + 30 * MIN + i * 20 * MIN }],
    currency: 'CNY',
  };
}

export function streamRecord(streamId: string, endedAt: number | null, startedAt: number | null = T0): StreamRecord {
  return { streamId, roomId: `room-of-${streamId}`, merchantId: 'm-1', startedAt, endedAt, activityTs: endedAt ?? T0 + 60 * MIN, lastTs: endedAt ?? T0 + 60 * MIN };
}

/** The streams directory and the order ledger in memory, recording which streams were read. */
export class InMemoryLedger
  implements Pick<StreamRepository, 'findByIds'>, Pick<LedgerRepository, 'claimsOf' | 'ordersOf' | 'refundedOrdersOf' | 'refundedOrdersSharing' | 'identifierUsers'>
{
  readonly streams = new Map<string, StreamRecord>();
  readonly claims = new Map<string, SalesClaimFact>();
  readonly orders = new Map<string, StreamOrders>();
  readonly ordersRead: string[][] = [];

  addStream(record: StreamRecord, orders: OrderFact[] = [], claim: SalesClaimFact | null = null): this {
    this.streams.set(record.streamId, record);
    this.orders.set(record.streamId, { roomId: record.roomId, orders });
    if (claim) this.claims.set(record.streamId, claim);
    return this;
  }

  findByIds(streamIds: readonly string[]): Promise<Map<string, StreamRecord>> {
    return Promise.resolve(pick(this.streams, streamIds));
  }

  claimsOf(streamIds: readonly string[]): Promise<Map<string, SalesClaimFact>> {
    return Promise.resolve(pick(this.claims, streamIds));
  }

  ordersOf(streamIds: readonly string[]): Promise<Map<string, StreamOrders>> {
    this.ordersRead.push([...streamIds]);
    return Promise.resolve(pick(this.orders, streamIds));
  }

  refundedOrdersOf(accounts: readonly string[], placedFrom: number, placedTo: number, limit: number): Promise<RefundedOrderRecord[]> {
    const records = this.refunded(placedFrom, placedTo).filter((record) => accounts.includes(record.accountId));
    records.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.placedAt! - b.placedAt!));
    return Promise.resolve(records.slice(0, limit));
  }

  refundedOrdersSharing(ids: IdentifierSets, placedFrom: number, placedTo: number, limit: number): Promise<RefundedOrderRecord[]> {
    const records = this.refunded(placedFrom, placedTo).filter(
      (record) =>
        (record.deviceId !== null && ids.device.includes(record.deviceId)) ||
        (record.phoneHash !== null && ids.phone.includes(record.phoneHash)) ||
        (record.addressHash !== null && ids.address.includes(record.addressHash)),
    );
    records.sort((a, b) => a.placedAt! - b.placedAt! || (a.orderKey < b.orderKey ? -1 : 1));
    return Promise.resolve(records.slice(0, Math.max(0, limit)));
  }

  identifierUsers(ids: IdentifierSets, placedFrom: number, placedTo: number): Promise<Map<string, number>> {
    const users = new Map<string, Set<string>>();
    for (const { orders } of this.orders.values()) {
      for (const order of orders) {
        if (order.placedAt === null || order.placedAt < placedFrom || order.placedAt > placedTo) continue;
        const keys = [
          order.deviceId !== null && ids.device.includes(order.deviceId) ? `device:${order.deviceId}` : null,
          order.phoneHash !== null && ids.phone.includes(order.phoneHash) ? `phone:${order.phoneHash}` : null,
          order.addressHash !== null && ids.address.includes(order.addressHash) ? `address:${order.addressHash}` : null,
        ];
        for (const key of keys) if (key) users.set(key, new Set([...(users.get(key) ?? []), order.accountId]));
      }
    }
    return Promise.resolve(new Map([...users].map(([key, accounts]) => [key, accounts.size])));
  }

  /** Every refunded order placed within the range, as the ledger's history rows. */
  private refunded(placedFrom: number, placedTo: number): RefundedOrderRecord[] {
    const records: RefundedOrderRecord[] = [];
    for (const [streamId, { roomId, orders }] of this.orders) {
      const stream = this.streams.get(streamId);
      for (const order of orders) {
        if (order.placedAt === null || order.placedAt < placedFrom || order.placedAt > placedTo || order.refunds.length === 0) continue;
        records.push({
          orderKey: `${streamId}\u0000${order.orderId}`,
          accountId: order.accountId,
          deviceId: order.deviceId,
          phoneHash: order.phoneHash,
          addressHash: order.addressHash,
          streamId,
          roomId,
          merchantId: stream?.merchantId ?? null,
          startedAt: stream?.startedAt ?? null,
          endedAt: stream?.endedAt ?? null,
          activityTs: stream?.activityTs ?? null,
          placedAt: order.placedAt,
          paidAt: order.paidAt,
          paidAmount: order.paidAmount,
          refundedAmount: order.refunds.reduce((sum, refund) => sum + refund.amount, 0),
          firstRefundAt: Math.min(...order.refunds.map((refund) => refund.at)),
        });
      }
    }
    return records;
  }
}

function pick<V>(map: ReadonlyMap<string, V>, keys: readonly string[]): Map<string, V> {
  return new Map(keys.flatMap((key) => (map.has(key) ? [[key, map.get(key)!] as const] : [])));
}
