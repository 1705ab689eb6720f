import { findingKey } from '../engine/finding.js';
import type { OrderFact, StreamOrderFacts } from './order-facts.js';
import { judgeInflatedGmvOfStream } from './inflated-gmv/inflated-gmv.detector.js';
import { type StreamJudge, dateFindings, judgeStreamOrders } from './order-verdicts.js';
import { judgeRefundBrushing } from './refund-brushing/refund-brushing.detector.js';

/** Both detectors at once, as tools judge a stream whole. */
const bothDetectors: StreamJudge = (known) => judgeStreamOrders(known).findings;

const T0 = 1_764_000_000_000;
const MIN = 60_000;
const END = T0 + 90 * MIN;

function ringOrder(i: number): OrderFact {
  const placedAt = T0 + 10 * MIN + i * MIN;
  return {
    orderId: `ring-order-${i}`,
    accountId: `ring-${i}`,
    deviceId: 'ring-phone',
    ip: `198.51.100.${i}`,
    subnet: '198.51.100.0/24',
    phoneHash: `sim-${i}`,
    addressHash: 'ring-address',
    skuId: 'sku-hero',
    quantity: 1,
    unitPrice: 39_900,
    listPrice: 39_900,
    placedAt,
    paidAt: placedAt + 10_000,
    paidAmount: 39_900,
    // One refund every 20 minutes from half an hour after the end.
    refunds: [{ amount: 39_900, at: END + 30 * MIN + i * 20 * MIN }],
  };
}

function facts(ring: number, refundedUpTo = Number.POSITIVE_INFINITY): StreamOrderFacts {
  const orders = Array.from({ length: ring }, (_, i) => ringOrder(i)).map((order) => ({
    ...order,
    refunds: order.refunds.filter((refund) => refund.at <= refundedUpTo),
  }));
  return { roomId: 'room-1', streamId: 'st-1', merchantId: 'm-1', startedAt: T0, endedAt: END, orders };
}

describe('dating order findings by event time', () => {
  it('dates each finding at the first refund that made the facts justify it', () => {
    const input = { facts: facts(6), history: [], claim: { gmv: 6 * 39_900, orders: 6, claimedAt: END + 5 * MIN } };
    const { findings } = judgeStreamOrders(input);
    const dated = dateFindings(input, findings, new Set(findings.map(findingKey)), bothDetectors);
    const at = (subjectType: string, subjectId: string, kind = 'refund_brushing') =>
      dated.find((f) => f.kind === kind && f.subjectType === subjectType && f.subjectId === subjectId)?.detectedAt;

    // A ring needs three refunders: the third refund (ring-2's) makes it.
    expect(at('room', 'room-1')).toBe(END + 70 * MIN);
    expect(at('account', 'ring-0')).toBe(END + 70 * MIN);
    expect(at('account', 'ring-4')).toBe(END + 110 * MIN);
    // The claim counted an order refunded half an hour after the end, a sixth of it: the now view convicts it at once.
    expect(at('room', 'room-1', 'inflated_gmv')).toBe(END + 30 * MIN);
  });

  it('gives the same dates whether the facts arrived in one piece or refund by refund', () => {
    const complete = { facts: facts(6), history: [], claim: null };
    const partial = { facts: facts(6, END + 75 * MIN), history: [], claim: null };
    const date = (input: typeof complete) => {
      const { findings } = judgeStreamOrders(input);
      const dated = dateFindings(input, findings, new Set(findings.map(findingKey)), bothDetectors);
      return dated.find((f) => f.subjectType === 'room')?.detectedAt;
    };
    expect(date(partial)).toBe(END + 70 * MIN);
    expect(date(complete)).toBe(END + 70 * MIN);
  });

  it('leaves findings that already have a report as they are', () => {
    const input = { facts: facts(4), history: [], claim: null };
    const { findings } = judgeStreamOrders(input);
    expect(dateFindings(input, findings, new Set(), bothDetectors)).toEqual(findings);
  });

  it('dates the findings of each detector alone exactly as both detectors together do', () => {
    const input = { facts: facts(6), history: [], claim: { gmv: 6 * 39_900, orders: 6, claimedAt: END + 5 * MIN } };
    const { brushing, findings } = judgeStreamOrders(input);
    const together = dateFindings(input, findings, new Set(findings.map(findingKey)), bothDetectors);

    const brushingAlone: StreamJudge = (known) => judgeRefundBrushing(known.facts, known.history).findings;
    const claimAlone: StreamJudge = (known) => {
      const finding = judgeInflatedGmvOfStream(known, judgeRefundBrushing(known.facts, known.history));
      return finding ? [finding] : [];
    };
    const gmv = judgeInflatedGmvOfStream(input, brushing);
    expect(gmv).not.toBeNull();
    const apart = [
      ...dateFindings(input, brushing.findings, new Set(brushing.findings.map(findingKey)), brushingAlone),
      ...dateFindings(input, [gmv!], new Set([findingKey(gmv!)]), claimAlone),
    ];
    expect(apart).toEqual(together);
  });
});
