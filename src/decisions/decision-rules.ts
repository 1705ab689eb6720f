import { LogicEngine } from 'json-logic-engine';
import { DECISION_EVENT_TYPES, type DecisionEventType, type DecisionFeatures, FEATURE_NAMES } from './decision-features.js';

export const RULE_MODES = ['live', 'shadow'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** A rule as data (CONTRACT.md §7). */
export interface DecisionRule {
  id: string;
  description: string;
  appliesTo: DecisionEventType[];
  when: unknown;
  score: number;
  riskCode: string;
  mode: RuleMode;
  enabled: boolean;
  updatedAt: string;
}

/**
 * One engine for every rule: json-logic-engine compiles a condition to a
 * plain function once (at PUT and at load), so a decision runs each rule as
 * a function call, not a tree walk. Its default methods only: no custom
 * operator can reach the process.
 */
const engine = new LogicEngine();

/** Operators that read the data by name: their names must be catalogue features. */
const DATA_READERS = new Set(['var', 'val', 'missing', 'missing_some']);

export class RuleConditionError extends Error {}

/** Every feature name a condition reads; throws RuleConditionError on what is not a JSON Logic condition over the catalogue. */
export function checkCondition(condition: unknown): string[] {
  const names: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${path}[${index}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length !== 1) throw new RuleConditionError(`an operation is an object with exactly one operator, got ${keys.length} keys (at ${path})`);
    const operator = keys[0]!;
    if (!(operator in engine.methods)) throw new RuleConditionError(`unknown operator "${operator}" (at ${path})`);
    const args = (node as Record<string, unknown>)[operator];
    if (DATA_READERS.has(operator)) {
      const list = Array.isArray(args) ? args : [args];
      const named = operator === 'missing_some' ? (Array.isArray(list[1]) ? list[1] : []) : operator === 'missing' ? list : [list[0]];
      for (const name of named) {
        if (typeof name !== 'string') throw new RuleConditionError(`${operator} must name a feature as a literal string (at ${path})`);
        if (!FEATURE_NAMES.has(name)) throw new RuleConditionError(`unknown feature "${name}" (at ${path}; the catalogue: GET /v1/rules/features)`);
        names.push(name);
      }
      // A default value (var's second argument) may itself be an expression.
      if (operator === 'var' && Array.isArray(args)) args.slice(1).forEach((item, index) => visit(item, `${path}.var[${index + 1}]`));
      return;
    }
    visit(args, `${path}.${operator}`);
  };
  visit(condition, 'when');
  try {
    engine.build(condition);
  } catch (error) {
    throw new RuleConditionError(`does not compile as JSON Logic${error instanceof Error && error.message ? ` (${error.message})` : ''}`);
  }
  return names;
}

export type CompiledRule = DecisionRule & { test: (features: DecisionFeatures) => boolean };

export function compileRule(rule: DecisionRule): CompiledRule {
  const compiled = engine.build(rule.when) as (data: unknown) => unknown;
  return {
    ...rule,
    test: (features) => {
      try {
        return Boolean(compiled(features));
      } catch {
        // A condition that throws on some input (a division by null) does not match; it never fails the decision.
        return false;
      }
    },
  };
}

export function appliesTo(rule: DecisionRule, type: DecisionEventType): boolean {
  return rule.appliesTo.includes(type);
}

export { DECISION_EVENT_TYPES };
