import { z } from 'zod';

// PostgreSQL text and jsonb refuse NUL and unpaired UTF-16 surrogates; such a
// value would fail its statement (500) or, in an ingest flush, every event in
// it. Shared by the event schema and every route's input schema (zod only).
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_MESSAGE = 'contains a NUL character or an unpaired surrogate';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * At most `max` characters (code points, as zod's `.max` counts them), refused
 * by UTF-16 length first: zod counts the code points of a string over its
 * maximum, a walk of the whole value, and a code point is at most two units,
 * so a string over twice the maximum is refused without being walked.
 */
export function cappedString(max: number, error = `must be at most ${max} characters`): z.ZodString {
  return z
    .string()
    .refine((text) => text.length <= max * 2, { error, abort: true })
    .max(max, { error, abort: true });
}

/** Text PostgreSQL can store, capped first so the scan is bounded. */
export function storableText(options: { min?: number; max: number }): z.ZodString {
  const min = options.min ?? 0;
  return cappedString(options.max)
    .min(min, { error: min <= 1 ? 'must not be empty' : `must be at least ${min} characters`, abort: true })
    .refine(isStorableText, { error: UNSTORABLE_MESSAGE });
}

