import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import { type Finding, type ReportKind, type SubjectType, findingKey } from '../../detection/engine/finding.js';
import type { AccountHistoryOrder, OrderFact, SalesClaimFact, StreamOrderFacts } from '../../detection/ledger/refund-brushing/order-facts.js';
import {
  DEFAULT_ORDER_VERDICT_CONFIGS,
  type OrderVerdictConfigs,
  dateFindings,
  judgeStreamOrders,
} from '../../detection/ledger/refund-brushing/order-verdicts.js';
import { effectiveStreamEnd, patternStreams, timingCandidates } from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import { moneyFromSql } from '../../state/ledger/money.js';
import type { LedgerChange } from '../../state/ledger/order-ledger.js';

/** History rows read per batch at most: bounds the cross-room query whatever the candidates do. */
const MAX_HISTORY_ROWS = 20_000;
/** Other streams of the same accounts re-judged per batch at most (see evaluate). */
const MAX_RELATED_STREAMS = 8;

/** An order's ledger key (merchant, waiting stream, order id) as one unambiguous text: a JSON array. */
const ORDER_KEY_SQL = (table: string) => `json_build_array(${table}.merchant_id, ${table}.ownerless_stream, ${table}.order_id)::text`;

interface StreamInfo {
  roomId: string;
  merchantId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** Last live (non-order-lifecycle) event: where an unannounced end is inferred from. */
  lastActivityAt: number | null;
  /** Latest event time of any of the stream's events. */
  lastTs: number | null;
}

interface StreamRow {
  stream_id: string;
  room_id: string;
  merchant_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  activity_ts: string | null;
  last_ts: string | null;
}

interface OrderRow {
  order_key: string;
  order_id: string;
  stream_id: string;
  room_id: string;
  account_id: string;
  device_id: string | null;
  ip: string | null;
  subnet: string | null;
  phone_hash: string | null;
  address_hash: string | null;
  sku_id: string | null;
  quantity: number | null;
  currency: string | null;
  unit_price: string | null;
  list_price: string | null;
  placed_at: string | null;
  paid_at: string | null;
  paid_amount: string | null;
}

interface HistoryRow {
  account_id: string;
  stream_id: string;
  room_id: string;
  merchant_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  placed_at: string | null;
  paid_at: string | null;
  paid_amount: string | null;
  refunded_amount: string;
  refunded_at: string | null;
  activity_ts: string | null;
}

/**
 * The Nest side of the order detectors: reads what the pure deciders need
 * from the ledger (each touched stream's orders and refunds, its claim, and
 * the suspicious accounts' orders in other streams), calls them, and hands
 * the findings back to the monitor. Everything is read from PostgreSQL, not
 * memory, so a restart, a second process or a refund days later sees the
 * same facts; each touched stream is judged once per batch, with indexed
 * per-stream and per-account queries.
 */
@Injectable()
export class OrderDetection {
  private readonly configs: OrderVerdictConfigs = DEFAULT_ORDER_VERDICT_CONFIGS;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async evaluate(change: LedgerChange): Promise<Finding[]> {
    const streamIds = [...change.touchedStreams].sort();
    const [streams, claims] = await Promise.all([this.loadStreams(streamIds), this.loadClaims(streamIds)]);
    // A verdict needs the stream's end (refund timing) or a claim; live
    // streams wait. A refund to a stream without stream.ended may reveal
    // that it is over (effectiveStreamEnd).
    const judged = streamIds.filter((id) => {
      const endedAt = maxOf(streams.get(id)?.endedAt ?? null, change.endedAt.get(id) ?? null);
      return endedAt !== null || claims.has(id) || change.trailingStreams.has(id);
    });
    if (judged.length === 0) return [];

    const facts = await this.loadFacts(judged, streams, claims, change);
    const { findings, history } = await this.judge(facts, claims);

    // The same accounts' other streams: an account that repeats the pattern
    // here raises its cross-room indication there too. One extra pass, capped.
    const related = patternStreams(history, new Set(judged), this.configs.refundBrushing).slice(0, MAX_RELATED_STREAMS);
    if (related.length > 0) {
      const noChange: LedgerChange = {
        touchedStreams: new Set(),
        trailingStreams: new Set(),
        startedAt: new Map(),
        endedAt: new Map(),
        lastTs: new Map(),
      };
      const [relatedStreams, relatedClaims] = await Promise.all([this.loadStreams(related), this.loadClaims(related)]);
      const relatedFacts = await this.loadFacts(related, relatedStreams, relatedClaims, noChange);
      findings.push(...(await this.judge(relatedFacts, relatedClaims)).findings);
    }
    return findings;
  }

  /** Both detectors over some streams' facts, with their candidates' history; new findings dated by event time. */
  private async judge(
    facts: StreamOrderFacts[],
    claims: Map<string, SalesClaimFact>,
  ): Promise<{ findings: Finding[]; history: AccountHistoryOrder[] }> {
    const candidates = new Map<string, string[]>();
    for (const stream of facts) candidates.set(stream.streamId, timingCandidates(stream, this.configs.refundBrushing));
    const history = await this.loadHistory(facts, candidates);

    const verdicts = facts.map((stream) => {
      const input = { facts: stream, history, claim: claims.get(stream.streamId) ?? null };
      return { input, findings: judgeStreamOrders(input, this.configs).findings };
    });
    const reported = await this.reportedKeys(verdicts.filter((v) => v.findings.length > 0).map((v) => v.input.facts.streamId));
    const findings: Finding[] = [];
    for (const { input, findings: found } of verdicts) {
      const undated = new Set(found.map(findingKey).filter((key) => !reported.has(key)));
      findings.push(...dateFindings(input, found, undated, this.configs));
    }
    return { findings, history };
  }

  /** Keys of the order reports these streams already have: those keep their first detectedAt. */
  private async reportedKeys(streamIds: string[]): Promise<Set<string>> {
    if (streamIds.length === 0) return new Set();
    const result = await this.pool.query<{ kind: ReportKind; subject_type: SubjectType; subject_id: string; stream_id: string }>(
      `SELECT kind, subject_type, subject_id, stream_id FROM reports
        WHERE stream_id = ANY($1::text[]) AND kind IN ('refund_brushing', 'inflated_gmv')`,
      [streamIds],
    );
    return new Set(
      result.rows.map((row) => findingKey({ kind: row.kind, subjectType: row.subject_type, subjectId: row.subject_id, streamId: row.stream_id })),
    );
  }

  private async loadStreams(streamIds: string[]): Promise<Map<string, StreamInfo>> {
    const result = await this.pool.query<StreamRow>(
      'SELECT stream_id, room_id, merchant_id, started_at, ended_at, activity_ts, last_ts FROM streams WHERE stream_id = ANY($1::text[])',
      [streamIds],
    );
    return new Map(
      result.rows.map((row) => [
        row.stream_id,
        {
          roomId: row.room_id,
          merchantId: row.merchant_id,
          startedAt: numberOrNull(row.started_at),
          endedAt: numberOrNull(row.ended_at),
          lastActivityAt: numberOrNull(row.activity_ts),
          lastTs: numberOrNull(row.last_ts),
        },
      ]),
    );
  }

  private async loadClaims(streamIds: string[]): Promise<Map<string, SalesClaimFact>> {
    const result = await this.pool.query<{ stream_id: string; gmv: string; orders: string; claimed_at: string }>(
      'SELECT stream_id, gmv::text, orders::text, claimed_at::text FROM sales_claims WHERE stream_id = ANY($1::text[])',
      [streamIds],
    );
    return new Map(
      result.rows.map((row) => [row.stream_id, { gmv: moneyFromSql(row.gmv), orders: moneyFromSql(row.orders), claimedAt: Number(row.claimed_at) }]),
    );
  }

  private async loadFacts(
    streamIds: string[],
    streams: Map<string, StreamInfo>,
    claims: Map<string, SalesClaimFact>,
    change: LedgerChange,
  ): Promise<StreamOrderFacts[]> {
    const [orders, refunds] = await Promise.all([
      this.pool.query<OrderRow>(
        `SELECT ${ORDER_KEY_SQL('orders')} AS order_key, order_id, stream_id, room_id, account_id, device_id, ip, subnet,
                phone_hash, address_hash, sku_id, quantity, currency, unit_price::text, list_price::text, placed_at::text, paid_at::text, paid_amount::text
           FROM orders WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, order_id`,
        [streamIds],
      ),
      this.pool.query<{ order_key: string; amount: string; refunded_at: string }>(
        `SELECT ${ORDER_KEY_SQL('r')} AS order_key, r.amount::text, r.refunded_at::text
           FROM orders o JOIN order_refunds r
             ON (r.merchant_id, r.ownerless_stream, r.order_id) = (o.merchant_id, o.ownerless_stream, o.order_id)
          WHERE o.stream_id = ANY($1::text[]) ORDER BY r.order_id, r.refunded_at, r.event_id`,
        [streamIds],
      ),
    ]);
    const refundsByOrder = new Map<string, { amount: number; at: number }[]>();
    for (const row of refunds.rows) {
      const list = refundsByOrder.get(row.order_key) ?? [];
      list.push({ amount: moneyFromSql(row.amount), at: Number(row.refunded_at) });
      refundsByOrder.set(row.order_key, list);
    }
    const byStream = new Map<string, OrderFact[]>();
    const roomOf = new Map<string, string>();
    for (const row of orders.rows) {
      const list = byStream.get(row.stream_id) ?? [];
      list.push({
        orderId: row.order_id,
        accountId: row.account_id,
        deviceId: row.device_id,
        ip: row.ip,
        subnet: row.subnet,
        phoneHash: row.phone_hash,
        addressHash: row.address_hash,
        skuId: row.sku_id,
        quantity: row.quantity,
        unitPrice: numberOrNull(row.unit_price),
        listPrice: numberOrNull(row.list_price),
        placedAt: numberOrNull(row.placed_at),
        paidAt: numberOrNull(row.paid_at),
        paidAmount: row.paid_amount === null ? 0 : moneyFromSql(row.paid_amount),
        refunds: refundsByOrder.get(row.order_key) ?? [],
        currency: row.currency,
      });
      byStream.set(row.stream_id, list);
      roomOf.set(row.stream_id, row.room_id);
    }
    return streamIds.flatMap((streamId) => {
      const stream = streams.get(streamId);
      const roomId = stream?.roomId ?? roomOf.get(streamId);
      if (roomId === undefined) return [];
      const orders = byStream.get(streamId) ?? [];
      let latestTrailingAt = claims.get(streamId)?.claimedAt ?? null;
      for (const order of orders) for (const refund of order.refunds) latestTrailingAt = maxOf(latestTrailingAt, refund.at);
      // The stream's own clock: its latest event of any kind, as far as the ledger and the streams row know.
      let knownThrough = maxOf(maxOf(stream?.lastTs ?? null, change.lastTs.get(streamId) ?? null), latestTrailingAt);
      for (const order of orders) knownThrough = maxOf(knownThrough, maxOf(order.placedAt, order.paidAt));
      // The batch's own boundaries count even if the streams directory writes them after us.
      const endedAt = effectiveStreamEnd(
        { endedAt: maxOf(stream?.endedAt ?? null, change.endedAt.get(streamId) ?? null), lastActivityAt: stream?.lastActivityAt ?? null },
        latestTrailingAt,
        this.configs.refundBrushing.timing,
      );
      return [
        {
          roomId,
          streamId,
          merchantId: stream?.merchantId ?? null,
          startedAt: minOf(stream?.startedAt ?? null, change.startedAt.get(streamId) ?? null),
          endedAt,
          orders,
          knownThrough: maxOf(knownThrough, endedAt),
        },
      ];
    });
  }

  /** The candidates' refunded orders in other streams, within the history horizon of the judged streams. */
  private async loadHistory(facts: StreamOrderFacts[], candidates: Map<string, string[]>): Promise<AccountHistoryOrder[]> {
    const accounts = [...new Set([...candidates.values()].flat())].sort();
    if (accounts.length === 0) return [];
    const starts = facts.map((stream) => stream.startedAt ?? stream.endedAt).filter((ts): ts is number => ts !== null);
    if (starts.length === 0) return [];
    const horizon = this.configs.refundBrushing.crossRoom.historyMs;
    const result = await this.pool.query<HistoryRow>(
      `SELECT o.account_id, o.stream_id, o.room_id, s.merchant_id, s.started_at::text, s.ended_at::text, s.activity_ts::text,
              o.placed_at::text, o.paid_at::text, o.paid_amount::text, o.refunded_amount::text, o.refunded_at::text
         FROM orders o LEFT JOIN streams s ON s.stream_id = o.stream_id
        WHERE o.account_id = ANY($1::text[]) AND o.placed_at BETWEEN $2 AND $3 AND o.refund_count > 0
        ORDER BY o.account_id, o.placed_at, o.order_id
        LIMIT $4`,
      [accounts, Math.min(...starts) - horizon, Math.max(...starts) + horizon, MAX_HISTORY_ROWS],
    );
    return result.rows.map((row) => ({
      accountId: row.account_id,
      streamId: row.stream_id,
      roomId: row.room_id,
      merchantId: row.merchant_id,
      startedAt: numberOrNull(row.started_at),
      endedAt: effectiveStreamEnd(
        { endedAt: numberOrNull(row.ended_at), lastActivityAt: numberOrNull(row.activity_ts) },
        numberOrNull(row.refunded_at),
        this.configs.refundBrushing.timing,
      ),
      placedAt: numberOrNull(row.placed_at),
      paidAt: numberOrNull(row.paid_at),
      paidAmount: row.paid_amount === null ? 0 : moneyFromSql(row.paid_amount),
      refundedAmount: moneyFromSql(row.refunded_amount),
      firstRefundAt: numberOrNull(row.refunded_at),
    }));
  }
}

function numberOrNull(value: string | null): number | null {
  return value === null ? null : moneyFromSql(value);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
