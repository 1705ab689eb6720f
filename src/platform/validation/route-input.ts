/**
 * The zod building blocks every route's path, query and body schema is made
 * of, so a value PostgreSQL cannot take is refused by field (400) before it
 * reaches SQL, the same discipline as the event schema. Each controller
 * exports its schemas (`*Params`, `*Query`, `*Body`) for an API description.
 */
import { BadRequestException, type StandardSchemaValidationPipeOptions } from '@nestjs/common';
import { z } from 'zod';
import { storableText } from './storable-text.js';

export { cappedString, isStorableText, storableText, UNSTORABLE_MESSAGE } from './storable-text.js';

type SchemaIssue = Parameters<NonNullable<StandardSchemaValidationPipeOptions['exceptionFactory']>>[0][number];

/** Ids of rooms, streams, accounts, merchants: 1–128 storable characters. */
export const identifier = storableText({ min: 1, max: 128 });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const uuid = (what: string) => z.string().regex(UUID, { error: `must be ${what} (a UUID)` });

/** PostgreSQL `integer` columns (report versions): past this the statement fails. */
export const PG_INT_MAX = 2_147_483_647;

/**
 * A date-time that PostgreSQL `timestamptz` and JS `Date` agree on: ISO 8601
 * with an offset, years 1970–9999 (year 0 does not exist in either calendar).
 */
export const boundedDateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset' })
  .refine(
    (text) => {
      const ms = Date.parse(text);
      return Number.isFinite(ms) && ms >= 0 && ms < Date.UTC(10_000, 0, 1);
    },
    { error: 'must be a date-time between 1970 and 9999' },
  );

/** The message of one standard-schema issue, prefixed by its field path. */
export function describeIssue(issue: SchemaIssue, fallbackField = 'body'): string {
  const field = issue.path?.map((part) => (typeof part === 'object' ? String(part.key) : String(part))).join('.') || fallbackField;
  return `${field}: ${issue.message}`;
}

/** The 400 the global validation pipe answers: every problem, each naming its field. */
export function validationError(issues: readonly SchemaIssue[]): BadRequestException {
  return new BadRequestException(issues.map((issue) => describeIssue(issue)).join('; '));
}
