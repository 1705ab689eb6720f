import { ConflictException, NotFoundException } from '@nestjs/common';
import type { DeliveriesService } from '../enforcement/deliveries.service.js';
import type { DeliveryRef } from '../enforcement/delivery.js';
import { loadConfig } from '../platform/config/config.js';
import type { AccountStreamsRepository } from '../state/accounts/account-streams.repository.js';
import type { ReportEvent, ReportEvents } from './report-events.js';
import type { ReportClaim, ReviewDecision } from './report-view.js';
import type { DecisionRecord, DecisionRefusal, DeskFilter, DeskRow, QueueRow, ReportGroup, Reviewer, ReviewDeskRepository } from './review-desk.repository.js';
import { ReviewDeskService } from './review-desk.service.js';

const config = loadConfig({ ADMIN_KEY: 'k'.repeat(32), REVIEW_CLAIM_TTL_MS: '60000' });
const lin: Reviewer = { keyId: 'key-lin', label: 'Lin' };
const ada: Reviewer = { keyId: 'key-ada', label: 'Ada' };

function row(id: string, over: Partial<DeskRow> = {}): DeskRow {
  return {
    id,
    kind: 'injected_viewers',
    subject_type: 'account',
    subject_id: id.replace(/^r-/, ''),
    room_id: 'room-1',
    stream_id: 'st-1',
    score: 0.8,
    severity: 'high',
    status: 'open',
    summary: 'joined with a farm',
    accounts: [id.replace(/^r-/, '')],
    evidence: {},
    detected_at: '1800000000000',
    version: 1,
    updated_at: new Date('2027-01-15T08:00:00Z'),
    cursor_at: `2027-01-15T08:00:00.${id.length}Z`,
    created_at: new Date('2027-01-15T08:00:00Z'),
    claim_key_id: null,
    claim_reviewer: null,
    claimed_at: null,
    claim_expires_at: null,
    ...over,
  };
}

/** The desk's tables in memory: reports with their live claim, decisions with their trail, the outbox ids a confirmation writes. */
class InMemoryDesk implements Pick<ReviewDeskRepository, 'list' | 'get' | 'claim' | 'release' | 'decide' | 'groupItems' | 'decisions'> {
  readonly rows = new Map<string, DeskRow>();
  readonly trail: DecisionRecord[] = [];
  lists = 0;

  constructor(rows: DeskRow[]) {
    for (const report of rows) this.rows.set(report.id, report);
  }

  list(filter: DeskFilter): Promise<QueueRow[]> {
    this.lists++;
    const rows = [...this.rows.values()].filter(
      (report) =>
        (filter.status === undefined || report.status === filter.status) &&
        (filter.anyAccount === undefined || filter.anyAccount.includes(report.subject_id) || report.accounts.some((account) => filter.anyAccount!.includes(account))),
    );
    return Promise.resolve(rows.slice(0, filter.limit + 1).map((report) => ({ ...report, priority: report.score, as_of: '1800000000000' })));
  }

  get(id: string): Promise<DeskRow | undefined> {
    return Promise.resolve(this.rows.get(id));
  }

  claim(id: string, reviewer: Reviewer, ttlMs: number): Promise<{ claim: ReportClaim } | { held: ReportClaim } | { notFound: true }> {
    const report = this.rows.get(id);
    if (!report) return Promise.resolve({ notFound: true });
    const held = this.heldByOther(report, reviewer.keyId);
    if (held) return Promise.resolve({ held });
    const claimedAt = new Date();
    this.rows.set(id, { ...report, claim_key_id: reviewer.keyId, claim_reviewer: reviewer.label, claimed_at: claimedAt, claim_expires_at: new Date(claimedAt.getTime() + ttlMs) });
    return Promise.resolve({ claim: { reviewerKeyId: reviewer.keyId, reviewer: reviewer.label, claimedAt: claimedAt.toISOString(), expiresAt: new Date(claimedAt.getTime() + ttlMs).toISOString() } });
  }

  release(id: string, keyId: string): Promise<{ released: boolean } | { held: ReportClaim } | { notFound: true }> {
    const report = this.rows.get(id);
    if (!report) return Promise.resolve({ notFound: true });
    const held = this.heldByOther(report, keyId);
    if (held) return Promise.resolve({ held });
    const released = report.claim_key_id === keyId;
    this.rows.set(id, { ...report, claim_key_id: null, claim_reviewer: null, claimed_at: null, claim_expires_at: null });
    return Promise.resolve({ released });
  }

  decide(id: string, decision: { decision: ReviewDecision; note?: string; version: number }, reviewer: Reviewer, bulkId: string | null): Promise<{ row: DeskRow; deliveryId: string | undefined } | DecisionRefusal> {
    const report = this.rows.get(id);
    if (!report) return Promise.resolve({ refused: 'not_found' });
    const held = this.heldByOther(report, reviewer.keyId);
    if (held) return Promise.resolve({ refused: 'claimed', claim: held });
    if (report.version !== decision.version) return Promise.resolve({ refused: 'version', version: report.version });
    const decided: DeskRow = { ...report, status: decision.decision, version: report.version + 1 };
    this.rows.set(id, decided);
    this.trail.push({ reportId: id, decision: decision.decision, note: decision.note ?? null, version: report.version, reviewerKeyId: reviewer.keyId, reviewer: reviewer.label, bulkId, decidedAt: new Date('2027-01-15T09:00:00Z') });
    return Promise.resolve({ row: decided, deliveryId: decision.decision === 'confirmed' ? `delivery-${id}` : undefined });
  }

  groupItems(group: ReportGroup): Promise<Array<{ id: string; version: number }> | undefined> {
    if (!('namedBy' in group)) return Promise.resolve([]);
    const named = this.rows.get(group.namedBy);
    if (!named) return Promise.resolve(undefined);
    return Promise.resolve([...this.rows.values()].filter((report) => report.subject_type === 'account' && report.status === 'open' && named.accounts.includes(report.subject_id)).map(({ id, version }) => ({ id, version })));
  }

  decisions(id: string): Promise<DecisionRecord[] | undefined> {
    return Promise.resolve(this.rows.has(id) ? this.trail.filter((record) => record.reportId === id) : undefined);
  }

  private heldByOther(report: DeskRow, keyId: string): ReportClaim | null {
    if (report.claim_key_id === null || report.claim_key_id === keyId || report.claim_expires_at === null || report.claim_expires_at.getTime() <= Date.now()) return null;
    return { reviewerKeyId: report.claim_key_id, reviewer: report.claim_reviewer ?? report.claim_key_id, claimedAt: report.claimed_at!.toISOString(), expiresAt: report.claim_expires_at.toISOString() };
  }
}

function desk(rows: DeskRow[], seen: Record<string, string[]> = {}) {
  const repository = new InMemoryDesk(rows);
  const published: ReportEvent[] = [];
  const enqueued: DeliveryRef[] = [];
  const searches: string[] = [];
  const accounts = {
    accountsWith: (kind: string, value: string) => {
      searches.push(`${kind}=${value}`);
      return Promise.resolve(seen[`${kind}=${value}`] ?? []);
    },
  } as unknown as AccountStreamsRepository;
  const events = { publish: (batch: ReportEvent[]) => Promise.resolve(void published.push(...batch)) } as unknown as ReportEvents;
  const deliveries = { enqueue: (refs: DeliveryRef[]) => Promise.resolve(void enqueued.push(...refs)) } as unknown as DeliveriesService;
  const subject = new ReviewDeskService(repository as unknown as ReviewDeskRepository, accounts, events, deliveries, config);
  return { subject, repository, published, enqueued, searches };
}

const newest = { sort: 'newest' as const };

describe('the review desk service', () => {
  it('narrows the queue to the accounts seen with every identifier searched, and skips the query when none was', async () => {
    const { subject, repository } = desk([row('r-a'), row('r-b'), row('r-c')], { 'deviceId=dev-1': ['a', 'b'], 'ip=10.0.0.1': ['b', 'c'] });
    expect((await subject.list({ deviceId: 'dev-1', limit: 50 }, newest, lin.keyId)).items.map((item) => item.id)).toEqual(['r-a', 'r-b']);
    expect((await subject.list({ deviceId: 'dev-1', ip: '10.0.0.1', limit: 50 }, newest, lin.keyId)).items.map((item) => item.id)).toEqual(['r-b']);
    const lists = repository.lists;
    expect(await subject.list({ phoneHash: 'unknown', limit: 50 }, newest, lin.keyId)).toEqual({ items: [], nextCursor: null });
    expect(repository.lists).toBe(lists);
  });

  it('pages with a cursor only when more rows than the limit came back', async () => {
    const { subject } = desk([row('r-a'), row('r-b'), row('r-c')]);
    const first = await subject.list({ limit: 2 }, newest, lin.keyId);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await subject.list({ limit: 3 }, newest, lin.keyId)).nextCursor).toBeNull();
    expect((await subject.list({ limit: 2 }, { sort: 'priority' }, lin.keyId)).nextCursor).toEqual(expect.any(String));
  });

  it('claims a report and tells the other desks; another reviewer\'s claim is 409 naming the holder', async () => {
    const { subject, published } = desk([row('r-a')]);
    const claimed = await subject.claim('r-a', lin);
    expect(claimed.claim).toMatchObject({ reviewer: 'Lin', reviewerKeyId: 'key-lin' });
    expect(published).toEqual([{ event: 'report.claim', report: claimed }]);
    await expect(subject.claim('r-a', ada)).rejects.toThrow(/claimed by Lin until/);
    await expect(subject.claim('r-a', ada)).rejects.toBeInstanceOf(ConflictException);
    await expect(subject.release('r-a', ada)).rejects.toBeInstanceOf(ConflictException);
    await subject.release('r-a', lin);
    expect(published.at(-1)).toMatchObject({ event: 'report.claim', report: { id: 'r-a', claim: null } });
    await expect(subject.claim('r-missing', lin)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('decides on the version on screen: pushes the contract\'s report, queues the delivery of a confirmation, and refuses a stale version', async () => {
    const { subject, published, enqueued } = desk([row('r-a')]);
    const decided = await subject.decide('r-a', { decision: 'confirmed', note: 'farm', version: 1 }, lin);
    expect(decided).toMatchObject({ status: 'confirmed', version: 2 });
    expect(published).toEqual([{ event: 'report.updated', report: expect.not.objectContaining({ claim: expect.anything() }) }]);
    expect(published[0]!.report).not.toHaveProperty('createdAt');
    expect(enqueued).toEqual([{ id: 'delivery-r-a', manualRetries: 0 }]);
    await expect(subject.decide('r-a', { decision: 'dismissed', version: 1 }, lin)).rejects.toThrow('version: the report is at version 2, not 1');
    await expect(subject.decide('r-missing', { decision: 'dismissed', version: 1 }, lin)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('refuses a decision on a report another reviewer holds, naming them', async () => {
    const { subject } = desk([row('r-a')]);
    await subject.claim('r-a', ada);
    await expect(subject.decide('r-a', { decision: 'confirmed', version: 1 }, lin)).rejects.toThrow(/claimed by Ada/);
  });

  it('decides a group one report at a time under one bulk id; a refused item does not stop the others; a dry run decides nothing', async () => {
    const room = row('r-room', { subject_type: 'room', subject_id: 'room-1', accounts: ['a', 'b', 'c'] });
    const { subject, repository, enqueued } = desk([room, row('r-a'), row('r-b'), row('r-c')]);
    await subject.claim('r-b', ada);

    const dry = await subject.bulkDecide({ decision: 'confirmed', group: { namedBy: 'r-room' }, dryRun: true }, lin);
    expect(dry).toMatchObject({ bulkId: null, decided: 0, dryRun: true });
    expect(dry.items.map((item) => item.id)).toEqual(['r-a', 'r-b', 'r-c']);
    expect(repository.trail).toEqual([]);

    const result = await subject.bulkDecide({ decision: 'confirmed', note: 'one farm', group: { namedBy: 'r-room' } }, lin);
    expect(result).toMatchObject({ bulkId: expect.any(String), decided: 2, refused: 1 });
    expect(result.items.map((item) => [item.id, item.status])).toEqual([
      ['r-a', 200],
      ['r-b', 409],
      ['r-c', 200],
    ]);
    expect(new Set(repository.trail.map((record) => record.bulkId))).toEqual(new Set([result.bulkId]));
    expect(enqueued.map((ref) => ref.id)).toEqual(['delivery-r-a', 'delivery-r-c']);
    await expect(subject.bulkDecide({ decision: 'confirmed', group: { namedBy: 'r-missing' } }, lin)).rejects.toThrow(/group\.namedBy/);
  });

  it('serves the decision trail with ISO times; an unknown report is 404', async () => {
    const { subject } = desk([row('r-a')]);
    await subject.decide('r-a', { decision: 'dismissed', note: 'a viral surge', version: 1 }, lin);
    expect(await subject.decisions('r-a')).toEqual([expect.objectContaining({ decision: 'dismissed', note: 'a viral surge', reviewer: 'Lin', decidedAt: '2027-01-15T09:00:00.000Z' })]);
    await expect(subject.decisions('r-missing')).rejects.toBeInstanceOf(NotFoundException);
  });
});
