import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { RequireAdmin } from '../platform/auth/auth.guard.js';
import { ReviewerOrAdminGuard } from '../platform/auth/reviewer-or-admin.guard.js';
import { boundedDateTime, identifier, storableText, uuid } from '../platform/validation/route-input.js';
import { LIST_ENTRY_TYPES, LIST_NAMES, type ListEntry } from './decision-lists.js';
import type { AuditEntry } from './lists-and-rules.repository.js';
import { ListsAndRulesService } from './lists-and-rules.service.js';

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });

export const listEntryBody = z.object({
  list: z.enum(LIST_NAMES, oneOf(LIST_NAMES)),
  type: z.enum(LIST_ENTRY_TYPES, oneOf(LIST_ENTRY_TYPES)),
  value: identifier,
  scope: z
    .strictObject(
      { campaignId: identifier.optional(), merchantId: identifier.optional(), roomId: identifier.optional(), skuId: identifier.optional() },
      { error: 'must be an object of campaignId, merchantId, roomId, skuId' },
    )
    .nullable()
    .default(null)
    .transform((scope) => (scope && Object.keys(scope).length > 0 ? scope : null)),
  expiresAt: boundedDateTime.nullable().default(null),
  reason: storableText({ max: 500 }).nullable().default(null),
});
export const listQuery = z.object({
  list: z.enum(LIST_NAMES, oneOf(LIST_NAMES)).optional(),
  type: z.enum(LIST_ENTRY_TYPES, oneOf(LIST_ENTRY_TYPES)).optional(),
  value: identifier.optional(),
});
export const listEntryParams = z.object({ id: uuid('a list entry id') });
export const listAuditQuery = z.object({
  limit: z.coerce.number({ error: 'must be an integer from 1 to 500' }).int().min(1).max(500).default(100),
  /** Changes whose target starts with this: `block:`, `allow:account:acct-1`, `rule:`. */
  target: storableText({ max: 300 }).optional(),
});

/** The block, gray and allow lists (CONTRACT.md §7): the admin key changes them, reviewers read them. */
@Controller('v1/lists')
export class ListsController {
  constructor(private readonly lists: ListsAndRulesService) {}

  @Get()
  @UseGuards(ReviewerOrAdminGuard)
  async entries(@Query({ schema: listQuery }) query: z.infer<typeof listQuery>): Promise<{ items: ListEntry[] }> {
    return { items: await this.lists.entries(query) };
  }

  /** Every change of a list or a rule, newest first. */
  @Get('audit')
  @UseGuards(ReviewerOrAdminGuard)
  async audit(@Query({ schema: listAuditQuery }) query: z.infer<typeof listAuditQuery>): Promise<{ items: AuditEntry[] }> {
    return { items: await this.lists.audit(query.limit, query.target) };
  }

  /** Adds an entry, or replaces the reason and expiry of the same (list, type, value, scope). */
  @Post()
  @RequireAdmin()
  put(@Body({ schema: listEntryBody }) body: z.infer<typeof listEntryBody>): Promise<ListEntry> {
    return this.lists.putEntry(body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireAdmin()
  remove(@Param({ schema: listEntryParams }) params: z.infer<typeof listEntryParams>): Promise<void> {
    return this.lists.deleteEntry(params.id);
  }
}
