/**
 * A seeded pseudo-random source for the sandbox. Everything the generator draws comes from one of
 * these, so a seed reproduces a company exactly; `Math.random` would make every run a new company.
 */

/** A table that has at least one entry, so picking from it always yields a value. */
export type NonEmpty<T> = readonly [T, ...T[]];

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: NonEmpty<T>): T;
  /** Picks by each entry's `weight` (any positive scale). */
  weighted<T extends { weight: number }>(items: NonEmpty<T>): T;
  /** Replaces each `#` with a random digit. */
  digits(pattern: string): string;
  /** `count` distinct integers from `first..last` (fewer if the range is smaller), in random order. */
  sample(first: number, last: number, count: number): number[];
}

/** mulberry32: 32 bits of state, fast, and good enough for test data (not for anything secret). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: NonEmpty<T>): T => items[int(0, items.length - 1)] ?? items[0];

  return {
    next,
    int,
    pick,
    chance: (probability) => next() < probability,
    weighted(items) {
      const total = items.reduce((sum, item) => sum + item.weight, 0);
      let remaining = next() * total;
      for (const item of items) {
        remaining -= item.weight;
        if (remaining < 0) return item;
      }
      // Floating-point rounding can leave a sliver past the last weight.
      return items[items.length - 1] ?? items[0];
    },
    digits: (pattern) => pattern.replace(/#/g, () => String(int(0, 9))),
    sample(first, last, count) {
      const pool = Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);
      const taken = Math.min(count, pool.length);
      // A partial Fisher–Yates shuffle: only the first `taken` places need settling. Both indexes
      // are in range, which the index-access check cannot see.
      for (let i = 0; i < taken; i++) {
        const j = int(i, pool.length - 1);
        const [a, b] = [pool[i], pool[j]];
        if (a === undefined || b === undefined) continue;
        [pool[i], pool[j]] = [b, a];
      }
      return pool.slice(0, taken);
    },
  };
}
