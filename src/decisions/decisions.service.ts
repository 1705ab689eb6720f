import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { validateEvent } from '../events/event.schema.js';
import { EventLogWriter } from '../log/event-log.writer.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { type DecisionEvent, DECISION_EVENT_TYPES, computeFeatures, isDecisionEvent } from './decision-features.js';
import { DecisionState } from './decision-state.js';
import { type DecisionAnswer, type DecisionFilter, type DecisionRecord, DecisionsRepository, type NewDecision, answerOf } from './decisions.repository.js';
import { decide } from './risk-scoring.js';

/** The request is not a decidable event; the message names the field. */
export class DecisionInputError extends Error {}

/**
 * Group work for the decisions' own pool: while one statement is in flight
 * the next requests queue, and go together in the next one (as the log
 * writer groups events), so the pool's two connections carry any rate.
 */
class Batched<I, O> {
  private queue: Array<{ input: I; resolve: (output: O) => void; reject: (error: Error) => void }> = [];
  private flushing = false;

  constructor(private readonly run: (inputs: I[]) => Promise<(input: I) => O>) {}

  submit(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        const outputOf = await this.run(batch.map((item) => item.input));
        for (const item of batch) item.resolve(outputOf(item.input));
      } catch (error) {
        for (const item of batch) item.reject(error as Error);
      }
    }
    this.flushing = false;
  }
}

/**
 * Real-time decisions (CONTRACT.md §7). The features are taken from memory
 * as the request arrives, so they hold everything committed before it; the
 * event is then stored through the log writer (durable, and folded into the
 * profiles on commit, so detection and later decisions see it) while the
 * decision is stored, both before the answer. A resend answers the stored
 * decision: the first decision stored for an event id is the one.
 */
@Injectable()
export class DecisionsService {
  private readonly inFlight = new Map<string, Promise<DecisionAnswer>>();
  /** Stores decisions; answers whether this one was stored (false: the id had one already). */
  private readonly saves: Batched<NewDecision, boolean>;

  constructor(
    private readonly state: DecisionState,
    private readonly writer: EventLogWriter,
    private readonly decisions: DecisionsRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.saves = new Batched(async (batch) => {
      const stored = await decisions.insertMany(batch);
      return (decision) => stored.has(decision.answer.eventId);
    });
  }

  /** Validates like ingest; a valid event of another type is refused naming `type`. */
  parse(payload: unknown): DecisionEvent {
    const result = validateEvent(payload);
    if (!result.ok) throw new DecisionInputError(result.error);
    if (!isDecisionEvent(result.event)) throw new DecisionInputError(`type: a decision is made for ${DECISION_EVENT_TYPES.join(', ')} only`);
    return result.event;
  }

  async decide(payload: unknown): Promise<DecisionAnswer> {
    const startedAt = performance.now();
    const event = this.parse(payload);
    if (this.config.DECISIONS_BENCH_BARE) return this.bare(event);
    // A resend while the first is being decided in this process waits for that one's answer.
    const pending = this.inFlight.get(event.id);
    if (pending) return pending;
    const work = this.decideOnce(event);
    this.inFlight.set(event.id, work);
    try {
      const answer = await work;
      this.metrics.decisionSeconds.observe({ event_type: event.type, decision: answer.decision }, MetricsService.since(startedAt));
      return answer;
    } finally {
      this.inFlight.delete(event.id);
    }
  }

  list(filter: DecisionFilter): Promise<Array<DecisionRecord & { seq: number }>> {
    return this.decisions.list(filter);
  }

  private async decideOnce(event: DecisionEvent): Promise<DecisionAnswer> {
    // Made from what memory holds now, what was committed before this request, before anything is awaited.
    const decision = this.decideNow(event);
    // The event's commit (urgent: ahead of the ingest backlog) and the decision's run side by side; the answer
    // waits for both. A decision row whose event then failed to store is harmless: the sender was told to
    // retry, and the retry answers that decision.
    const [outcome, stored] = await Promise.all([this.writer.append([event], { urgent: true }), this.saves.submit(decision)]);
    this.metrics.ingestEvents.inc({ outcome: outcome[0] === null ? 'duplicate' : 'accepted' });
    if (stored) return decision.answer;
    // Decided before (a resend), or by another process first: the stored decision is the one.
    const winner = (await this.decisions.find([event.id])).get(event.id);
    return winner ? answerOf(winner) : decision.answer;
  }

  /** The features from memory (profiles, lists, account standings), scored against the rules. */
  private decideNow(event: DecisionEvent): NewDecision {
    const { profiles, policy } = this.state;
    const hits = this.state.lists.hits(event, profiles.merchantOf(event.streamId), Date.now());
    const lists = { block: hits.some((hit) => hit.list === 'block'), gray: hits.some((hit) => hit.list === 'gray'), allow: hits.some((hit) => hit.list === 'allow') };
    const features = computeFeatures(event, { profiles, standing: this.state.standings.standing(event.accountId), lists });
    const verdict = decide(features, hits, this.state.rules, policy);
    const answer: DecisionAnswer = { eventId: event.id, ...verdict, decidedAt: new Date().toISOString() };
    return { answer, eventType: event.type, accountId: event.accountId, features };
  }

  /**
   * The benchmark's ceiling (DECISIONS_BENCH_BARE): the event stored through
   * the same writer, a constant answered; no features, no decision row.
   */
  private async bare(event: DecisionEvent): Promise<DecisionAnswer> {
    await this.writer.append([event], { urgent: true });
    return { eventId: event.id, decision: 'pass', score: 0, riskCodes: [], reasons: [], rules: [], decidedAt: new Date().toISOString() };
  }
}
