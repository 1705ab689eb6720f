import type { RoomEvent } from '../../src/events/event.schema.js';
import { type Finding, findingKey } from '../../src/detection/engine/finding.js';
import type { AccountHistoryOrder, OrderFact, SalesClaimFact, StreamOrderFacts } from '../../src/detection/ledger/order-facts.js';
import {
  DEFAULT_ORDER_VERDICT_CONFIGS,
  type OrderVerdictConfigs,
  type StreamOrderInput,
  judgeStreamOrders,
  knownAt,
  verdictMoments,
} from '../../src/detection/ledger/order-verdicts.js';
import { effectiveStreamEnd, timingCandidates } from '../../src/detection/ledger/refund-brushing/refund-brushing.detector.js';
import { subnetOf } from '../../src/detection/shared/network.js';

/**
 * The order detectors run in process over a labelled evening, without the
 * service: the events are folded the way the order ledger folds them
 * (earliest order.placed, latest order.paid, refunds add up, latest claim),
 * and every stream is judged at each moment its verdict can change (as the
 * service does batch after batch). A finding raised at any moment counts,
 * since the report store never withdraws one. Quick to iterate on; the
 * service eval (`npm run eval`) stays the measurement of record.
 */

interface StreamFold {
  roomId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** Last event that is not part of an order's lifecycle or the claim. */
  lastActivityAt: number | null;
  lastTs: number | null;
  orders: Map<string, OrderFact & { placedEventTs: number | null; paidEventId: string | null }>;
  claim: (SalesClaimFact & { eventId: string }) | null;
}

function strongKeys(order: { deviceId?: string | null; phoneHash?: string | null; addressHash?: string | null }): string[] {
  return [order.deviceId ? `device:${order.deviceId}` : null, order.phoneHash ? `phone:${order.phoneHash}` : null, order.addressHash ? `address:${order.addressHash}` : null].filter(
    (key): key is string => key !== null,
  );
}

const ORDER_LIFECYCLE = new Set(['order.placed', 'order.paid', 'order.refunded', 'sales.claimed']);

export interface ReplayedLedger {
  inputs: StreamOrderInput[];
  /**
   * Who used each identifier, and when first: the ledger's user counts
   * grow through the evening, so a verdict at event time `at` is judged
   * with the counts as of `at` (usersAt).
   */
  identifierUses: Map<string, Map<string, number>>;
}

/** The identifierUsers of `input` as the ledger would have counted them at event time `at`. */
export function usersAt(ledger: Pick<ReplayedLedger, 'identifierUses'>, input: StreamOrderInput, at: number): Map<string, number> {
  const users = new Map<string, number>();
  for (const key of input.identifierUsers?.keys() ?? []) {
    let count = 0;
    for (const first of ledger.identifierUses.get(key)?.values() ?? []) if (first <= at) count++;
    if (count > 0) users.set(key, count);
  }
  return users;
}

/** Folds an evening's events into each stream's order facts, claim and its accounts' history elsewhere. */
export function foldLedger(events: readonly RoomEvent[], configs: OrderVerdictConfigs = DEFAULT_ORDER_VERDICT_CONFIGS): ReplayedLedger {
  const streams = new Map<string, StreamFold>();
  const streamOf = (event: RoomEvent & { streamId: string; roomId: string }): StreamFold => {
    let fold = streams.get(event.streamId);
    if (!fold) {
      fold = { roomId: event.roomId, merchantId: null, startedAt: null, endedAt: null, lastActivityAt: null, lastTs: null, orders: new Map(), claim: null };
      streams.set(event.streamId, fold);
    }
    return fold;
  };
  const orderOf = (fold: StreamFold, event: RoomEvent & { orderId: string; accountId: string }) => {
    let order = fold.orders.get(event.orderId);
    if (!order) {
      order = {
        orderId: event.orderId,
        accountId: event.accountId,
        deviceId: null,
        ip: null,
        subnet: null,
        phoneHash: null,
        addressHash: null,
        skuId: null,
        quantity: null,
        unitPrice: null,
        listPrice: null,
        placedAt: null,
        paidAt: null,
        paidAmount: 0,
        refunds: [],
        currency: null,
        placedEventTs: null,
        paidEventId: null,
      };
      fold.orders.set(event.orderId, order);
    }
    return order;
  };
  for (const event of events) {
    // Account events (sign-ups, logins) belong to no stream and never reach the ledger.
    if (event.streamId === undefined || event.roomId === undefined) continue;
    const fold = streamOf({ ...event, streamId: event.streamId, roomId: event.roomId });
    fold.lastTs = Math.max(fold.lastTs ?? event.ts, event.ts);
    if (!ORDER_LIFECYCLE.has(event.type)) fold.lastActivityAt = Math.max(fold.lastActivityAt ?? event.ts, event.ts);
    switch (event.type) {
      case 'stream.started':
        fold.merchantId ??= event.merchantId;
        fold.startedAt = Math.min(fold.startedAt ?? event.ts, event.ts);
        break;
      case 'stream.ended':
        fold.endedAt = Math.max(fold.endedAt ?? event.ts, event.ts);
        break;
      case 'order.placed': {
        const order = orderOf(fold, event);
        if (order.placedEventTs !== null && order.placedEventTs <= event.ts) break;
        Object.assign(order, {
          accountId: event.accountId,
          deviceId: event.deviceId ?? null,
          ip: event.ip ?? null,
          subnet: subnetOf(event.ip) ?? null,
          phoneHash: event.phoneHash ?? null,
          addressHash: event.addressHash ?? null,
          skuId: event.skuId,
          quantity: event.quantity,
          unitPrice: event.unitPrice,
          listPrice: event.listPrice,
          placedAt: event.ts,
          currency: event.currency,
          virtual: event.virtual ?? null,
          category: event.category ?? null,
          placedEventTs: event.ts,
        });
        break;
      }
      case 'order.paid': {
        const order = orderOf(fold, event);
        if (order.paidAt !== null && (order.paidAt > event.ts || (order.paidAt === event.ts && (order.paidEventId ?? '') > event.id))) break;
        order.paidAt = event.ts;
        order.paidAmount = event.amount;
        order.paidEventId = event.id;
        break;
      }
      case 'order.refunded':
        orderOf(fold, event).refunds.push({ amount: event.amount, at: event.ts, ...(event.returned !== undefined ? { returned: event.returned } : {}) });
        break;
      case 'sales.claimed':
        if (!fold.claim || fold.claim.claimedAt < event.ts || (fold.claim.claimedAt === event.ts && fold.claim.eventId < event.id)) {
          fold.claim = { gmv: event.gmv, orders: event.orders, claimedAt: event.ts, eventId: event.id };
        }
        break;
      default:
        break;
    }
  }

  const facts = new Map<string, StreamOrderFacts>();
  for (const [streamId, fold] of streams) {
    const orders = [...fold.orders.values()].map(({ placedEventTs: _placed, paidEventId: _paid, ...order }) => ({
      ...order,
      refunds: [...order.refunds].sort((a, b) => a.at - b.at),
    }));
    let latestTrailingAt = fold.claim?.claimedAt ?? null;
    for (const order of orders) for (const refund of order.refunds) latestTrailingAt = Math.max(latestTrailingAt ?? refund.at, refund.at);
    const endedAt = effectiveStreamEnd({ endedAt: fold.endedAt, lastActivityAt: fold.lastActivityAt }, latestTrailingAt, configs.refundBrushing.timing);
    facts.set(streamId, {
      roomId: fold.roomId,
      streamId,
      merchantId: fold.merchantId,
      startedAt: fold.startedAt,
      endedAt,
      orders: orders.sort((a, b) => (a.orderId < b.orderId ? -1 : 1)),
      knownThrough: fold.lastTs,
    });
  }

  // Every refunded order, as the ledger's history query returns them: by account and by device, phone and address.
  const refundedBy = new Map<string, AccountHistoryOrder[]>();
  const usersOf = new Map<string, Map<string, number>>();
  for (const stream of facts.values()) {
    for (const order of stream.orders) {
      for (const key of strongKeys(order)) {
        const users = usersOf.get(key) ?? new Map<string, number>();
        const at = order.placedAt ?? Number.POSITIVE_INFINITY;
        users.set(order.accountId, Math.min(users.get(order.accountId) ?? at, at));
        usersOf.set(key, users);
      }
      if (order.refunds.length === 0) continue;
      const entry: AccountHistoryOrder = {
        accountId: order.accountId,
        streamId: stream.streamId,
        roomId: stream.roomId,
        merchantId: stream.merchantId,
        deviceId: order.deviceId,
        phoneHash: order.phoneHash,
        addressHash: order.addressHash,
        startedAt: stream.startedAt,
        endedAt: stream.endedAt,
        placedAt: order.placedAt,
        paidAt: order.paidAt,
        paidAmount: order.paidAmount,
        refundedAmount: order.refunds.reduce((total, refund) => total + refund.amount, 0),
        firstRefundAt: order.refunds[0]!.at,
      };
      for (const key of [`account:${order.accountId}`, ...strongKeys(order)]) refundedBy.set(key, [...(refundedBy.get(key) ?? []), entry]);
    }
  }
  const horizon = configs.refundBrushing.crossRoom.historyMs;
  const inputs: StreamOrderInput[] = [];
  for (const stream of facts.values()) {
    const from = (stream.startedAt ?? stream.endedAt ?? 0) - horizon;
    const to = (stream.startedAt ?? stream.endedAt ?? 0) + horizon;
    // As the ledger reads it: the candidates' refunded orders elsewhere and those sharing their device, phone or
    // address, then those sharing one with the orders found (two hops), within the horizon.
    const candidates = new Set(timingCandidates(stream, configs.refundBrushing));
    const seeds = stream.orders.filter((order) => candidates.has(order.accountId));
    const queried = new Set([...candidates].map((account) => `account:${account}`));
    let frontier = new Set(seeds.flatMap(strongKeys));
    const found = new Set<AccountHistoryOrder>();
    const inHorizon = (entry: AccountHistoryOrder) =>
      entry.streamId !== stream.streamId && entry.placedAt !== null && entry.placedAt >= from && entry.placedAt <= to;
    for (const key of queried) for (const entry of refundedBy.get(key) ?? []) if (inHorizon(entry)) found.add(entry);
    for (let hop = 0; hop < configs.refundBrushing.crossRoom.identifierHops; hop++) {
      const next = new Set<string>();
      for (const key of frontier) {
        if (queried.has(key)) continue;
        queried.add(key);
        for (const entry of refundedBy.get(key) ?? []) {
          if (!inHorizon(entry) || found.has(entry)) continue;
          found.add(entry);
          for (const more of strongKeys(entry)) if (!queried.has(more)) next.add(more);
        }
      }
      frontier = next;
    }
    const history = [...found];
    const identifierUsers = new Map<string, number>();
    for (const key of new Set([...seeds.flatMap(strongKeys), ...history.flatMap(strongKeys)])) if (usersOf.has(key)) identifierUsers.set(key, usersOf.get(key)!.size);
    const claim = streams.get(stream.streamId)?.claim ?? null;
    inputs.push({ facts: stream, history, identifierUsers, claim: claim ? { gmv: claim.gmv, orders: claim.orders, claimedAt: claim.claimedAt } : null });
  }
  return { inputs, identifierUses: usersOf };
}

/**
 * Every finding the order detectors raise on a stream at any moment its
 * verdict can change (refunds, the claim, payments after it, the end, the
 * stream's clock), latest version of each; a judgement happens only once
 * the stream has ended or has a claim, as in the service.
 */
export function findingsOverTime(
  input: StreamOrderInput,
  ledger?: Pick<ReplayedLedger, 'identifierUses'>,
  configs: OrderVerdictConfigs = DEFAULT_ORDER_VERDICT_CONFIGS,
): Finding[] {
  const found = new Map<string, Finding>();
  for (const at of verdictMoments(input, Number.POSITIVE_INFINITY)) {
    const known = ledger ? { ...knownAt(input, at), identifierUsers: usersAt(ledger, input, at) } : knownAt(input, at);
    if (known.facts.endedAt === null && known.claim === null) continue;
    for (const finding of judgeStreamOrders(known, configs).findings) found.set(findingKey(finding), finding);
  }
  return [...found.values()];
}
