import { END, MIN, T0, ringOrder } from '../../../test/support/pipeline/order-ledger-fakes.js';
import { findingKey } from '../../detection/engine/finding.js';
import type { OrderFact, SalesClaimFact, StreamOrderInput } from '../../detection/ledger/order-facts.js';
import { judgeRefundBrushing } from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import { BatchContext } from '../stage.js';
import { InflatedGmvStage } from './inflated-gmv.stage.js';
import { ORDER_JUDGEMENTS } from './refund-brushing.stage.js';

const ring = Array.from({ length: 6 }, (_, i) => ringOrder(i));
/** An honest buyer's order, paid and kept. */
const kept: OrderFact = { ...ringOrder(9), orderId: 'kept', accountId: 'buyer', deviceId: 'own', addressHash: 'own', refunds: [] };

function judged(orders: OrderFact[], claim: SalesClaimFact | null, streamId = 'st-1') {
  const input: StreamOrderInput = {
    facts: { roomId: `room-of-${streamId}`, streamId, merchantId: 'm-1', startedAt: T0, endedAt: END, orders },
    history: [],
    claim,
  };
  return { input, brushing: judgeRefundBrushing(input.facts, input.history) };
}

function stage(reported: string[] = []) {
  const lookups: string[][] = [];
  const subject = new InflatedGmvStage({
    keysOf: (streamIds, kinds) => {
      expect(kinds).toEqual(['inflated_gmv']);
      lookups.push([...streamIds]);
      return Promise.resolve(new Set(reported));
    },
  });
  return { subject, lookups };
}

function context(judgements: ReturnType<typeof judged>[]): BatchContext {
  const context = new BatchContext([]);
  context.set(ORDER_JUDGEMENTS, judgements);
  return context;
}

describe('the inflated-GMV stage', () => {
  it('judges a claim with the brushers the refund-brushing stage found, dated when its counted orders came back', async () => {
    // The claim counts the ring's orders as sales: two of the seven refunded within the hour (END + 50 min) already make
    // the now view hold, before the ring itself is provable (END + 70 min).
    const run = context([judged([...ring, kept], { gmv: 7 * 39_900, orders: 7, claimedAt: END + 5 * MIN })]);
    await stage().subject.run(run);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]).toMatchObject({ kind: 'inflated_gmv', subjectType: 'room', streamId: 'st-1', detectedAt: END + 50 * MIN });
  });

  it('finds nothing in a claim the settled sales support, nor in a stream without a claim', async () => {
    const { subject, lookups } = stage();
    const run = context([judged([kept], { gmv: 39_900, orders: 1, claimedAt: END + 5 * MIN }), judged([...ring, kept], null, 'st-2')]);
    await subject.run(run);
    expect(run.findings).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it('keeps the first detectedAt of a claim that already has a report', async () => {
    const judgement = judged([...ring, kept], { gmv: 7 * 39_900, orders: 7, claimedAt: END + 5 * MIN });
    const first = context([judgement]);
    await stage().subject.run(first);
    const key = findingKey(first.findings[0]!);

    const again = context([judgement]);
    const { subject, lookups } = stage([key]);
    await subject.run(again);
    expect(lookups).toEqual([['st-1']]);
    expect(again.findings[0]!.detectedAt).not.toBe(END + 50 * MIN);
  });

  it('needs the refund-brushing stage before it', async () => {
    await expect(stage().subject.run(new BatchContext([]))).rejects.toThrow('the refund brushing stage must run first');
  });
});
