import { Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '../platform/auth/principal.js';
import { subnetOf } from '../detection/shared/network.js';
import { ReportRepository } from '../reports/report.repository.js';
import { StreamRepository } from '../state/streams/stream.repository.js';
import { mayViewStream } from '../state/streams/stream-visibility.js';
import { StreamTimelineRepository } from './stream-timeline.repository.js';
import type { StreamAccount, StreamSummary, StreamTimeline, TimelinePoint } from './stream-views.js';
import { TIMELINE_CONFIG } from './timeline.config.js';

/**
 * Read models for the console, from the event log (StreamTimelineRepository)
 * and the streams directory. Every answer is bounded: timelines by bucket count, lookups by the
 * caps in TIMELINE_CONFIG. Merchant keys see their own streams only (as the
 * sales audit, CONTRACT.md §4): another merchant's stream answers 404.
 */
@Injectable()
export class StreamTimelineService {
  constructor(
    private readonly timelines: StreamTimelineRepository,
    private readonly streams: StreamRepository,
    private readonly reports: ReportRepository,
  ) {}

  async list(principal: Principal, filter: { merchantId?: string; roomId?: string; limit: number }): Promise<StreamSummary[]> {
    // A merchant lists its own streams whatever it asks for; the rest is mayViewStream's rule as a filter.
    const merchantId = principal.role === 'merchant' ? (principal.merchantId ?? undefined) : filter.merchantId;
    const streams = await this.streams.list({ ...filter, merchantId });
    return streams.filter((stream) => mayViewStream(principal, stream.merchantId));
  }

  /** The stream if the caller may see it; 404 otherwise, so a merchant learns nothing about others' streams. */
  async visibleStream(principal: Principal, streamId: string): Promise<StreamSummary> {
    const stream = await this.streams.find(streamId);
    if (!stream || !mayViewStream(principal, stream.merchantId)) throw new NotFoundException(`stream ${streamId}: not found`);
    return stream;
  }

  /**
   * Per-bucket figures for [from, to]; by default the stream's start to a
   * short tail after its end, with anything later summed in `after`. Buckets
   * are whole minutes, wider for long windows, at most `maxPoints`.
   */
  async timeline(principal: Principal, streamId: string, window: { from?: number; to?: number } = {}): Promise<StreamTimeline> {
    const stream = await this.visibleStream(principal, streamId);
    const { minBucketMs, maxPoints, tailAfterEndMs, tailAfterEndShare } = TIMELINE_CONFIG;
    // The log's own bounds: the streams row may trail the latest batch.
    const span = await this.timelines.span(streamId);
    const firstTs = Math.min(span.firstTs ?? stream.firstTs, stream.startedAt ?? Infinity);
    const lastTs = Math.max(span.lastTs ?? stream.lastTs, stream.endedAt ?? -Infinity);
    const defaultTo =
      stream.endedAt === null
        ? lastTs
        : Math.min(lastTs, stream.endedAt + Math.round(Math.max(tailAfterEndMs, (stream.endedAt - firstTs) * tailAfterEndShare)));
    const from = Math.max(window.from ?? firstTs, firstTs);
    const to = Math.max(Math.min(window.to ?? defaultTo, lastTs), from);
    const origin = Math.floor(from / minBucketMs) * minBucketMs;
    const minutes = Math.floor((to - origin) / minBucketMs) + 1;
    const bucketMs = minBucketMs * Math.ceil(minutes / maxPoints);
    const buckets = Math.floor((to - origin) / bucketMs) + 1;

    const grid = { origin, bucketMs, buckets };
    const [activity, presence, tail, currency] = await Promise.all([
      this.timelines.activity(streamId, grid, { from, to }),
      this.timelines.presenceChanges(streamId, grid, to),
      this.timelines.tailAfter(streamId, to),
      this.timelines.currency(streamId),
    ]);

    const points: TimelinePoint[] = Array.from({ length: buckets }, (_, index) => ({
      t: origin + index * bucketMs,
      displayed: null,
      present: 0,
      joins: 0,
      leaves: 0,
      comments: 0,
      orders: 0,
      refunds: 0,
      paidAmount: 0,
      refundedAmount: 0,
    }));
    const clamp = (bucket: number) => Math.min(Math.max(bucket, 0), buckets - 1);
    for (const row of activity) {
      const point = points[clamp(row.bucket)];
      if (row.displayed !== null) point.displayed = Math.max(point.displayed ?? 0, row.displayed);
      point.joins += row.joins;
      point.leaves += row.leaves;
      point.comments += row.comments;
      point.orders += row.orders;
      point.refunds += row.refunds;
      point.paidAmount += row.paidAmount;
      point.refundedAmount += row.refundedAmount;
    }
    const deltas = new Array<number>(buckets).fill(0);
    for (const row of presence) deltas[clamp(row.bucket)] += row.delta;
    let present = 0;
    for (let index = 0; index < buckets; index++) {
      present += deltas[index];
      points[index].present = present;
    }
    return {
      stream,
      from,
      to,
      bucketMs,
      points,
      currency,
      after:
        tail.events > 0 && tail.lastTs !== null
          ? {
              events: tail.events,
              orders: tail.orders,
              refunds: tail.refunds,
              paidAmount: tail.paidAmount,
              refundedAmount: tail.refundedAmount,
              lastTs: tail.lastTs,
            }
          : null,
    };
  }

  /**
   * The given accounts as they showed up in the stream: identity from their
   * first join (or first event), activity counts, and how many of the others
   * share each device, IP, subnet and model.
   */
  async accounts(principal: Principal, streamId: string, accountIds: string[]): Promise<StreamAccount[]> {
    await this.visibleStream(principal, streamId);
    const ids = [...new Set(accountIds)].slice(0, TIMELINE_CONFIG.maxAccounts);
    if (ids.length === 0) return [];
    const rows = await this.timelines.accountsFirstSeen(streamId, ids);
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
    const flag = (value: unknown) => (typeof value === 'boolean' ? value : null);
    const accounts = rows.map((row): StreamAccount => {
      const device = (row.payload.device ?? {}) as Record<string, unknown>;
      const ip = text(row.payload.ip);
      return {
        accountId: row.accountId,
        firstSeenAt: row.ts,
        joined: row.type === 'viewer.joined',
        accountCreatedAt: typeof row.payload.accountCreatedAt === 'number' ? row.payload.accountCreatedAt : null,
        deviceId: text(row.payload.deviceId),
        ip,
        subnet: subnetOf(ip ?? undefined) ?? null,
        model: text(device.model),
        os: text(device.os),
        emulator: flag(device.emulator),
        rooted: flag(device.rooted),
        comments: row.comments,
        likes: row.likes,
        orders: row.orders,
        shared: { device: 0, ip: 0, subnet: 0, model: 0 },
      };
    });
    const tally = (key: 'deviceId' | 'ip' | 'subnet' | 'model') => {
      const counts = new Map<string, number>();
      for (const account of accounts) {
        const value = account[key];
        if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
      }
      return (value: string | null) => (value === null ? 0 : (counts.get(value) ?? 1) - 1);
    };
    const [device, ip, subnet, model] = (['deviceId', 'ip', 'subnet', 'model'] as const).map(tally);
    for (const account of accounts) {
      account.shared = { device: device(account.deviceId), ip: ip(account.ip), subnet: subnet(account.subnet), model: model(account.model) };
    }
    return accounts.sort((a, b) => a.firstSeenAt - b.firstSeenAt || (a.accountId < b.accountId ? -1 : 1));
  }

  /** The accounts a report names, for the evidence table; 404 when there is no such report. */
  async reportAccounts(reportId: string): Promise<{ streamId: string; accounts: string[] }> {
    const report = await this.reports.accountsOf(reportId);
    if (!report) throw new NotFoundException(`report ${reportId}: not found`);
    return report;
  }
}
