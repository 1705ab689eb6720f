import { END, MIN, T0, ringOrder } from '../../../test/support/pipeline/order-ledger-fakes.js';
import { type Finding, findingKey } from '../../detection/engine/finding.js';
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

function stage(reported: string[] = [], standing: Finding[] = []) {
  const lookups: string[][] = [];
  const subject = new InflatedGmvStage({
    keysOf: (streamIds, kinds) => {
      expect(kinds).toEqual(['inflated_gmv']);
      lookups.push([...streamIds]);
      return Promise.resolve(new Set(reported));
    },
    standingFindingsOf: (streamIds, kinds) => {
      expect(kinds).toEqual(['inflated_gmv']);
      return Promise.resolve(standing.filter((finding) => streamIds.includes(finding.streamId!)));
    },
  });
  return { subject, lookups };
}

/** Honest orders, five of them paid only `paidAfter` after they were placed (pay after delivery; null: never). */
function payLater(paidAfter: number | null): OrderFact[] {
  return Array.from({ length: 10 }, (_, i) => {
    const order: OrderFact = { ...kept, orderId: `later-${i}`, accountId: `buyer-${i}`, deviceId: `own-${i}`, addressHash: `home-${i}`, placedAt: END - 30 * MIN + i * MIN };
    if (i < 5) return { ...order, paidAt: order.placedAt! + 10_000 };
    return paidAfter === null ? { ...order, paidAt: null, paidAmount: 0 } : { ...order, paidAt: order.placedAt! + paidAfter };
  });
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

  it('stands a stored report down once the orders it was missing are paid after all, and leaves a report that still holds', async () => {
    const claim = { gmv: 10 * 39_900, orders: 10, claimedAt: END };
    const judgedUnpaid = (knownThrough: number) => {
      const judgement = judged(payLater(null), claim);
      judgement.input.facts.knownThrough = knownThrough;
      return judgement;
    };
    // An hour after the claim five carts are still unpaid: the claim counted them.
    const early = context([judgedUnpaid(END + 60 * MIN)]);
    await stage().subject.run(early);
    expect(early.findings).toHaveLength(1);
    const stored = early.findings[0]!;

    // Still unpaid at the next judgement: the stored report stands, nothing is stood down.
    const still = context([judgedUnpaid(END + 90 * MIN)]);
    await stage([findingKey(stored)], [stored]).subject.run(still);
    expect(still.findings.map((finding) => finding.evidence.stoodDown)).toEqual([undefined]);

    // Paid two hours after they were placed (pay after delivery): the claim is what those orders came to.
    const paid = judged(payLater(2 * 60 * MIN), claim);
    paid.input.facts.knownThrough = END + 3 * 60 * MIN;
    const later = context([paid]);
    await stage([findingKey(stored)], [stored]).subject.run(later);
    expect(later.findings).toHaveLength(1);
    expect(later.findings[0]).toMatchObject({ kind: 'inflated_gmv', streamId: 'st-1', score: 0.1, severity: 'low', detectedAt: stored.detectedAt });
    // What cleared it, beside what it read: all ten orders paid, the claim what they came to.
    expect(later.findings[0]!.evidence).toMatchObject({
      stoodDown: { at: END + 3 * 60 * MIN, claimed: 10 * 39_900, claimedOrders: { paid: 10 * 39_900, net: 10 * 39_900 }, paidAfterWindow: { orders: 5 } },
    });
    expect(later.findings[0]!.summary).toMatch(/^No longer holds: .* It read: The room claimed GMV/);
  });

  it('needs the refund-brushing stage before it', async () => {
    await expect(stage().subject.run(new BatchContext([]))).rejects.toThrow('the refund brushing stage must run first');
  });
});
