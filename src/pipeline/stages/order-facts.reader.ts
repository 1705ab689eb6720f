import { Inject, Injectable } from '@nestjs/common';
import type { AccountHistoryOrder, SalesClaimFact, StreamOrderFacts } from '../../detection/ledger/order-facts.js';
import { DEFAULT_ORDER_VERDICT_CONFIGS } from '../../detection/ledger/order-verdicts.js';
import { effectiveStreamEnd } from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import { type IdentifierSets, LedgerRepository, type RefundedOrderRecord } from '../../state/ledger/ledger.repository.js';
import type { BatchStream } from '../../state/streams/batch-streams.js';
import { type StreamRecord, StreamRepository } from '../../state/streams/stream.repository.js';

/** History rows read per batch at most: bounds the cross-room query whatever the candidates do. */
const MAX_HISTORY_ROWS = 20_000;
/**
 * Identifiers used by more accounts than this over the horizon are not
 * followed to more orders: a parcel locker or a campus address. Linking
 * through one would need half its users to be candidates; an operator that
 * large still shows through its devices and SIMs.
 */
const MAX_FOLLOWED_KEY_USERS = 200;

/** The candidates' history elsewhere and what the refund-brushing detector needs to weigh identifiers across rooms. */
export interface CandidateHistory {
  history: AccountHistoryOrder[];
  /** Distinct accounts per identifier (`device:…`, `phone:…`, `address:…`) over the horizon. */
  identifierUsers: Map<string, number>;
}

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
  private readonly identifierHops = DEFAULT_ORDER_VERDICT_CONFIGS.refundBrushing.crossRoom.identifierHops;

  constructor(
    @Inject(StreamRepository) private readonly streams: Pick<StreamRepository, 'findByIds'>,
    @Inject(LedgerRepository)
    private readonly ledger: Pick<LedgerRepository, 'claimsOf' | 'ordersOf' | 'refundedOrdersOf' | 'refundedOrdersSharing' | 'identifierUsers'>,
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

  /**
   * These accounts' refunded orders in any stream, and the refunded orders
   * sharing a device, phone hash or address with their orders in the judged
   * streams (then with those, `identifierHops` in all), within the history
   * horizon of the judged streams; and how many accounts used each of those
   * identifiers in that horizon (what tells a studio's SIM from a
   * neighbourhood's parcel locker).
   */
  async history(facts: readonly StreamOrderFacts[], accounts: readonly string[]): Promise<CandidateHistory> {
    const identifierUsers = new Map<string, number>();
    if (accounts.length === 0) return { history: [], identifierUsers };
    const starts = facts.map((stream) => stream.startedAt ?? stream.endedAt).filter((ts): ts is number => ts !== null);
    if (starts.length === 0) return { history: [], identifierUsers };
    const from = Math.min(...starts) - this.historyMs;
    const to = Math.max(...starts) + this.historyMs;
    const records = new Map<string, RefundedOrderRecord>();
    const take = (found: readonly RefundedOrderRecord[]): RefundedOrderRecord[] => {
      const fresh = found.filter((record) => !records.has(record.orderKey));
      for (const record of fresh) records.set(record.orderKey, record);
      return fresh;
    };
    take(await this.ledger.refundedOrdersOf(accounts, from, to, MAX_HISTORY_ROWS));
    const countUsers = async (keys: readonly string[]): Promise<void> => {
      const missing = keys.filter((key) => !identifierUsers.has(key));
      if (missing.length === 0) return;
      for (const [key, users] of await this.ledger.identifierUsers(splitIdentifierKeys(missing), from, to)) identifierUsers.set(key, users);
    };
    const candidates = new Set(accounts);
    const seedKeys = facts.flatMap((stream) => stream.orders.filter((order) => candidates.has(order.accountId)).flatMap(identifierKeys));
    const followed = new Set<string>();
    let frontier = [...new Set(seedKeys)].sort();
    for (let hop = 0; hop < this.identifierHops && frontier.length > 0 && records.size < MAX_HISTORY_ROWS; hop++) {
      for (const key of frontier) followed.add(key);
      await countUsers(frontier);
      const keys = frontier.filter((key) => (identifierUsers.get(key) ?? 0) <= MAX_FOLLOWED_KEY_USERS);
      const found = take(await this.ledger.refundedOrdersSharing(splitIdentifierKeys(keys), from, to, MAX_HISTORY_ROWS - records.size));
      frontier = [...new Set(found.flatMap(identifierKeys))].filter((key) => !followed.has(key)).sort();
    }
    const history = [...records.values()].map(({ activityTs, endedAt, orderKey: _key, ...record }) => ({
      ...record,
      endedAt: effectiveStreamEnd({ endedAt, lastActivityAt: activityTs }, record.firstRefundAt, this.timing),
    }));
    await countUsers([...new Set(history.flatMap(identifierKeys))].sort());
    return { history, identifierUsers };
  }
}

/** The device, phone and address of an order as `kind:value` keys, the detector's form. */
function identifierKeys(order: { deviceId?: string | null; phoneHash?: string | null; addressHash?: string | null }): string[] {
  const keys: string[] = [];
  if (order.deviceId) keys.push(`device:${order.deviceId}`);
  if (order.phoneHash) keys.push(`phone:${order.phoneHash}`);
  if (order.addressHash) keys.push(`address:${order.addressHash}`);
  return keys;
}

function splitIdentifierKeys(keys: readonly string[]): IdentifierSets {
  const split = { device: [] as string[], phone: [] as string[], address: [] as string[] };
  for (const key of keys) {
    const colon = key.indexOf(':');
    split[key.slice(0, colon) as keyof typeof split].push(key.slice(colon + 1));
  }
  return split;
}

export function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

export function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
