import { Injectable } from '@nestjs/common';
import { isStreamEvent, type OrderPaid, type OrderPlaced, type OrderRefunded, type SalesClaimed } from '../../events/event.schema.js';
import { StreamOwnerRepository } from '../../ingest/stream-owner.repository.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { type Keyed, LedgerRepository, type OrderKey, orderKeyText as keyText } from './ledger.repository.js';

/**
 * What a batch changed in the ledger: the streams whose orders or claim
 * moved. Stream boundaries are the streams stage's (BatchStream), derived
 * once per batch.
 */
export interface LedgerChange {
  touchedStreams: Set<string>;
  /** Streams that got a refund or a claim in the batch: what can reveal that a stream without stream.ended is over. */
  trailingStreams: Set<string>;
}

/**
 * The order ledger: folds order.* and sales.claimed events into `orders`,
 * `order_refunds` and `sales_claims`. Every write is a set, never an
 * increment, and is order-free, so a batch handed twice (after a crash) or
 * events arriving in any order across connections give the same rows:
 *
 * - order.placed fills the order's own columns, v2 ones included (coupon and
 *   discount, recipient and payment account, virtual, category, device
 *   flags); the earliest placed event (by ts, then event id) wins if a
 *   platform ever sends two.
 * - order.paid is the order's payment state: the latest payment event (by
 *   ts, then event id) wins. A payment is not a movement that adds up; a
 *   second order.paid for one order is a re-notification or a correction.
 * - order.refunded is a movement: each refund event is its own row keyed by
 *   event id, and an order's refunded amount is the sum of its refund rows
 *   (a partial refund returns part of the order; several refunds add up),
 *   with its v2 `returned` and `reason`; the order's refunds without return
 *   (returned = false) are summed from those rows too.
 * - sales.claimed: the latest claim per stream (by ts, then event id).
 *
 * A payment or refund that arrives before its order.placed creates the
 * order's row with only that side filled; order.placed later fills the rest.
 */
@Injectable()
export class OrderLedger {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly streamOwners: StreamOwnerRepository,
  ) {}

  async apply(batch: readonly CommittedEvent[]): Promise<LedgerChange> {
    const change: LedgerChange = { touchedStreams: new Set(), trailingStreams: new Set() };
    const owners = await this.owners(batch);
    if (owners.size > 0) await this.ledger.adoptOwnerless(owners);
    const keyOf = (event: { streamId: string; orderId: string }): OrderKey => {
      const merchant = owners.get(event.streamId);
      return merchant === undefined
        ? { merchantId: '', ownerlessStream: event.streamId, orderId: event.orderId }
        : { merchantId: merchant, ownerlessStream: '', orderId: event.orderId };
    };
    // One row per order per statement: ON CONFLICT may not touch a row twice.
    const placed = new Map<string, Keyed<OrderPlaced>>();
    const paid = new Map<string, Keyed<OrderPaid>>();
    const refunds = new Map<string, Keyed<OrderRefunded>>();
    const claims = new Map<string, SalesClaimed>();
    for (const { event } of batch) {
      switch (event.type) {
        case 'order.placed': {
          const key = keyOf(event);
          const current = placed.get(keyText(key));
          if (!current || before(event, current.event)) placed.set(keyText(key), { key, event });
          change.touchedStreams.add(event.streamId);
          break;
        }
        case 'order.paid': {
          const key = keyOf(event);
          const current = paid.get(keyText(key));
          if (!current || before(current.event, event)) paid.set(keyText(key), { key, event });
          change.touchedStreams.add(event.streamId);
          break;
        }
        case 'order.refunded':
          refunds.set(event.id, { key: keyOf(event), event });
          change.touchedStreams.add(event.streamId);
          change.trailingStreams.add(event.streamId);
          break;
        case 'sales.claimed': {
          const current = claims.get(event.streamId);
          if (!current || before(current, event)) claims.set(event.streamId, event);
          change.touchedStreams.add(event.streamId);
          change.trailingStreams.add(event.streamId);
          break;
        }
        default:
          break;
      }
    }
    await this.ledger.upsertPlaced([...placed.values()]);
    await this.ledger.upsertPaid([...paid.values()]);
    await this.ledger.insertRefunds([...refunds.values()]);
    await this.ledger.upsertClaims([...claims.values()]);
    return change;
  }

  /**
   * The owner of every stream the batch names, from `stream_owners` (ingest
   * claims it before the stream.started is committed). A stream.started
   * without a claim (a log written before the claims existed) claims here,
   * first committed wins as at ingest.
   */
  private async owners(batch: readonly CommittedEvent[]): Promise<Map<string, string>> {
    const streams = new Set<string>();
    const starts = new Map<string, { merchantId: string; id: string }>();
    for (const { event } of batch) {
      if (!isStreamEvent(event)) continue;
      if (event.type.startsWith('order.') || event.type === 'stream.started') streams.add(event.streamId);
      if (event.type === 'stream.started' && !starts.has(event.streamId)) starts.set(event.streamId, { merchantId: event.merchantId, id: event.id });
    }
    if (streams.size === 0) return new Map();
    const owners = await this.streamOwners.ownersOf([...streams]);
    const unclaimed = [...starts].filter(([streamId]) => !owners.has(streamId));
    if (unclaimed.length === 0) return owners;
    await this.streamOwners.claim(unclaimed.map(([streamId, start]) => ({ streamId, merchantId: start.merchantId, eventId: start.id })));
    return this.streamOwners.ownersOf([...streams]);
  }
}

/** Deterministic event order: event time, then id (ids are unique; SQL compares them COLLATE "C" to agree). */
function before(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}
