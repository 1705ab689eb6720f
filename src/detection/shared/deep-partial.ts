/** A config override: any field at any depth may be left out. Arrays are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges an override onto defaults without mutating either. Unknown keys are
 * rejected so a misspelt threshold fails loudly instead of silently keeping
 * its default.
 */
export function mergeConfig<T extends object>(defaults: T, override: DeepPartial<T> | undefined, path = 'config'): T {
  if (override === undefined) return structuredClone(defaults);
  const result: Record<string, unknown> = structuredClone(defaults) as Record<string, unknown>;
  for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
    if (!(key in result)) throw new Error(`${path}.${key}: unknown setting`);
    if (value === undefined) continue;
    const current = result[key];
    if (isPlainObject(current) && isPlainObject(value)) {
      result[key] = mergeConfig(current, value as DeepPartial<typeof current>, `${path}.${key}`);
    } else {
      result[key] = value;
    }
  }
  return result as T;
}
