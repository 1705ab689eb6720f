import { NotFoundException } from '@nestjs/common';
import { InMemoryListsAndRules } from '../../test/support/decisions/lists-and-rules-fake.js';
import type { AppConfig } from '../platform/config/config.js';
import { DecisionState } from './decision-state.js';
import type { DecisionsRepository, RuleStats } from './decisions.repository.js';
import type { ListsAndRulesRepository } from './lists-and-rules.repository.js';
import { ListsAndRulesService } from './lists-and-rules.service.js';

const config = { DECISION_REVIEW_SCORE: 0.4, DECISION_REJECT_SCORE: 0.8, DECISION_COMBINE: '', DECISIONS_BLOCK_CONFIRMED: false } as AppConfig;
const rule = { description: 'bulk buys', appliesTo: ['order.placed' as const], when: { '>=': [{ var: 'event.quantity' }, 5] }, score: 0.5, riskCode: 'bulk_units', mode: 'live' as const, enabled: true };
const stats: RuleStats = { matched: { live: 3, shadow: 0 }, outcomes: { pass: 0, review: 3, reject: 0 }, matchedAccounts: 2, laterConfirmedAccounts: 1 };

function service() {
  const store = new InMemoryListsAndRules();
  const state = new DecisionState({} as never, {} as never, store as unknown as ListsAndRulesRepository, {} as never, {} as never, {} as never, config);
  const decisions = { ruleStats: () => Promise.resolve(stats) } as unknown as DecisionsRepository;
  return { store, state, subject: new ListsAndRulesService(store as unknown as ListsAndRulesRepository, decisions, state) };
}

describe('the lists and rules service', () => {
  it('adds an entry, audits it as the admin, and the decisions read it at once', async () => {
    const { store, state, subject } = service();
    const entry = await subject.putEntry({ list: 'block', type: 'account', value: 'reseller', scope: null, expiresAt: null, reason: 'resells' });
    expect(entry).toMatchObject({ list: 'block', value: 'reseller', createdBy: 'admin' });
    expect(store.auditRows).toEqual([expect.objectContaining({ actor: 'admin', action: 'list.put', target: 'block:account:reseller', before: null, after: entry })]);
    expect(state.lists.hits({ type: 'order.placed', accountId: 'reseller' } as never, null, Date.now()).map((hit) => hit.list)).toEqual(['block']);
  });

  it('replaces the reason and expiry of the same entry, keeping what it was in the audit', async () => {
    const { store, subject } = service();
    const first = await subject.putEntry({ list: 'gray', type: 'device', value: 'dev-1', scope: null, expiresAt: null, reason: 'first' });
    const second = await subject.putEntry({ list: 'gray', type: 'device', value: 'dev-1', scope: null, expiresAt: '2027-01-01T00:00:00.000Z', reason: 'second' });
    expect(second).toMatchObject({ id: first.id, reason: 'second', expiresAt: '2027-01-01T00:00:00.000Z' });
    expect(await subject.entries({ list: 'gray' })).toHaveLength(1);
    expect(store.auditRows[1]).toMatchObject({ before: first, after: second });
  });

  it('removes an entry with an audit row; an unknown id is 404 and audits nothing', async () => {
    const { store, state, subject } = service();
    const entry = await subject.putEntry({ list: 'block', type: 'account', value: 'reseller', scope: null, expiresAt: null, reason: null });
    await subject.deleteEntry(entry.id);
    expect(state.lists.hits({ type: 'order.placed', accountId: 'reseller' } as never, null, Date.now())).toEqual([]);
    expect(store.auditRows.map((row) => row.action)).toEqual(['list.put', 'list.delete']);
    await expect(subject.deleteEntry('nope')).rejects.toBeInstanceOf(NotFoundException);
    expect(store.auditRows).toHaveLength(2);
  });

  it('puts and deletes rules with their audit, compiling them for the decisions; a missing rule is 404', async () => {
    const { store, state, subject } = service();
    const put = await subject.putRule('bulk', rule);
    expect(put).toMatchObject({ id: 'bulk', riskCode: 'bulk_units' });
    expect(state.rules.map((compiled) => compiled.id)).toEqual(['bulk']);
    expect(await subject.ruleStats('bulk')).toEqual({ ruleId: 'bulk', ...stats });
    await subject.deleteRule('bulk');
    expect(state.rules).toEqual([]);
    expect(store.auditRows.map((row) => [row.action, row.target])).toEqual([
      ['rule.put', 'rule:bulk'],
      ['rule.delete', 'rule:bulk'],
    ]);
    await expect(subject.rule('bulk')).rejects.toBeInstanceOf(NotFoundException);
    await expect(subject.ruleStats('bulk')).rejects.toBeInstanceOf(NotFoundException);
    await expect(subject.deleteRule('bulk')).rejects.toBeInstanceOf(NotFoundException);
  });
});
