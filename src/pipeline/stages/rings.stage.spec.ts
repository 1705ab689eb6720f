import { createHash } from 'node:crypto';
import { InMemoryRingGraph } from '../../../test/support/pipeline/ring-graph-fakes.js';
import type { Finding } from '../../detection/engine/finding.js';
import type { RoomEvent } from '../../events/event.schema.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { BatchContext } from '../stage.js';
import { RingsStage } from './rings.stage.js';

const T0 = Date.UTC(2026, 10, 11, 20);
const MIN = 60_000;

interface Kit {
  phone?: string;
  payment?: string;
  address?: string;
  device?: string;
  ip?: string;
}

let nextSeq = 1;

/** An order placed by `accountId` with this kit, committed at the next seq. */
function order(accountId: string, kit: Kit, ts: number): CommittedEvent {
  const event = {
    id: `o-${nextSeq}`,
    type: 'order.placed',
    streamId: 'st-1',
    roomId: 'room-1',
    ts,
    accountId,
    orderId: `order-${nextSeq}`,
    skuId: 'sku-1',
    quantity: 1,
    unitPrice: 9_900,
    listPrice: 9_900,
    deviceId: kit.device,
    ip: kit.ip,
    phoneHash: kit.phone,
    paymentAccountHash: kit.payment,
    addressHash: kit.address,
  } as RoomEvent;
  return { seq: nextSeq++, event };
}

/** Six accounts paying from one wallet with one phone number: an operator's crew (each pair shares two rare things). */
function crew(prefix: string, kit: Kit, from = T0): CommittedEvent[] {
  return Array.from({ length: 6 }, (_, i) => order(`${prefix}-${i}`, { ...kit, device: `${prefix}-handset-${i}` }, from + i * MIN));
}

/** A family: three accounts on one router and one address (linked, but of household size). */
function household(): CommittedEvent[] {
  return ['mum', 'dad', 'kid'].map((name, i) => order(`home-${name}`, { ip: '10.1.2.3', address: 'addr-home', device: `home-${name}-phone` }, T0 + i * MIN));
}

function stage(graph: InMemoryRingGraph): RingsStage {
  return new RingsStage(graph, { forAccounts: () => Promise.resolve(new Map()) }, { entriesOf: () => Promise.resolve([]) }, { catchesOf: () => Promise.resolve([]) });
}

async function run(subject: RingsStage, events: readonly CommittedEvent[], stored: readonly Finding[] = []): Promise<Finding[]> {
  const context = new BatchContext(events);
  context.findings.push(...stored);
  await subject.run(context);
  return context.findings.slice(stored.length);
}

describe('the rings stage', () => {
  beforeEach(() => {
    nextSeq = 1;
  });

  it('reports a crew tied many times over as one ring, and leaves a household of three alone', async () => {
    const graph = new InMemoryRingGraph();
    const findings = await run(stage(graph), [...crew('crew', { phone: 'ph-1', payment: 'wallet-1' }), ...household()]);

    expect(findings).toHaveLength(1);
    const [ring] = findings as [Finding];
    expect(ring).toMatchObject({ kind: 'account_ring', subjectType: 'ring', accounts: ['crew-0', 'crew-1', 'crew-2', 'crew-3', 'crew-4', 'crew-5'] });
    expect(ring.subjectId).toMatch(/^ring-[0-9a-f]{16}$/);
    expect(ring.evidence.signals).toEqual(['dense_links', 'shared_payment']);
    // Dated by event time: the last member tied.
    expect(ring.detectedAt).toBe(T0 + 5 * MIN);
    // The household is a linked set too, kept as a candidate ring, never reported.
    expect([...graph.ringsNow().values()]).toEqual(expect.arrayContaining([['home-dad', 'home-kid', 'home-mum']]));
    expect(graph.ringRows.get(ring.subjectId)).toMatchObject({ reported: true, members: 6 });
  });

  it('names a new ring after the first member of its first link in the log, whatever order the batch lists them in', async () => {
    // crew-0 and crew-1 are committed first (seqs 1 and 2), though by event time they order last.
    const events = crew('crew', { phone: 'ph-1', payment: 'wallet-1' }).map((committed, i) => ({ ...committed, event: { ...committed.event, ts: T0 + (5 - i) * MIN } }));
    const forward = await run(stage(new InMemoryRingGraph()), events);
    const backward = await run(stage(new InMemoryRingGraph()), [...events].reverse());
    expect(forward.map((finding) => finding.subjectId)).toEqual([`ring-${createHash('sha256').update('crew-0').digest('hex').slice(0, 16)}`]);
    expect(backward.map((finding) => finding.subjectId)).toEqual(forward.map((finding) => finding.subjectId));
  });

  it('names its rings alike however the log is cut into batches', async () => {
    // An account seen long before it joins a crew; a second, larger crew that
    // formed later; then a drop address and a handset pool merge the two.
    const events = [
      order('early', { phone: 'ph-early', device: 'early-phone' }, T0),
      ...crew('north', { phone: 'ph-n', payment: 'wallet-n' }, T0 + MIN),
      ...crew('south', { phone: 'ph-s', payment: 'wallet-s' }, T0 + 10 * MIN),
      order('south-6', { phone: 'ph-s', payment: 'wallet-s', device: 'south-handset-6' }, T0 + 20 * MIN),
      order('early', { phone: 'ph-n', payment: 'wallet-n', device: 'early-phone' }, T0 + 30 * MIN),
      ...[...Array.from({ length: 6 }, (_, i) => `north-${i}`), ...Array.from({ length: 7 }, (_, i) => `south-${i}`)].map((account, i) =>
        order(account, { address: 'drop-1', device: 'pool-handset' }, T0 + 40 * MIN + i),
      ),
    ];
    const ringsAfter = async (size: number): Promise<Map<string, string[]>> => {
      const graph = new InMemoryRingGraph();
      const subject = stage(graph);
      for (let i = 0; i < events.length; i += size) await run(subject, events.slice(i, i + size));
      return graph.ringsNow();
    };
    const whole = await ringsAfter(events.length);
    expect([...whole.values()].map((members) => members.length)).toEqual([14]);
    for (const size of [1, 3, 8]) expect(await ringsAfter(size)).toEqual(whole);
    // Named after the first link the log formed: north-0 and north-1 (early's first order linked it to nobody).
    expect([...whole.keys()]).toEqual([`ring-${createHash('sha256').update('north-0').digest('hex').slice(0, 16)}`]);
  });

  it('leaves the same rings and the same verdict when a batch runs again', async () => {
    const graph = new InMemoryRingGraph();
    const subject = stage(graph);
    const events = crew('crew', { phone: 'ph-1', payment: 'wallet-1' });
    const first = await run(subject, events);
    const rings = graph.ringsNow();
    const again = await run(subject, events);
    expect(again).toEqual(first);
    expect(graph.ringsNow()).toEqual(rings);
  });

  it('walks nothing when the batch ties no account to anything new', async () => {
    const graph = new InMemoryRingGraph();
    const subject = stage(graph);
    await run(subject, crew('crew', { phone: 'ph-1', payment: 'wallet-1' }));
    const walks = graph.walks;
    // A member ordering again with the same phone, wallet and handset: nothing moved.
    const findings = await run(subject, [order('crew-2', { phone: 'ph-1', payment: 'wallet-1', device: 'crew-handset-2' }, T0 + 30 * MIN)]);
    expect(findings).toEqual([]);
    expect(graph.walks).toBe(walks);
  });

  it('judges a ring again when one of its members is caught by another detector', async () => {
    const graph = new InMemoryRingGraph();
    const subject = stage(graph);
    await run(subject, crew('crew', { phone: 'ph-1', payment: 'wallet-1' }));
    const caught: Finding = {
      kind: 'refund_brushing',
      subjectType: 'account',
      subjectId: 'crew-3',
      roomId: 'room-1',
      streamId: 'st-1',
      score: 0.9,
      severity: 'high',
      summary: 'brushed',
      accounts: ['crew-3'],
      evidence: {},
      detectedAt: T0 + 90 * MIN,
    };
    const findings = await run(subject, [], [caught]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'account_ring', detectedAt: T0 + 90 * MIN });
  });

  it('stands a reported ring down when what its members shared turns out to be common', async () => {
    const graph = new InMemoryRingGraph();
    const subject = stage(graph);
    const [reported] = (await run(subject, crew('crew', { phone: 'ph-1', payment: 'wallet-1' }))) as [Finding];
    // 300 strangers turn up with the same phone hash (a shared virtual number): it weighs little now, and the wallet alone is one family.
    const strangers = Array.from({ length: 300 }, (_, i) => order(`stranger-${i}`, { phone: 'ph-1', device: `stranger-phone-${i}` }, T0 + 60 * MIN + i));
    const findings = await run(subject, strangers);

    expect(findings).toHaveLength(1);
    const [standDown] = findings as [Finding];
    expect(standDown).toMatchObject({ kind: 'account_ring', subjectId: reported.subjectId, score: 0.1, severity: 'low', accounts: reported.accounts });
    expect(standDown.evidence.stoodDown).toMatchObject({ membersLinked: 0, at: T0 + 60 * MIN + 299 });
    expect(graph.ringsNow().get(reported.subjectId)).toBeUndefined();
    expect([...graph.members.keys()].some((account) => account.startsWith('stranger-'))).toBe(false);
  });

  it('merges two reported rings a shared kit ties together, and re-sends the absorbed one pointing to the survivor', async () => {
    const graph = new InMemoryRingGraph();
    const subject = stage(graph);
    const [first] = (await run(subject, crew('north', { phone: 'ph-n', payment: 'wallet-n' }))) as [Finding];
    const [second] = (await run(subject, crew('south', { phone: 'ph-s', payment: 'wallet-s' }, T0 + 10 * MIN))) as [Finding];
    expect(second.subjectId).not.toBe(first.subjectId);

    // All twelve now ship to one drop address and order from one handset pool.
    const joined = [...Array.from({ length: 6 }, (_, i) => `north-${i}`), ...Array.from({ length: 6 }, (_, i) => `south-${i}`)].map((account, i) =>
      order(account, { address: 'drop-1', device: 'pool-handset' }, T0 + 40 * MIN + i),
    );
    const findings = await run(subject, joined);

    const survivor = findings.find((finding) => finding.evidence.mergedInto === undefined) as Finding;
    const absorbed = findings.find((finding) => finding.evidence.mergedInto !== undefined) as Finding;
    // The ring whose first link formed first survives.
    expect(survivor).toMatchObject({ subjectId: first.subjectId, accounts: joined.map(({ event }) => (event as { accountId: string }).accountId).sort() });
    expect(survivor.evidence.absorbed).toEqual([second.subjectId]);
    expect(absorbed).toMatchObject({ subjectId: second.subjectId, evidence: expect.objectContaining({ mergedInto: first.subjectId }) });
    expect(graph.ringRows.get(second.subjectId)).toMatchObject({ mergedInto: first.subjectId, members: 0 });
  });
});
