import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { RequireAdmin } from '../platform/auth/auth.guard.js';
import { ReviewerOrAdminGuard } from '../platform/auth/reviewer-or-admin.guard.js';
import { storableText } from '../platform/validation/route-input.js';
import { DECISION_EVENT_TYPES, FEATURE_CATALOGUE, type FeatureDescription } from './decision-features.js';
import { checkCondition, type DecisionRule, RULE_MODES, RuleConditionError } from './decision-rules.js';
import type { RuleStats } from './decisions.repository.js';
import { riskCodeText } from './decisions.controller.js';
import { ListsAndRulesService } from './lists-and-rules.service.js';

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });

export const ruleParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: 'must be a rule id: letters, digits and . _ : -, up to 128' }),
});
export const ruleBody = z.object({
  description: storableText({ min: 1, max: 500 }),
  appliesTo: z
    .array(z.enum(DECISION_EVENT_TYPES, oneOf(DECISION_EVENT_TYPES)), { error: 'must be a list of decision event types' })
    .min(1, { error: 'must name at least one event type' })
    .max(DECISION_EVENT_TYPES.length),
  // z.unknown, not z.json: the latter is a recursive schema the API document generator cannot describe.
  when: z.unknown().superRefine((condition, context) => {
    if (condition === undefined) {
      context.addIssue({ code: 'custom', message: 'is required: a JSON Logic condition' });
      return;
    }
    try {
      checkCondition(condition);
    } catch (error) {
      if (!(error instanceof RuleConditionError)) throw error;
      context.addIssue({ code: 'custom', message: error.message });
    }
  }),
  score: z.number({ error: 'must be a number from 0 to 1' }).min(0).max(1),
  riskCode: riskCodeText,
  mode: z.enum(RULE_MODES, oneOf(RULE_MODES)),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
});

/**
 * Rules as data (CONTRACT.md §7): the operator (ADMIN_KEY) writes them;
 * reviewers may also read them and their stats (an extension), so the
 * console can show what a shadow rule would have done before it goes live.
 */
@Controller('v1/rules')
export class RulesController {
  constructor(private readonly rules: ListsAndRulesService) {}

  @Get()
  @UseGuards(ReviewerOrAdminGuard)
  async list(): Promise<{ items: DecisionRule[] }> {
    return { items: await this.rules.rules() };
  }

  /** The features a condition may name (`var`), with their types and sources. */
  @Get('features')
  @UseGuards(ReviewerOrAdminGuard)
  features(): { items: readonly FeatureDescription[] } {
    return { items: FEATURE_CATALOGUE };
  }

  @Get(':id')
  @UseGuards(ReviewerOrAdminGuard)
  get(@Param({ schema: ruleParams }) params: z.infer<typeof ruleParams>): Promise<DecisionRule> {
    return this.rules.rule(params.id);
  }

  @Put(':id')
  @RequireAdmin()
  put(@Param({ schema: ruleParams }) params: z.infer<typeof ruleParams>, @Body({ schema: ruleBody }) body: z.infer<typeof ruleBody>): Promise<DecisionRule> {
    return this.rules.putRule(params.id, body);
  }

  @Delete(':id')
  @RequireAdmin()
  @HttpCode(204)
  remove(@Param({ schema: ruleParams }) params: z.infer<typeof ruleParams>): Promise<void> {
    return this.rules.deleteRule(params.id);
  }

  /** How often the rule matched (live, shadow) and how those decisions ended. */
  @Get(':id/stats')
  @UseGuards(ReviewerOrAdminGuard)
  stats(@Param({ schema: ruleParams }) params: z.infer<typeof ruleParams>): Promise<RuleStats & { ruleId: string }> {
    return this.rules.ruleStats(params.id);
  }
}
