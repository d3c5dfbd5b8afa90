/**
 * Scaling checks for the "bounded on every input" tests: the time of a run at n, 2n and 4n
 * units, judged per unit. Bounds are loose (a noisy 2-core machine): linear work passes,
 * quadratic work fails by 4n (per-unit time x4), exponential work fails at 2n already (the
 * check stops there rather than wait for 4n). Each size is timed a few times, best kept, and a
 * failing measurement is taken again (up to `attempts` times): the other test files share the two
 * cores, so one unlucky pause can look super-linear, while real super-linear work fails every time.
 */
import { performance } from "node:perf_hooks";

export interface ScalingOptions {
  /** Per-unit time at 2n and 4n may be at most this many times the per-unit time at n (default 3: quadratic work is 4x at 4n). */
  factor?: number;
  /** Whole measurements tried before the check fails (default 3). */
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
export async function expectLinear(label: string, n: number, prepare: (size: number) => (() => unknown) | Promise<() => unknown>, options: ScalingOptions = {}): Promise<ScalingResult> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await measureLinear(label, n, prepare, options);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

async function measureLinear(label: string, n: number, prepare: (size: number) => (() => unknown) | Promise<() => unknown>, options: ScalingOptions): Promise<ScalingResult> {
  const factor = options.factor ?? 3;
  const repeat = options.repeat ?? 3;
  const floor = options.floorMs ?? 10;
  const sizes: number[] = [];
  const times: number[] = [];
  // a warm-up run at n: the first run pays for compilation
  await (await prepare(n))();
  for (const size of [n, 2 * n, 4 * n]) {
    const work = await prepare(size);
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < repeat; run++) {
      const start = performance.now();
      await work();
      best = Math.min(best, performance.now() - start);
    }
    sizes.push(size);
    times.push(best);
    const base = Math.max(times[0]!, floor) / n;
    const perUnit = best / size;
    if (perUnit > factor * base) {
      const shown = sizes.map((s, i) => `${s}: ${times[i]!.toFixed(1)} ms`).join(", ");
      throw new Error(`${label}: not linear: ${shown} (per unit at ${size} is ${(perUnit / base).toFixed(1)}x the per unit at ${n}; allowed ${factor}x)`);
    }
  }
  return { sizes, times };
}
