import { END, InMemoryLedger, MIN, ringOrder, streamRecord } from '../../../test/support/pipeline/order-ledger-fakes.js';
import { findingKey } from '../../detection/engine/finding.js';
import { judgeRefundBrushing } from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import type { RoomEvent } from '../../events/event.schema.js';
import type { LedgerChange } from '../../state/ledger/order-ledger.js';
import { type BatchStream, streamsOfBatch } from '../../state/streams/batch-streams.js';
import { BatchContext } from '../stage.js';
import { LEDGER_CHANGE } from './ledger.stage.js';
import { OrderFactsReader } from './order-facts.reader.js';
import { ORDER_JUDGEMENTS, RefundBrushingStage } from './refund-brushing.stage.js';
import { BATCH_STREAMS } from './streams.stage.js';

const ring = (streamEnd = END) => Array.from({ length: 6 }, (_, i) => ringOrder(i, streamEnd));

function stage(ledger: InMemoryLedger, reported: string[] = []) {
  const lookups: string[][] = [];
  const subject = new RefundBrushingStage(new OrderFactsReader(ledger, ledger), {
    keysOf: (streamIds, kinds) => {
      expect(kinds).toEqual(['refund_brushing']);
      lookups.push([...streamIds]);
      return Promise.resolve(new Set(reported));
    },
  });
  return { subject, lookups };
}

function context(change: Partial<LedgerChange>, batch: ReadonlyMap<string, BatchStream> = new Map()): BatchContext {
  const context = new BatchContext([]);
  context.set(LEDGER_CHANGE, { touchedStreams: new Set(), trailingStreams: new Set(), ...change });
  context.set(BATCH_STREAMS, batch);
  return context;
}

describe('the refund-brushing stage', () => {
  it('judges a touched stream whose end is known and dates each new finding at the refund that justified it', async () => {
    const ledger = new InMemoryLedger().addStream(streamRecord('st-1', END), ring());
    const run = context({ touchedStreams: new Set(['st-1']), trailingStreams: new Set(['st-1']) });
    await stage(ledger).subject.run(run);

    const room = run.findings.find((f) => f.subjectType === 'room')!;
    expect(room).toMatchObject({ kind: 'refund_brushing', streamId: 'st-1', detectedAt: END + 70 * MIN });
    expect(run.findings.find((f) => f.subjectId === 'ring-4')!.detectedAt).toBe(END + 110 * MIN);
    // Left for the inflated-GMV stage: the stream with who brushed it.
    expect(run.get(ORDER_JUDGEMENTS).map((j) => [j.input.facts.streamId, j.brushing.flaggedAccounts.length])).toEqual([['st-1', 6]]);
  });

  it('lets a live stream wait: without an end, a claim or a trailing refund there is nothing to judge yet', async () => {
    const ledger = new InMemoryLedger().addStream(streamRecord('st-1', null), ring());
    const run = context({ touchedStreams: new Set(['st-1']) });
    const { subject, lookups } = stage(ledger);
    await subject.run(run);
    expect(run.findings).toEqual([]);
    expect(run.get(ORDER_JUDGEMENTS)).toEqual([]);
    expect(ledger.ordersRead).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it('counts the stream.ended of the batch itself, read from the streams stage, before any row says so', async () => {
    const ledger = new InMemoryLedger().addStream(streamRecord('st-1', null), ring());
    const ended = { id: 'end', type: 'stream.ended', roomId: 'room-of-st-1', streamId: 'st-1', ts: END } as RoomEvent;
    const run = context({}, streamsOfBatch([{ seq: 9, event: ended }]));
    await stage(ledger).subject.run(run);
    expect(run.findings.find((f) => f.subjectType === 'room')).toMatchObject({ streamId: 'st-1', detectedAt: END + 70 * MIN });
  });

  it('keeps the first detectedAt of a finding that already has a report', async () => {
    const ledger = new InMemoryLedger().addStream(streamRecord('st-1', END), ring());
    const undated = judgeRefundBrushing((await new OrderFactsReader(ledger, ledger).facts(['st-1'], { rows: ledger.streams, claims: new Map() }, new Map()))[0]!, []);
    const roomKey = findingKey(undated.findings.find((f) => f.subjectType === 'room')!);
    const run = context({ touchedStreams: new Set(['st-1']) });
    await stage(ledger, [roomKey]).subject.run(run);
    const room = run.findings.find((f) => findingKey(f) === roomKey)!;
    expect(room.detectedAt).toBe(undated.findings.find((f) => f.subjectType === 'room')!.detectedAt);
    expect(room.detectedAt).not.toBe(END + 70 * MIN);
    // The accounts have no report yet: dated.
    expect(run.findings.find((f) => f.subjectId === 'ring-0')!.detectedAt).toBe(END + 70 * MIN);
  });

  it('re-judges the other streams in which the same accounts showed the pattern, once per batch', async () => {
    const earlierEnd = END - 2 * 24 * 60 * MIN;
    const ledger = new InMemoryLedger().addStream(streamRecord('st-1', END), ring()).addStream(streamRecord('st-0', earlierEnd, earlierEnd - 90 * MIN), ring(earlierEnd));
    const run = context({ touchedStreams: new Set(['st-1']) });
    const { subject, lookups } = stage(ledger);
    await subject.run(run);
    expect(run.get(ORDER_JUDGEMENTS).map((j) => j.input.facts.streamId)).toEqual(['st-1', 'st-0']);
    expect(ledger.ordersRead).toEqual([['st-1'], ['st-0']]);
    // The repeat in another room shows in both streams' verdicts.
    for (const judgement of run.get(ORDER_JUDGEMENTS)) {
      expect(judgement.brushing.accounts.find((a) => a.accountId === 'ring-0')!.crossRoom).not.toBeNull();
    }
    expect(lookups).toEqual([['st-1', 'st-0']]);
  });

  it("follows a studio's SIM and phones two hops into other streams, and weighs each by how many accounts used it", async () => {
    const earlierEnd = END - 3 * 24 * 60 * MIN;
    const studio = (account: string, streamEnd: number, ids: { deviceId: string; phoneHash: string; addressHash?: string }, i: number) => ({
      ...ringOrder(i, streamEnd),
      orderId: `${account}-${streamEnd}`,
      accountId: account,
      addressHash: 'locker-9',
      ip: `100.64.${i}.7`,
      subnet: `100.64.${i}.0/24`,
      ...ids,
    });
    // Here: two of its accounts on one SIM. Three days ago: one more on that SIM, on a phone that carries three more accounts.
    const here = [studio('s-a', END, { deviceId: 'p-a', phoneHash: 'sim-1' }, 0), studio('s-b', END, { deviceId: 'p-b', phoneHash: 'sim-1' }, 1)];
    const before = [
      studio('s-c', earlierEnd, { deviceId: 'p-c', phoneHash: 'sim-1' }, 0),
      ...['s-d', 's-e', 's-f'].map((account, i) =>
        studio(account, earlierEnd, { deviceId: 'p-c', phoneHash: 'sim-2', addressHash: 'locker-4' }, i + 1),
      ),
    ];
    // The locker carries the neighbourhood's parcels too.
    const neighbours = Array.from({ length: 30 }, (_, i) => ({ ...ringOrder(i, earlierEnd), orderId: `n-${i}`, accountId: `n-${i}`, deviceId: `n-dev-${i}`, phoneHash: `n-sim-${i}`, addressHash: 'locker-9', refunds: [] }));
    const ledger = new InMemoryLedger().addStream(streamRecord('st-1', END), here).addStream(streamRecord('st-0', earlierEnd, earlierEnd - 90 * MIN), [...before, ...neighbours]);
    const run = context({ touchedStreams: new Set(['st-1']) });
    await stage(ledger).subject.run(run);
    const judgement = run.get(ORDER_JUDGEMENTS).find((j) => j.input.facts.streamId === 'st-1')!;
    // s-d..s-f share nothing with this stream's accounts: they come with the second hop, through s-c's phone p-c.
    expect(judgement.input.history.filter((h) => h.streamId === 'st-0').map((h) => h.accountId).sort()).toEqual(['s-c', 's-d', 's-e', 's-f']);
    expect(Object.fromEntries(judgement.input.identifierUsers!)).toMatchObject({ 'phone:sim-1': 3, 'phone:sim-2': 3, 'device:p-c': 4, 'address:locker-9': 33 });
    expect(judgement.brushing.accounts.map((a) => [a.accountId, a.operator?.accounts])).toEqual([
      ['s-a', 6],
      ['s-b', 6],
    ]);
    expect(run.findings.find((f) => f.subjectType === 'room')).toMatchObject({ streamId: 'st-1', accounts: ['s-a', 's-b'] });
  });

  it('needs the ledger and streams stages before it', async () => {
    await expect(stage(new InMemoryLedger()).subject.run(new BatchContext([]))).rejects.toThrow('the ledger stage must run first');
  });
});
