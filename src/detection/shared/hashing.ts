/** murmur3 finaliser with a per-function salt: cheap, well-mixed permutations of a 32-bit hash. */
export function mix32(value: number, salt: number): number {
  let h = (value ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
