import type { OrderPaid, OrderPlaced, OrderRefunded, RoomEvent, SalesClaimed } from '../../events/event.schema.js';
import type { StreamClaim, StreamOwnerRepository } from '../../ingest/stream-owner.repository.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { Keyed, LedgerRepository } from './ledger.repository.js';
import { OrderLedger } from './order-ledger.js';

const T0 = 1_800_000_000_000;

/** What the ledger asked its repository to write, call by call. */
class RecordingLedgerRepository implements Pick<LedgerRepository, 'adoptOwnerless' | 'upsertPlaced' | 'upsertPaid' | 'insertRefunds' | 'upsertClaims'> {
  adopted: Array<Map<string, string>> = [];
  placed: Keyed<OrderPlaced>[][] = [];
  paid: Keyed<OrderPaid>[][] = [];
  refunds: Keyed<OrderRefunded>[][] = [];
  claims: SalesClaimed[][] = [];

  async adoptOwnerless(owners: ReadonlyMap<string, string>) {
    this.adopted.push(new Map(owners));
  }
  async upsertPlaced(placed: readonly Keyed<OrderPlaced>[]) {
    this.placed.push([...placed]);
  }
  async upsertPaid(paid: readonly Keyed<OrderPaid>[]) {
    this.paid.push([...paid]);
  }
  async insertRefunds(refunds: readonly Keyed<OrderRefunded>[]) {
    this.refunds.push([...refunds]);
  }
  async upsertClaims(claims: readonly SalesClaimed[]) {
    this.claims.push([...claims]);
  }
}

class FakeOwners implements Pick<StreamOwnerRepository, 'claim' | 'ownersOf'> {
  readonly owners = new Map<string, string>();
  claimed: StreamClaim[] = [];
  async claim(claims: readonly StreamClaim[]) {
    this.claimed.push(...claims);
    for (const claim of claims) if (!this.owners.has(claim.streamId)) this.owners.set(claim.streamId, claim.merchantId);
  }
  async ownersOf(streamIds: readonly string[]) {
    return new Map(streamIds.flatMap((id) => (this.owners.has(id) ? [[id, this.owners.get(id)!] as const] : [])));
  }
}

const common = { roomId: 'room-1', accountId: 'acct-1' };
const placed = (id: string, streamId: string, orderId: string, ts: number): OrderPlaced => ({
  ...common, id, type: 'order.placed', streamId, orderId, ts, skuId: 'sku-1', quantity: 1, unitPrice: 1000, listPrice: 1200, currency: 'CNY',
});
const paid = (id: string, streamId: string, orderId: string, ts: number, amount: number): OrderPaid => ({ ...common, id, type: 'order.paid', streamId, orderId, ts, amount });
const refunded = (id: string, streamId: string, orderId: string, ts: number): OrderRefunded => ({ ...common, id, type: 'order.refunded', streamId, orderId, ts, amount: 300 });
const claimed = (id: string, streamId: string, ts: number, gmv: number): SalesClaimed => ({ id, type: 'sales.claimed', roomId: 'room-1', streamId, ts, gmv, orders: 3 });
const committed = (events: RoomEvent[]): CommittedEvent[] => events.map((event, index) => ({ seq: index + 1, event }));

describe('OrderLedger', () => {
  let repository: RecordingLedgerRepository;
  let owners: FakeOwners;
  let ledger: OrderLedger;

  beforeEach(() => {
    repository = new RecordingLedgerRepository();
    owners = new FakeOwners();
    ledger = new OrderLedger(repository as unknown as LedgerRepository, owners as unknown as StreamOwnerRepository);
  });

  it('files orders under their stream merchant, and under the stream itself while the owner is unknown', async () => {
    owners.owners.set('s-1', 'm-a');
    await ledger.apply(committed([placed('p-1', 's-1', 'o-1', T0), placed('p-2', 's-9', 'o-1', T0)]));
    expect(repository.placed[0]!.map((p) => p.key)).toEqual([
      { merchantId: 'm-a', ownerlessStream: '', orderId: 'o-1' },
      { merchantId: '', ownerlessStream: 's-9', orderId: 'o-1' },
    ]);
    expect(repository.adopted).toEqual([new Map([['s-1', 'm-a']])]);
  });

  it('writes one row per order: the earliest placed, the latest paid; every refund; the latest claim per stream', async () => {
    owners.owners.set('s-1', 'm-a');
    const change = await ledger.apply(
      committed([
        placed('p-b', 's-1', 'o-1', T0 + 5),
        placed('p-a', 's-1', 'o-1', T0 + 5),
        placed('p-c', 's-1', 'o-1', T0 + 9),
        paid('pay-2', 's-1', 'o-1', T0 + 20, 900),
        paid('pay-1', 's-1', 'o-1', T0 + 10, 1000),
        refunded('r-1', 's-1', 'o-1', T0 + 30),
        refunded('r-2', 's-1', 'o-1', T0 + 31),
        claimed('cl-2', 's-1', T0 + 50, 9000),
        claimed('cl-1', 's-1', T0 + 40, 5000),
      ]),
    );
    expect(repository.placed[0]!.map((p) => p.event.id)).toEqual(['p-a']);
    expect(repository.paid[0]!.map((p) => p.event.id)).toEqual(['pay-2']);
    expect(repository.refunds[0]!.map((r) => r.event.id)).toEqual(['r-1', 'r-2']);
    expect(repository.claims[0]!.map((c) => c.id)).toEqual(['cl-2']);
    expect([...change.touchedStreams]).toEqual(['s-1']);
    expect([...change.trailingStreams]).toEqual(['s-1']);
  });

  it('claims a stream for its stream.started when ingest never did (a log older than the claims), first one winning', async () => {
    const started = (id: string, merchantId: string): RoomEvent => ({ id, type: 'stream.started', roomId: 'room-1', streamId: 's-2', ts: T0, merchantId });
    await ledger.apply(committed([started('st-1', 'm-a'), started('st-2', 'm-b'), placed('p-1', 's-2', 'o-1', T0 + 1)]));
    expect(owners.claimed).toEqual([{ streamId: 's-2', merchantId: 'm-a', eventId: 'st-1' }]);
    expect(repository.placed[0]![0]!.key).toEqual({ merchantId: 'm-a', ownerlessStream: '', orderId: 'o-1' });
  });

  it('asks for no owners and adopts nothing for a batch without orders or starts', async () => {
    const change = await ledger.apply(committed([{ id: 'c-1', type: 'comment', roomId: 'room-1', streamId: 's-1', accountId: 'a', ts: T0, text: 'hi' }]));
    expect(repository.adopted).toEqual([]);
    expect(repository.placed).toEqual([[]]);
    expect(change.touchedStreams.size).toBe(0);
  });
});
