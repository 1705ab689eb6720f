import { Inject, Injectable } from '@nestjs/common';
import { type Finding, findingKey, stoodDownFinding } from '../../detection/engine/finding.js';
import { judgeInflatedGmvOfStream } from '../../detection/ledger/inflated-gmv/inflated-gmv.detector.js';
import { DEFAULT_ORDER_VERDICT_CONFIGS, type OrderVerdictConfigs, type StreamJudge, dateFindings } from '../../detection/ledger/order-verdicts.js';
import { judgeRefundBrushing } from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import { ReportRepository } from '../../reports/report.repository.js';
import type { BatchContext, LedgerDetectionStage } from '../stage.js';
import { ORDER_JUDGEMENTS, type OrderJudgement } from './refund-brushing.stage.js';

/**
 * Inflated GMV over every claimed stream the refund-brushing stage judged in
 * this batch: the claim against the sales settled by then, less the money of
 * the accounts caught brushing the stream. New findings are dated by event
 * time, the brushing verdict re-judged at each moment with them. A stream
 * whose stored report no longer holds (the carts it counted were paid after
 * all, late) gets its report stood down, dated by the stream's clock.
 */
@Injectable()
export class InflatedGmvStage implements LedgerDetectionStage {
  readonly kind = 'ledger-detection';
  readonly name = 'inflated GMV';
  private readonly configs: OrderVerdictConfigs = DEFAULT_ORDER_VERDICT_CONFIGS;
  private readonly judgeAt: StreamJudge = (known) => {
    const finding = judgeInflatedGmvOfStream(known, judgeRefundBrushing(known.facts, known.history, this.configs.refundBrushing, known.identifierUsers), this.configs.inflatedGmv);
    return finding ? [finding] : [];
  };

  constructor(@Inject(ReportRepository) private readonly reports: Pick<ReportRepository, 'keysOf' | 'standingFindingsOf'>) {}

  async run(context: BatchContext): Promise<void> {
    const judged = context.get(ORDER_JUDGEMENTS).filter(({ input }) => input.claim !== null);
    const found = judged.flatMap(({ input, brushing }) => {
      const finding = judgeInflatedGmvOfStream(input, brushing, this.configs.inflatedGmv);
      return finding ? [{ input, finding }] : [];
    });
    const cleared = judged.filter(({ input }) => !found.some((f) => f.input.facts.streamId === input.facts.streamId));
    if (cleared.length > 0) context.findings.push(...(await this.standDowns(cleared.map(({ input }) => input))));
    if (found.length === 0) return;
    const reported = await this.reports.keysOf(
      found.map(({ input }) => input.facts.streamId),
      ['inflated_gmv'],
    );
    context.findings.push(
      ...found.flatMap(({ input, finding }): Finding[] => {
        const undated = reported.has(findingKey(finding)) ? new Set<string>() : new Set([findingKey(finding)]);
        return dateFindings(input, [finding], undated, this.judgeAt, this.configs.maxTimelineSteps);
      }),
    );
  }

  /** The standing reports of streams whose claim is clean now, stood down. */
  private async standDowns(inputs: ReadonlyArray<OrderJudgement['input']>): Promise<Finding[]> {
    const standing = await this.reports.standingFindingsOf(
      inputs.map((input) => input.facts.streamId),
      ['inflated_gmv'],
    );
    return standing.map((previous) => {
      const input = inputs.find((candidate) => candidate.facts.streamId === previous.streamId)!;
      const at = input.facts.knownThrough ?? previous.detectedAt;
      return stoodDownFinding(
        previous,
        { at, reason: 'as its orders, payments and refunds stand now, the claim is what was settled (payments after the window included)' },
        'No longer holds: as the orders, payments and refunds stand now, the claim is what was settled (late payments included).',
      );
    });
  }
}
