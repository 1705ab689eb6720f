import { Inject, Injectable } from '@nestjs/common';
import type { AccountHistoryOrder, SalesClaimFact, StreamOrderFacts } from '../../detection/ledger/order-facts.js';
import { DEFAULT_ORDER_VERDICT_CONFIGS } from '../../detection/ledger/order-verdicts.js';
import { effectiveStreamEnd } from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import { LedgerRepository } from '../../state/ledger/ledger.repository.js';
import type { BatchStream } from '../../state/streams/batch-streams.js';
import { type StreamRecord, StreamRepository } from '../../state/streams/stream.repository.js';

/** History rows read per batch at most: bounds the cross-room query whatever the candidates do. */
const MAX_HISTORY_ROWS = 20_000;

/** What decides whether a stream can be judged yet: its directory row and its claim. */
export interface StreamStanding {
  rows: Map<string, StreamRecord>;
  claims: Map<string, SalesClaimFact>;
}

/**
 * The ledger detectors' facts, read from PostgreSQL rather than memory, so a
 * restart, a second process or a refund days later sees the same facts:
 * each stream's orders and refunds, its claim, and the candidates' orders in
 * other streams, with indexed per-stream and per-account queries.
 */
@Injectable()
export class OrderFactsReader {
  private readonly timing = DEFAULT_ORDER_VERDICT_CONFIGS.refundBrushing.timing;
  private readonly historyMs = DEFAULT_ORDER_VERDICT_CONFIGS.refundBrushing.crossRoom.historyMs;

  constructor(
    @Inject(StreamRepository) private readonly streams: Pick<StreamRepository, 'findByIds'>,
    @Inject(LedgerRepository) private readonly ledger: Pick<LedgerRepository, 'claimsOf' | 'ordersOf' | 'refundedOrdersOf'>,
  ) {}

  async standing(streamIds: readonly string[]): Promise<StreamStanding> {
    const [rows, claims] = await Promise.all([this.streams.findByIds(streamIds), this.ledger.claimsOf(streamIds)]);
    return { rows, claims };
  }

  /**
   * The streams' facts; `batch` holds what the current batch said of them
   * (it counts even where the directory row lags). A stream neither the
   * directory nor the ledger knows is left out.
   */
  async facts(streamIds: readonly string[], { rows, claims }: StreamStanding, batch: ReadonlyMap<string, BatchStream>): Promise<StreamOrderFacts[]> {
    const ordersByStream = await this.ledger.ordersOf(streamIds);
    return streamIds.flatMap((streamId) => {
      const stream = rows.get(streamId);
      const inBatch = batch.get(streamId);
      const ledgered = ordersByStream.get(streamId);
      const roomId = stream?.roomId ?? ledgered?.roomId;
      if (roomId === undefined) return [];
      const orders = ledgered?.orders ?? [];
      let latestTrailingAt = claims.get(streamId)?.claimedAt ?? null;
      for (const order of orders) for (const refund of order.refunds) latestTrailingAt = maxOf(latestTrailingAt, refund.at);
      // The stream's own clock: its latest event of any kind, as far as the ledger and the streams row know.
      let knownThrough = maxOf(maxOf(stream?.lastTs ?? null, inBatch?.lastTs ?? null), latestTrailingAt);
      for (const order of orders) knownThrough = maxOf(knownThrough, maxOf(order.placedAt, order.paidAt));
      const endedAt = effectiveStreamEnd(
        { endedAt: maxOf(stream?.endedAt ?? null, inBatch?.endedAt ?? null), lastActivityAt: stream?.activityTs ?? null },
        latestTrailingAt,
        this.timing,
      );
      return [
        {
          roomId,
          streamId,
          merchantId: stream?.merchantId ?? null,
          startedAt: minOf(stream?.startedAt ?? null, inBatch?.startedAt ?? null),
          endedAt,
          orders,
          knownThrough: maxOf(knownThrough, endedAt),
        },
      ];
    });
  }

  /** These accounts' refunded orders in any stream, within the history horizon of the judged streams. */
  async history(facts: readonly StreamOrderFacts[], accounts: readonly string[]): Promise<AccountHistoryOrder[]> {
    if (accounts.length === 0) return [];
    const starts = facts.map((stream) => stream.startedAt ?? stream.endedAt).filter((ts): ts is number => ts !== null);
    if (starts.length === 0) return [];
    const records = await this.ledger.refundedOrdersOf(accounts, Math.min(...starts) - this.historyMs, Math.max(...starts) + this.historyMs, MAX_HISTORY_ROWS);
    return records.map(({ activityTs, endedAt, ...record }) => ({
      ...record,
      endedAt: effectiveStreamEnd({ endedAt, lastActivityAt: activityTs }, record.firstRefundAt, this.timing),
    }));
  }
}

export function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

export function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
