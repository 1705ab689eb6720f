import type { RoomEvent } from '../events/event.schema.js';
import type { EventLogWriter } from '../log/event-log.writer.js';
import { StorageUnavailableError } from '../log/event-log.writer.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { IngestRequestError, IngestService, UnparsableItem } from './ingest.service.js';
import type { StreamClaim, StreamOwnerRepository } from './stream-owner.repository.js';

const T0 = 1_800_000_000_000;

/** stream_owners in memory: the first claim of a stream stands. */
class FakeStreamOwners implements Pick<StreamOwnerRepository, 'claim' | 'ownersOf'> {
  readonly owners = new Map<string, string>();
  claims: StreamClaim[][] = [];
  down = false;

  async claim(claims: readonly StreamClaim[]): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    this.claims.push([...claims]);
    for (const claim of claims) if (!this.owners.has(claim.streamId)) this.owners.set(claim.streamId, claim.merchantId);
  }
  async ownersOf(streamIds: readonly string[]): Promise<Map<string, string>> {
    return new Map(streamIds.flatMap((id) => (this.owners.has(id) ? [[id, this.owners.get(id)!] as const] : [])));
  }
}

/** The log writer as ingest uses it: appends answer a seq per new id and null per duplicate. */
class FakeWriter {
  readonly stored = new Set<string>();
  appended: RoomEvent[][] = [];
  private seq = 0;

  onFlush(): () => void {
    return () => undefined;
  }
  async append(events: RoomEvent[]): Promise<Array<number | null>> {
    this.appended.push(events);
    return events.map((event) => {
      if (this.stored.has(event.id)) return null;
      this.stored.add(event.id);
      return ++this.seq;
    });
  }
  stats() {
    return { queuedRows: 0 };
  }
}

const started = (id: string, streamId: string, merchantId: string) => ({ id, type: 'stream.started', roomId: 'room-1', streamId, ts: T0, merchantId });
const comment = (id: string, text: string) => ({ id, type: 'comment', roomId: 'room-1', streamId: 's-1', accountId: 'acct-1', ts: T0 + 1, text });

describe('IngestService', () => {
  let owners: FakeStreamOwners;
  let writer: FakeWriter;
  let service: IngestService;

  beforeEach(() => {
    owners = new FakeStreamOwners();
    writer = new FakeWriter();
    const status = new StatusRegistry();
    service = new IngestService(writer as unknown as EventLogWriter, owners as unknown as StreamOwnerRepository, status, new MetricsService(status));
  });

  it('refuses an empty or oversized send whole', async () => {
    await expect(service.ingest([])).rejects.toThrow(new IngestRequestError('events: a batch holds 1–1000 events, got 0'));
    await expect(service.ingest(Array.from({ length: 1001 }, (_, i) => comment(`c-${i}`, 'hi')))).rejects.toThrow(IngestRequestError);
    expect(writer.appended).toEqual([]);
  });

  it('stores the valid events of a send and names each rejected one by index and field', async () => {
    const ack = await service.ingest([comment('c-1', 'hello'), comment('c-2', ''), new UnparsableItem('line 3: not valid JSON'), comment('c-1', 'hello')]);
    expect(ack).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [
        { index: 1, id: 'c-2', error: 'text: must be 1–500 characters' },
        { index: 2, error: 'line 3: not valid JSON' },
      ],
    });
    expect(writer.appended[0]!.map((event) => event.id)).toEqual(['c-1', 'c-1']);
  });

  it('keeps a stream its first merchant: a stream.started naming another is rejected, in index order', async () => {
    await service.ingest([started('st-1', 's-1', 'm-a')]);
    const ack = await service.ingest([comment('c-1', 'hi'), started('st-2', 's-1', 'm-b'), started('st-3', 's-2', 'm-b'), started('st-4', 's-2', 'm-c')]);
    expect(ack.rejected).toEqual([
      { index: 1, id: 'st-2', error: 'merchantId: stream s-1 belongs to another merchant' },
      { index: 3, id: 'st-4', error: 'merchantId: stream s-2 belongs to another merchant' },
    ]);
    expect(ack.accepted).toBe(2);
    // One claim per stream, from its first stream.started in the send.
    expect(owners.claims[1]).toEqual([
      { streamId: 's-1', merchantId: 'm-b', eventId: 'st-2' },
      { streamId: 's-2', merchantId: 'm-b', eventId: 'st-3' },
    ]);
    expect(owners.owners.get('s-2')).toBe('m-b');
  });

  it('stores nothing and says retry when the owners cannot be read', async () => {
    owners.down = true;
    await expect(service.ingest([started('st-1', 's-1', 'm-a'), comment('c-1', 'hi')])).rejects.toThrow(StorageUnavailableError);
    expect(writer.appended).toEqual([]);
  });
});
