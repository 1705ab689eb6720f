/**
 * A bounded set of strings that is usually one value: the accounts on a
 * device, the addresses a device used, the accounts on a payment account.
 * Nearly every key of such an index carries exactly one value for the whole
 * stream (one phone, one account, one address), and a `Set` costs about
 * 200 bytes of heap even when it holds one string. So the index keeps the
 * string itself and turns it into a `Set` only when a second distinct value
 * arrives. Past `max` values the set stops growing: the figure is then
 * "many", and memory stays bounded whatever an attacker sends.
 */
export type Few = string | Set<string>;

/** `held` with `value` added (at most `max` values kept): the same `Set`, or a new value to store in its place. */
export function withFew(held: Few | undefined, value: string, max: number): Few {
  if (held === undefined) return value;
  if (typeof held === 'string') return held === value ? held : new Set([held, value]);
  if (held.size < max) held.add(value);
  return held;
}

/** The index's entry for `key` with `value` added (at most `max` values kept). */
export function addToFew(index: Map<string, Few>, key: string, value: string, max: number): void {
  const held = index.get(key);
  const next = withFew(held, value, max);
  if (next !== held) index.set(key, next);
}

/** How many distinct values the entry holds (0 for none). */
export function fewSize(held: Few | undefined): number {
  if (held === undefined) return 0;
  return typeof held === 'string' ? 1 : held.size;
}

/** The entry's values, in the order they arrived. */
export function fewValues(held: Few | undefined): string[] {
  if (held === undefined) return [];
  return typeof held === 'string' ? [held] : [...held];
}
