import { InMemoryListsAndRules } from '../../test/support/decisions/lists-and-rules-fake.js';
import type { RoomEvent } from '../events/event.schema.js';
import type { AppendOutcome, EventLogWriter } from '../log/event-log.writer.js';
import { loadConfig } from '../platform/config/config.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { DecisionState } from './decision-state.js';
import type { DecisionRecord, DecisionsRepository, NewDecision } from './decisions.repository.js';
import { DecisionInputError, DecisionsService } from './decisions.service.js';
import type { ListsAndRulesRepository } from './lists-and-rules.repository.js';

const config = loadConfig({ ADMIN_KEY: 'k'.repeat(32) });
const T0 = Date.UTC(2026, 10, 11, 20);

const order = (over: Record<string, unknown> = {}) => ({
  id: 'order-1',
  type: 'order.placed',
  roomId: 'room-1',
  streamId: 'st-1',
  ts: T0,
  accountId: 'buyer-1',
  orderId: 'o-1',
  skuId: 'sku-1',
  quantity: 1,
  unitPrice: 990,
  listPrice: 1_990,
  currency: 'CNY',
  ...over,
});

/** The decisions table in memory: the first decision stored for an event id wins; every statement recorded. */
class FakeDecisions implements Pick<DecisionsRepository, 'insertMany' | 'find' | 'list'> {
  readonly rows = new Map<string, NewDecision>();
  readonly inserts: string[][] = [];

  insertMany(decisions: readonly NewDecision[]): Promise<Set<string>> {
    this.inserts.push(decisions.map((decision) => decision.answer.eventId));
    const stored = new Set<string>();
    for (const decision of decisions) {
      if (this.rows.has(decision.answer.eventId)) continue;
      this.rows.set(decision.answer.eventId, decision);
      stored.add(decision.answer.eventId);
    }
    return Promise.resolve(stored);
  }

  find(eventIds: readonly string[]): Promise<Map<string, DecisionRecord>> {
    return Promise.resolve(
      new Map(
        eventIds.flatMap((id) => {
          const row = this.rows.get(id);
          return row ? [[id, { ...row.answer, eventType: row.eventType, accountId: row.accountId, features: row.features }] as const] : [];
        }),
      ),
    );
  }

  list(): Promise<Array<DecisionRecord & { seq: number }>> {
    return Promise.resolve([]);
  }
}

async function service() {
  const lists = new InMemoryListsAndRules();
  const state = new DecisionState({} as never, {} as never, lists as unknown as ListsAndRulesRepository, {} as never, {} as never, {} as never, config);
  const appended: RoomEvent[][] = [];
  const writer = {
    append: (events: RoomEvent[]): Promise<AppendOutcome> => {
      appended.push(events);
      return Promise.resolve(events.map((_, i) => appended.length * 100 + i));
    },
  } as unknown as EventLogWriter;
  const decisions = new FakeDecisions();
  const metrics = new MetricsService(new StatusRegistry());
  const subject = new DecisionsService(state, writer, decisions as unknown as DecisionsRepository, metrics, config);
  const block = async (value: string) => {
    await lists.change((changes) => changes.upsertEntry({ list: 'block', type: 'account', value, scope: null, expiresAt: null, reason: 'resells every drop' }, 'admin'));
    await state.reload();
  };
  return { subject, appended, decisions, metrics, block, state };
}

describe('the decisions service', () => {
  it('refuses an event it does not decide naming `type`, and an invalid one naming the field', async () => {
    const { subject, appended } = await service();
    await expect(subject.decide({ id: 'like-1', type: 'like', roomId: 'r', streamId: 's', ts: T0, accountId: 'a', count: 1 })).rejects.toThrow(/^type: a decision is made for order\.placed/);
    await expect(subject.decide(order({ quantity: 0 }))).rejects.toBeInstanceOf(DecisionInputError);
    await expect(subject.decide(order({ quantity: 0 }))).rejects.toThrow(/quantity/);
    expect(appended).toEqual([]);
  });

  it('passes an ordinary order, storing the event and the decision with its features before answering, and times it', async () => {
    const { subject, appended, decisions, metrics } = await service();
    const answer = await subject.decide(order());
    expect(answer).toMatchObject({ eventId: 'order-1', decision: 'pass', score: 0, riskCodes: [] });
    expect(appended).toEqual([[expect.objectContaining({ id: 'order-1', type: 'order.placed' })]]);
    expect(decisions.rows.get('order-1')).toMatchObject({ answer, eventType: 'order.placed', accountId: 'buyer-1' });
    expect(await metrics.registry.getSingleMetricAsString('roomwatch_decision_seconds')).toMatch(/roomwatch_decision_seconds_count\{event_type="order.placed",decision="pass"\} 1/);
  });

  it('rejects a blocked account and names the list in its reasons', async () => {
    const { subject, block } = await service();
    await block('buyer-1');
    const answer = await subject.decide(order());
    expect(answer).toMatchObject({ decision: 'reject', riskCodes: ['blocklisted'] });
    expect(answer.reasons.join(' ')).toContain('resells every drop');
  });

  it('reads the account\'s standing: its reports and its reported ring', async () => {
    const { subject, decisions, state } = await service();
    state.standings.applyReport({ id: 'r-1', status: 'open', accounts: ['buyer-1', 'buyer-2'] });
    state.standings.applyReport({ id: 'r-2', status: 'open', accounts: ['buyer-1'] });
    state.standings.applyRing({ ringId: 'ring-abc', members: ['buyer-1', 'buyer-9'] });
    const answer = await subject.decide(order());
    expect(answer.riskCodes).toEqual(expect.arrayContaining(['reported_account', 'ring_member']));
    expect(decisions.rows.get('order-1')!.features.account).toMatchObject({ openReports: 2, confirmedReports: 0, ringId: 'ring-abc' });
  });

  it('answers a concurrent resend with the first answer, storing the event and the decision once', async () => {
    const { subject, appended, decisions } = await service();
    const [first, again] = await Promise.all([subject.decide(order()), subject.decide(order())]);
    expect(again).toEqual(first);
    expect(appended).toHaveLength(1);
    expect(decisions.inserts.flat()).toEqual(['order-1']);
  });

  it('answers a later resend with the decision stored first, not a new one', async () => {
    const { subject, decisions, block } = await service();
    const first = await subject.decide(order());
    // Since then the account was blocked: the stored answer still stands for this event id.
    await block('buyer-1');
    const resent = await subject.decide(order());
    expect(resent).toEqual(first);
    expect(decisions.rows.size).toBe(1);
  });

  it('stores decisions arriving together in fewer statements than requests', async () => {
    const { subject, decisions } = await service();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => subject.decide(order({ id: `order-${i}`, orderId: `o-${i}`, accountId: `buyer-${i}` }))));
    expect(answers.map((answer) => answer.eventId)).toEqual(Array.from({ length: 20 }, (_, i) => `order-${i}`));
    expect(decisions.rows.size).toBe(20);
    expect(decisions.inserts.length).toBeLessThan(20);
  });
});
