import { Inject, Injectable } from '@nestjs/common';
import { type Finding, findingKey } from '../../detection/engine/finding.js';
import type { AccountHistoryOrder, StreamOrderFacts, StreamOrderInput } from '../../detection/ledger/order-facts.js';
import { DEFAULT_ORDER_VERDICT_CONFIGS, type OrderVerdictConfigs, type StreamJudge, dateFindings } from '../../detection/ledger/order-verdicts.js';
import {
  type RefundBrushingVerdict,
  judgeRefundBrushing,
  patternStreams,
  timingCandidates,
} from '../../detection/ledger/refund-brushing/refund-brushing.detector.js';
import { ReportRepository } from '../../reports/report.repository.js';
import { type BatchContext, ContextSlot, type LedgerDetectionStage } from '../stage.js';
import { LEDGER_CHANGE } from './ledger.stage.js';
import { OrderFactsReader, type StreamStanding, maxOf } from './order-facts.reader.js';
import { BATCH_STREAMS } from './streams.stage.js';

/** Other streams of the same accounts re-judged per batch at most (see run). */
const MAX_RELATED_STREAMS = 8;

/** One stream the ledger detectors judged in this batch: its facts and who brushed it. */
export interface OrderJudgement {
  input: StreamOrderInput;
  brushing: RefundBrushingVerdict;
}

/** The streams judged in this batch, for the inflated-GMV stage (a claim is judged with the brushers found). */
export const ORDER_JUDGEMENTS = new ContextSlot<readonly OrderJudgement[]>('order judgements', 'refund brushing');

/**
 * Refund brushing over every stream whose orders, claim or boundaries the
 * batch touched, once per batch, and over a few other streams of the
 * accounts it suspects (a pattern repeated there raises the cross-room
 * indication there too). A stream is judged once its end is known (refund
 * timing) or it has a claim; a refund or a claim may reveal that a stream
 * without stream.ended is over. New findings are dated by event time.
 */
@Injectable()
export class RefundBrushingStage implements LedgerDetectionStage {
  readonly kind = 'ledger-detection';
  readonly name = 'refund brushing';
  private readonly configs: OrderVerdictConfigs = DEFAULT_ORDER_VERDICT_CONFIGS;
  private readonly judgeAt: StreamJudge = (known) => judgeRefundBrushing(known.facts, known.history, this.configs.refundBrushing, known.identifierUsers).findings;

  constructor(
    @Inject(OrderFactsReader) private readonly reader: Pick<OrderFactsReader, 'standing' | 'facts' | 'history'>,
    @Inject(ReportRepository) private readonly reports: Pick<ReportRepository, 'keysOf'>,
  ) {}

  async run(context: BatchContext): Promise<void> {
    const change = context.get(LEDGER_CHANGE);
    const batch = context.get(BATCH_STREAMS);
    const touched = new Set(change.touchedStreams);
    for (const stream of batch.values()) if (stream.startedAt !== null || stream.endedAt !== null) touched.add(stream.streamId);
    const judgements: OrderJudgement[] = [];
    context.set(ORDER_JUDGEMENTS, judgements);
    if (touched.size === 0) return;
    const streamIds = [...touched].sort();
    const standing = await this.reader.standing(streamIds);
    const judged = streamIds.filter((id) => {
      const endedAt = maxOf(standing.rows.get(id)?.endedAt ?? null, batch.get(id)?.endedAt ?? null);
      return endedAt !== null || standing.claims.has(id) || change.trailingStreams.has(id);
    });
    if (judged.length === 0) return;
    const history = await this.judge(await this.reader.facts(judged, standing, batch), standing.claims, judgements);

    const related = patternStreams(history, new Set(judged), this.configs.refundBrushing).slice(0, MAX_RELATED_STREAMS);
    if (related.length > 0) {
      const relatedStanding = await this.reader.standing(related);
      await this.judge(await this.reader.facts(related, relatedStanding, new Map()), relatedStanding.claims, judgements);
    }
    context.findings.push(...(await this.dated(judgements)));
  }

  /** Judges the streams with their candidates' history, adding to `judgements`; returns that history. */
  private async judge(facts: StreamOrderFacts[], claims: StreamStanding['claims'], judgements: OrderJudgement[]): Promise<AccountHistoryOrder[]> {
    const candidates = facts.flatMap((stream) => timingCandidates(stream, this.configs.refundBrushing));
    const { history, identifierUsers } = await this.reader.history(facts, [...new Set(candidates)].sort());
    for (const stream of facts) {
      const input: StreamOrderInput = { facts: stream, history, identifierUsers, claim: claims.get(stream.streamId) ?? null };
      judgements.push({ input, brushing: judgeRefundBrushing(stream, history, this.configs.refundBrushing, identifierUsers) });
    }
    return history;
  }

  /** Findings with no report yet get the event time their facts first justified them; reported ones keep theirs. */
  private async dated(judgements: readonly OrderJudgement[]): Promise<Finding[]> {
    const found = judgements.filter((judgement) => judgement.brushing.findings.length > 0);
    const reported = await this.reports.keysOf(
      found.map((judgement) => judgement.input.facts.streamId),
      ['refund_brushing'],
    );
    return found.flatMap(({ input, brushing }) => {
      const undated = new Set(brushing.findings.map(findingKey).filter((key) => !reported.has(key)));
      return dateFindings(input, brushing.findings, undated, this.judgeAt, this.configs.maxTimelineSteps);
    });
  }
}
