/**
 * Money crosses the wire as JSON numbers (CONTRACT.md §1: integer minor
 * units). PostgreSQL sums bigints into numeric, which pg hands over as text;
 * parsing that text through BigInt keeps it exact, and the range check makes
 * sure the number we answer is exactly the sum, not a rounded double.
 */
export function moneyFromSql(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const exact = BigInt(value);
  if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`money: ${exact} minor units is beyond the exact range of a JSON number`);
  }
  return Number(exact);
}

/**
 * Reads a sum that may lie past the exact range (a stream beyond the
 * documented bounds): the nearest double and whether that is the exact
 * figure, so a read route answers, and says so, instead of failing.
 */
export class CheckedMoney {
  readonly inexact: string[] = [];

  read(field: string, value: string | number | null | undefined): number {
    if (value === null || value === undefined) return 0;
    const exact = BigInt(value);
    if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) this.inexact.push(field);
    return Number(exact);
  }

  /** a − b, exact when both are exact and the difference is in range. */
  subtract(field: string, a: number, b: number): number {
    const difference = a - b;
    if (![a, b, difference].every(Number.isSafeInteger)) this.inexact.push(field);
    return difference;
  }
}

/**
 * numerator / denominator rounded half away from zero to `decimals` places,
 * computed on integers so the figure is reproducible to the last digit.
 * Null when the denominator is not positive (a ratio to nothing says nothing).
 */
export function exactRatio(numerator: number, denominator: number, decimals = 4): number | null {
  if (denominator <= 0) return null;
  const scale = 10n ** BigInt(decimals);
  const scaled = BigInt(numerator) * scale * 2n;
  const divisor = BigInt(denominator) * 2n;
  const half = BigInt(denominator);
  const rounded = scaled >= 0n ? (scaled + half) / divisor : -((-scaled + half) / divisor);
  return Number(rounded) / Number(scale);
}
