import { Injectable, NotFoundException } from '@nestjs/common';
import type { ListEntry, ListEntryType, ListName } from './decision-lists.js';
import type { DecisionRule } from './decision-rules.js';
import { DecisionState } from './decision-state.js';
import { type DecisionFilter, DecisionsRepository, type RuleStats } from './decisions.repository.js';
import { type AuditEntry, type ListEntryInput, ListsAndRulesRepository, type RuleInput } from './lists-and-rules.repository.js';

/** Lists and rules are changed with the ADMIN_KEY only; the audit names it so. */
const ADMIN_ACTOR = 'admin';

/** The block, gray and allow lists and the rules as data: every change audited in its transaction, then live here at once. */
@Injectable()
export class ListsAndRulesService {
  constructor(
    private readonly store: ListsAndRulesRepository,
    private readonly decisions: DecisionsRepository,
    private readonly state: DecisionState,
  ) {}

  entries(filter: { list?: ListName; type?: ListEntryType; value?: string }): Promise<ListEntry[]> {
    return this.store.entries(filter);
  }

  /** Adds an entry, or replaces the reason and expiry of the same (list, type, value, scope). */
  async putEntry(input: ListEntryInput): Promise<ListEntry> {
    const entry = await this.store.change(async (changes) => {
      const { before, after } = await changes.upsertEntry(input, ADMIN_ACTOR);
      await changes.audit({ actor: ADMIN_ACTOR, action: 'list.put', target: `${input.list}:${input.type}:${input.value}`, before, after });
      return after;
    });
    await this.state.reload();
    return entry;
  }

  async deleteEntry(id: string): Promise<void> {
    await this.store.change(async (changes) => {
      const removed = await changes.deleteEntry(id);
      if (!removed) throw new NotFoundException(`list entry ${id} not found`);
      await changes.audit({ actor: ADMIN_ACTOR, action: 'list.delete', target: `${removed.list}:${removed.type}:${removed.value}`, before: removed, after: null });
    });
    await this.state.reload();
  }

  audit(limit: number, target?: string): Promise<AuditEntry[]> {
    return this.store.auditLog(limit, target);
  }

  async rule(id: string): Promise<DecisionRule> {
    const rule = await this.store.rule(id);
    if (!rule) throw new NotFoundException(`rule ${id} not found`);
    return rule;
  }

  rules(): Promise<DecisionRule[]> {
    return this.store.rules();
  }

  async putRule(id: string, input: RuleInput): Promise<DecisionRule> {
    const rule = await this.store.change(async (changes) => {
      const { before, after } = await changes.putRule(id, input);
      await changes.audit({ actor: ADMIN_ACTOR, action: 'rule.put', target: `rule:${id}`, before, after });
      return after;
    });
    await this.state.reload();
    return rule;
  }

  async deleteRule(id: string): Promise<void> {
    await this.store.change(async (changes) => {
      const removed = await changes.deleteRule(id);
      if (!removed) throw new NotFoundException(`rule ${id} not found`);
      await changes.audit({ actor: ADMIN_ACTOR, action: 'rule.delete', target: `rule:${id}`, before: removed, after: null });
    });
    await this.state.reload();
  }

  async ruleStats(id: string): Promise<RuleStats & { ruleId: string }> {
    await this.rule(id);
    return { ruleId: id, ...(await this.decisions.ruleStats(id)) };
  }
}

export type { DecisionFilter };
