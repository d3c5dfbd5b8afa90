/**
 * Scaling checks for the "bounded on every input" tests: the time of a run at n, 2n and 4n
 * units, judged per unit. Bounds are loose (a noisy 2-core machine): linear work passes,
 * quadratic work fails by 4n (per-unit time x4), exponential work fails at 2n already (the
 * check stops there rather than wait for 4n). Each size is timed a few times, best kept; a failing
 * check is measured again (up to `attempts` times), each size keeping its best time over all
 * attempts: the other test files share the two cores, and one slow run at any size must not
 * decide, while more runs bring super-linear work no nearer to linear.
 */
import { performance } from "node:perf_hooks";
import { it } from "vitest";

export interface ScalingOptions {
  /** Per-unit time at 2n and 4n may be at most this many times the per-unit time at n (default 3: quadratic work is 4x at 4n). */
  factor?: number;
  /** Measurements of all sizes before the check fails (default 3); each size keeps its best time over all of them. */
  attempts?: number;
  /** Runs per size, the fastest kept (default 3). */
  repeat?: number;
  /** Per-unit times below this floor (ms per run) are raised to it, so that tiny timings are not judged (default 10). */
  floorMs?: number;
}

export interface ScalingResult {
  sizes: number[];
  /** Best time per size, ms. */
  times: number[];
}

/**
 * `prepare(size)` builds the input (not timed) and returns the work to time. Throws with the
 * measured numbers when the work is not linear.
 */
export async function expectLinear(
  label: string,
  n: number,
  prepare: (size: number) => (() => unknown) | Promise<() => unknown>,
  options: ScalingOptions = {},
): Promise<ScalingResult> {
  const factor = options.factor ?? 3;
  const repeat = options.repeat ?? 3;
  const floor = options.floorMs ?? 10;
  const attempts = options.attempts ?? 3;
  const sizes = [n, 2 * n, 4 * n];
  // best time per size over every attempt: more runs only bring each size nearer its true time
  const best = sizes.map(() => Number.POSITIVE_INFINITY);
  // a warm-up run at n: the first run pays for compilation
  await (
    await prepare(n)
  )();
  let failure = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    failure = "";
    for (const [index, size] of sizes.entries()) {
      const work = await prepare(size);
      for (let run = 0; run < repeat; run++) {
        const start = performance.now();
        await work();
        best[index] = Math.min(best[index]!, performance.now() - start);
      }
      const base = Math.max(best[0]!, floor) / n;
      const perUnit = best[index]! / size;
      if (perUnit > factor * base) {
        const shown = sizes
          .slice(0, index + 1)
          .map((s, i) => `${s}: ${best[i]!.toFixed(1)} ms`)
          .join(", ");
        failure = `${label}: not linear: ${shown} (per unit at ${size} is ${(perUnit / base).toFixed(1)}x the per unit at ${n}; allowed ${factor}x)`;
        break; // exponential work would take too long at the next size
      }
    }
    if (!failure) return { sizes, times: best };
  }
  throw new Error(failure);
}

/** The characters that make a backtracking pattern or a careless scan quadratic, where a reader meets them in runs. */
export const WORST_RUNS: readonly string[] = [" ", "\t", "$", "{", "%", "(", "["];

/**
 * One test per shape: `work` on a shape holding a run of each of `chars` (64 Ki characters,
 * then 2 and 4 times that) is linear. `work(text)` prepares, untimed; what it returns is timed.
 */
export function itIsLinearOnRuns(shapes: Record<string, (run: string) => string>, chars: readonly string[], work: (text: string) => () => unknown): void {
  for (const [shape, text] of Object.entries(shapes)) {
    it(`linear on runs of the worst characters ${shape}`, async () => {
      for (const char of chars) {
        await expectLinear(`${shape} (${JSON.stringify(char)})`, 64 * 1024, (size) => work(text(char.repeat(size))), { repeat: 2 });
      }
    });
  }
}
