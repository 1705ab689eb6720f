import { exactRatio, moneyFromSql } from './money.js';

describe('money', () => {
  it('reads PostgreSQL sums exactly and refuses what a JSON number cannot hold', () => {
    expect(moneyFromSql('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(moneyFromSql('-1500')).toBe(-1_500);
    expect(moneyFromSql(null)).toBe(0);
    expect(() => moneyFromSql('9007199254740992')).toThrow(RangeError);
  });

  it('rounds a ratio half away from zero on integers, and has none for a non-positive base', () => {
    expect(exactRatio(28_880, 23_880)).toBe(1.2094);
    expect(exactRatio(1, 3)).toBe(0.3333);
    expect(exactRatio(2, 3)).toBe(0.6667);
    expect(exactRatio(1, 20_000)).toBe(0.0001);
    expect(exactRatio(1, 80_000)).toBe(0);
    expect(exactRatio(-5, 4)).toBe(-1.25);
    expect(exactRatio(100, 0)).toBeNull();
    expect(exactRatio(100, -7)).toBeNull();
  });
});
