import { NotFoundException } from '@nestjs/common';
import type { Principal } from '../platform/auth/principal.js';
import type { ReportRepository } from '../reports/report.repository.js';
import type { StoredStream, StreamRepository } from '../state/streams/stream.repository.js';
import type {
  AccountFirstSeen,
  ActivityBucket,
  BucketGrid,
  LogTail,
  StreamTimelineRepository,
} from './stream-timeline.repository.js';
import { StreamTimelineService } from './stream-timeline.service.js';
import { TIMELINE_CONFIG } from './timeline.config.js';

const MIN = 60_000;
const reviewer: Principal = { keyId: 'k-r', role: 'reviewer', merchantId: null };
const owner: Principal = { keyId: 'k-a', role: 'merchant', merchantId: 'm-a' };
const other: Principal = { keyId: 'k-b', role: 'merchant', merchantId: 'm-b' };

const streams: StoredStream[] = [
  { streamId: 's-a', roomId: 'room-1', merchantId: 'm-a', startedAt: 0, endedAt: 10 * MIN, firstTs: 0, lastTs: 10 * MIN },
  { streamId: 's-b', roomId: 'room-2', merchantId: 'm-b', startedAt: 5 * MIN, endedAt: null, firstTs: 5 * MIN, lastTs: 6 * MIN },
];

function bucket(overrides: Partial<ActivityBucket> & Pick<ActivityBucket, 'bucket'>): ActivityBucket {
  return { displayed: null, joins: 0, leaves: 0, comments: 0, orders: 0, refunds: 0, paidAmount: 0, refundedAmount: 0, ...overrides };
}

class FakeTimelines implements Omit<StreamTimelineRepository, 'pool'> {
  grids: BucketGrid[] = [];
  activityRows: ActivityBucket[] = [];
  presenceRows: Array<{ bucket: number; delta: number }> = [];
  tail: LogTail = { events: 0, orders: 0, refunds: 0, paidAmount: 0, refundedAmount: 0, lastTs: null };
  accounts: AccountFirstSeen[] = [];
  lastTs = 10 * MIN;

  async span() {
    return { firstTs: 0, lastTs: this.lastTs };
  }
  async activity(_streamId: string, grid: BucketGrid) {
    this.grids.push(grid);
    return this.activityRows;
  }
  async presenceChanges() {
    return this.presenceRows;
  }
  async tailAfter() {
    return this.tail;
  }
  async currency() {
    return 'CNY';
  }
  async accountsFirstSeen() {
    return this.accounts;
  }
}

describe('StreamTimelineService', () => {
  let timelines: FakeTimelines;
  let listFilters: unknown[];
  let service: StreamTimelineService;

  beforeEach(() => {
    timelines = new FakeTimelines();
    listFilters = [];
    const streamRepository = {
      find: async (id: string) => streams.find((s) => s.streamId === id) ?? null,
      list: async (filter: { merchantId?: string }) => {
        listFilters.push(filter);
        return streams.filter((s) => filter.merchantId === undefined || s.merchantId === filter.merchantId);
      },
    } as unknown as StreamRepository;
    const reports = {
      accountsOf: async (id: string) => (id === 'rep-1' ? { streamId: 's-a', accounts: ['acct-1'] } : null),
    } as unknown as ReportRepository;
    service = new StreamTimelineService(timelines as unknown as StreamTimelineRepository, streamRepository, reports);
  });

  it('lists a merchant its own streams whatever merchant it asks for', async () => {
    expect((await service.list(owner, { merchantId: 'm-b', limit: 10 })).map((s) => s.streamId)).toEqual(['s-a']);
    expect(listFilters[0]).toMatchObject({ merchantId: 'm-a' });
    expect((await service.list(reviewer, { limit: 10 })).map((s) => s.streamId)).toEqual(['s-a', 's-b']);
  });

  it('answers 404 for another merchant stream, as for an unknown one', async () => {
    await expect(service.visibleStream(other, 's-a')).rejects.toThrow(new NotFoundException('stream s-a: not found'));
    await expect(service.visibleStream(reviewer, 's-x')).rejects.toThrow(new NotFoundException('stream s-x: not found'));
    await expect(service.visibleStream(owner, 's-a')).resolves.toMatchObject({ streamId: 's-a' });
  });

  it('fills every bucket of the window, folding what lies before it into the first and counting presence cumulatively', async () => {
    timelines.activityRows = [
      bucket({ bucket: -1, joins: 2 }),
      bucket({ bucket: 0, joins: 3, displayed: 40 }),
      bucket({ bucket: 4, comments: 5, orders: 1, paidAmount: 1999, displayed: 90 }),
    ];
    timelines.presenceRows = [
      { bucket: -1, delta: 2 },
      { bucket: 0, delta: 3 },
      { bucket: 6, delta: -4 },
    ];
    timelines.tail = { events: 3, orders: 0, refunds: 1, paidAmount: 0, refundedAmount: 1999, lastTs: 40 * MIN };

    const timeline = await service.timeline(reviewer, 's-a', { from: 0, to: 10 * MIN });
    expect(timelines.grids[0]).toEqual({ origin: 0, bucketMs: MIN, buckets: 11 });
    expect(timeline.points).toHaveLength(11);
    expect(timeline.points[0]).toMatchObject({ t: 0, joins: 5, displayed: 40, present: 5 });
    expect(timeline.points[4]).toMatchObject({ t: 4 * MIN, comments: 5, orders: 1, paidAmount: 1999, displayed: 90, present: 5 });
    expect(timeline.points[6]!.present).toBe(1);
    expect(timeline.points[10]!.present).toBe(1);
    expect(timeline.currency).toBe('CNY');
    expect(timeline.after).toEqual({ events: 3, orders: 0, refunds: 1, paidAmount: 0, refundedAmount: 1999, lastTs: 40 * MIN });
  });

  it('widens buckets to whole minutes past the point cap, and has no tail when the log ends in the window', async () => {
    const to = 2 * TIMELINE_CONFIG.maxPoints * MIN;
    timelines.lastTs = to;
    const timeline = await service.timeline(reviewer, 's-a', { from: 0, to });
    expect(timeline.bucketMs).toBe(3 * MIN);
    expect(timeline.points.length).toBeLessThanOrEqual(TIMELINE_CONFIG.maxPoints);
    expect(timeline.points.at(-1)!.t).toBe(Math.floor(to / (3 * MIN)) * 3 * MIN);
    expect(timeline.after).toBeNull();
  });

  it('shows who shares a device, address, subnet or model among the accounts looked up', async () => {
    const seen = (accountId: string, ts: number, payload: Record<string, unknown>): AccountFirstSeen => ({
      accountId,
      ts,
      type: 'viewer.joined',
      payload,
      comments: 1,
      likes: 0,
      orders: 0,
    });
    timelines.accounts = [
      seen('acct-2', 2_000, { deviceId: 'dev-1', ip: '10.1.1.7', device: { model: 'X1' } }),
      seen('acct-1', 1_000, { deviceId: 'dev-1', ip: '10.1.1.9', device: { model: 'X1', emulator: true } }),
      seen('acct-3', 3_000, { ip: '10.9.9.9' }),
    ];
    const accounts = await service.accounts(reviewer, 's-a', ['acct-1', 'acct-2', 'acct-3', 'acct-1']);
    expect(accounts.map((a) => [a.accountId, a.shared])).toEqual([
      ['acct-1', { device: 1, ip: 0, subnet: 1, model: 1 }],
      ['acct-2', { device: 1, ip: 0, subnet: 1, model: 1 }],
      ['acct-3', { device: 0, ip: 0, subnet: 0, model: 0 }],
    ]);
    expect(accounts[0]).toMatchObject({ firstSeenAt: 1_000, joined: true, subnet: '10.1.1.0/24', emulator: true, rooted: null });
  });

  it('answers 404 for the accounts of an unknown report', async () => {
    await expect(service.reportAccounts('rep-x')).rejects.toThrow(NotFoundException);
    await expect(service.reportAccounts('rep-1')).resolves.toEqual({ streamId: 's-a', accounts: ['acct-1'] });
  });
});
