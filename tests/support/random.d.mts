// Types for random.mjs, which the packages' seeded tests and the bench generators share.

export interface Seeded {
  /** The next number in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function seeded(seed: number): Seeded;
