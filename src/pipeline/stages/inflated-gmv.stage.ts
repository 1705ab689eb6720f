import { Inject, Injectable } from '@nestjs/common';
import { type Finding, findingKey } from '../../detection/engine/finding.js';
import { type ClaimFigures, inflatedGmvVerdictOfStream, judgeInflatedGmvOfStream, stoodDownInflatedGmvFinding } from '../../detection/ledger/inflated-gmv/inflated-gmv.detector.js';
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
    const found: Array<{ input: OrderJudgement['input']; finding: Finding }> = [];
    const cleared: Array<{ input: OrderJudgement['input']; figures: ClaimFigures }> = [];
    for (const { input, brushing } of judged) {
      const verdict = inflatedGmvVerdictOfStream(input, brushing, this.configs.inflatedGmv);
      if (verdict?.finding) found.push({ input, finding: verdict.finding });
      else if (verdict) cleared.push({ input, figures: verdict.figures });
    }
    if (cleared.length > 0) context.findings.push(...(await this.standDowns(cleared)));
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

  /** The standing reports of streams whose claim is clean now, stood down with the figures that cleared them. */
  private async standDowns(cleared: ReadonlyArray<{ input: OrderJudgement['input']; figures: ClaimFigures }>): Promise<Finding[]> {
    const byStream = new Map(cleared.map((entry) => [entry.input.facts.streamId, entry]));
    const standing = await this.reports.standingFindingsOf([...byStream.keys()], ['inflated_gmv']);
    return standing.map((previous) => {
      const { input, figures } = byStream.get(previous.streamId!)!;
      return stoodDownInflatedGmvFinding(previous, figures, input.facts.knownThrough ?? previous.detectedAt);
    });
  }
}
