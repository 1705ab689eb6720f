import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query, ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';
import { RequireRole } from '../platform/auth/auth.guard.js';
import { StorageUnavailableError } from '../log/event-log.writer.js';
import { identifier } from '../platform/validation/route-input.js';
import { DecisionInputError, DecisionsService } from './decisions.service.js';
import type { DecisionAnswer, DecisionRecord } from './decisions.repository.js';
import { DECISION_OUTCOMES } from './risk-scoring.js';

const oneOf = (values: readonly string[]) => ({ error: `must be one of ${values.join(', ')}` });
export const riskCodeText = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'must be a risk code: lower-case letters, digits and _, up to 64' });

export const decisionListQuery = z.object({
  accountId: identifier.optional(),
  decision: z.enum(DECISION_OUTCOMES, oneOf(DECISION_OUTCOMES)).optional(),
  riskCode: riskCodeText.optional(),
  limit: z.coerce.number({ error: 'must be an integer from 1 to 200' }).int().min(1).max(200).default(50),
  cursor: z.string().max(128).optional(),
});

export function encodeDecisionCursor(seq: number): string {
  return Buffer.from(JSON.stringify(['decisions', seq]), 'utf8').toString('base64url');
}

/** The seq of the cursor, or null when it is not one this API issued. */
export function decodeDecisionCursor(text: string): number | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== 'decisions') return null;
    const seq = parsed[1] as unknown;
    return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : null;
  } catch {
    return null;
  }
}

/** CONTRACT.md §7: a decision now, for one order, coupon claim, viewer join or sign-up. */
@Controller('v1/decisions')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Post()
  @HttpCode(200)
  @RequireRole('ingest')
  async decide(@Body() body: unknown): Promise<DecisionAnswer> {
    try {
      return await this.decisions.decide(body);
    } catch (error) {
      if (error instanceof DecisionInputError) throw new BadRequestException(error.message);
      if (error instanceof StorageUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }

  /** Stored decisions, newest first; `nextCursor` pages on. */
  @Get()
  @RequireRole('reviewer')
  async list(@Query({ schema: decisionListQuery }) query: z.infer<typeof decisionListQuery>): Promise<{ items: DecisionRecord[]; nextCursor: string | null }> {
    const { cursor: cursorText, ...filter } = query;
    const beforeSeq = cursorText === undefined ? undefined : decodeDecisionCursor(cursorText);
    if (beforeSeq === null) throw new BadRequestException('cursor: not a cursor from this API; pass nextCursor unchanged');
    const rows = await this.decisions.list({ ...filter, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ seq: _seq, ...record }) => record),
      nextCursor: rows.length === query.limit && last ? encodeDecisionCursor(last.seq) : null,
    };
  }
}
