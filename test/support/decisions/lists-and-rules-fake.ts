import type { ListEntry } from '../../../src/decisions/decision-lists.js';
import type { DecisionRule } from '../../../src/decisions/decision-rules.js';
import type { AuditEntry, ListAndRuleChanges, ListsAndRulesRepository } from '../../../src/decisions/lists-and-rules.repository.js';

type Store = Pick<ListsAndRulesRepository, 'entries' | 'liveEntries' | 'rules' | 'rule' | 'auditLog' | 'change'>;

/**
 * The lists, rules and their audit in memory, as the repository keeps them:
 * one entry per (list, type, value, scope), a change and its audit row in
 * one transaction (a change that throws leaves nothing, its audit included).
 */
export class InMemoryListsAndRules implements Store {
  entryRows: ListEntry[] = [];
  ruleRows: DecisionRule[] = [];
  auditRows: AuditEntry[] = [];
  private nextId = 1;

  entries(filter: { list?: string; type?: string; value?: string } = {}): Promise<ListEntry[]> {
    return Promise.resolve(this.entryRows.filter((entry) => (filter.list === undefined || entry.list === filter.list) && (filter.type === undefined || entry.type === filter.type) && (filter.value === undefined || entry.value === filter.value)));
  }

  liveEntries(): Promise<ListEntry[]> {
    const now = Date.now();
    return Promise.resolve(this.entryRows.filter((entry) => entry.expiresAt === null || Date.parse(entry.expiresAt) > now));
  }

  rules(): Promise<DecisionRule[]> {
    return Promise.resolve([...this.ruleRows]);
  }

  rule(id: string): Promise<DecisionRule | null> {
    return Promise.resolve(this.ruleRows.find((rule) => rule.id === id) ?? null);
  }

  auditLog(limit: number, target?: string): Promise<AuditEntry[]> {
    return Promise.resolve(this.auditRows.filter((entry) => target === undefined || entry.target === target).reverse().slice(0, limit));
  }

  async change<T>(work: (changes: ListAndRuleChanges) => Promise<T>): Promise<T> {
    const saved = { entries: [...this.entryRows], rules: [...this.ruleRows], audit: [...this.auditRows] };
    try {
      return await work(this.changes());
    } catch (error) {
      this.entryRows = saved.entries;
      this.ruleRows = saved.rules;
      this.auditRows = saved.audit;
      throw error;
    }
  }

  private changes(): ListAndRuleChanges {
    const sameKey = (a: ListEntry, b: Pick<ListEntry, 'list' | 'type' | 'value' | 'scope'>) => a.list === b.list && a.type === b.type && a.value === b.value && JSON.stringify(a.scope) === JSON.stringify(b.scope);
    return {
      upsertEntry: (input, actor) => {
        const before = this.entryRows.find((entry) => sameKey(entry, input)) ?? null;
        const after: ListEntry = before ? { ...before, reason: input.reason, expiresAt: input.expiresAt } : { id: `entry-${this.nextId++}`, ...input, createdBy: actor, createdAt: new Date().toISOString() };
        this.entryRows = [...this.entryRows.filter((entry) => entry !== before), after];
        return Promise.resolve({ before, after });
      },
      deleteEntry: (id) => {
        const removed = this.entryRows.find((entry) => entry.id === id) ?? null;
        this.entryRows = this.entryRows.filter((entry) => entry.id !== id);
        return Promise.resolve(removed);
      },
      putRule: (id, input) => {
        const before = this.ruleRows.find((rule) => rule.id === id) ?? null;
        const after: DecisionRule = { id, ...input, updatedAt: new Date().toISOString() };
        this.ruleRows = [...this.ruleRows.filter((rule) => rule.id !== id), after];
        return Promise.resolve({ before, after });
      },
      deleteRule: (id) => {
        const removed = this.ruleRows.find((rule) => rule.id === id) ?? null;
        this.ruleRows = this.ruleRows.filter((rule) => rule.id !== id);
        return Promise.resolve(removed);
      },
      audit: (entry) => {
        this.auditRows.push({ ...entry, id: this.auditRows.length + 1, changedAt: new Date().toISOString() });
        return Promise.resolve();
      },
    };
  }
}
