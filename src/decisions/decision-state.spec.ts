import type { AppConfig } from '../platform/config/config.js';
import type { ListEntry } from './decision-lists.js';
import { AUTO_BLOCK_ACTOR, DecisionState, decisionPolicy } from './decision-state.js';
import type { ListAndRuleChanges, ListsAndRulesRepository } from './lists-and-rules.repository.js';

const config = (over: Partial<AppConfig> = {}) => ({ DECISION_REVIEW_SCORE: 0.4, DECISION_REJECT_SCORE: 0.8, DECISION_COMBINE: '', DECISIONS_BLOCK_CONFIRMED: true, ...over }) as AppConfig;

describe('decision state', () => {
  it('reads the combine policy per event type, sum by default', () => {
    const policy = decisionPolicy(config({ DECISION_COMBINE: 'coupon.claimed=max,viewer.joined=max' }));
    expect(policy.combine).toEqual({ 'order.placed': 'sum', 'coupon.claimed': 'max', 'viewer.joined': 'max', 'account.registered': 'sum' });
    expect(policy).toMatchObject({ review: 0.4, reject: 0.8 });
  });

  it('DECISIONS_BLOCK_CONFIRMED blocks each confirmed account once, audited as the automatic actor', async () => {
    const entries: ListEntry[] = [{ id: 'e1', list: 'block', type: 'account', value: 'already', scope: null, expiresAt: null, reason: null, createdBy: 'admin', createdAt: '' }];
    const audits: Array<{ actor: string; target: string }> = [];
    const changes: ListAndRuleChanges = {
      async upsertEntry(input, actor) {
        const after: ListEntry = { id: `e${entries.length + 1}`, ...input, createdBy: actor, createdAt: '' };
        entries.push(after);
        return { before: null, after };
      },
      deleteEntry: () => Promise.resolve(null),
      putRule: () => Promise.reject(new Error('unused')),
      deleteRule: () => Promise.resolve(null),
      async audit(entry) {
        audits.push({ actor: entry.actor, target: entry.target });
      },
    };
    const store = {
      entries: async (filter: { list?: string; type?: string }) => entries.filter((entry) => entry.list === filter.list && entry.type === filter.type),
      liveEntries: async () => entries,
      rules: async () => [],
      change: async <T>(work: (c: ListAndRuleChanges) => Promise<T>) => work(changes),
    } as unknown as ListsAndRulesRepository;
    const reports = { confirmedAccounts: async () => [{ accountId: 'already', reportId: 'r1' }, { accountId: 'fresh', reportId: 'r2' }] };
    const state = new DecisionState({} as never, {} as never, store, reports as never, {} as never, {} as never, config());
    expect(await state.blockConfirmed()).toBe(1);
    expect(audits).toEqual([{ actor: AUTO_BLOCK_ACTOR, target: 'block:account:fresh' }]);
    expect(await state.blockConfirmed()).toBe(0);
  });
});
