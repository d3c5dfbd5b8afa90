// Small statistics helpers: every reported number is a median of several runs, and every
// comparison is a ratio of medians measured in the same run (absolute times are context only).

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: round(median(sorted)),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    runs: sorted.length,
  };
}

export function ratio(numerator, denominator) {
  return round(numerator / denominator, 3);
}

export function round(value, digits = 2) {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Runs each variant `runs` times, interleaved and in rotating order, after `warmup` unmeasured
 * rounds, so that load changes on a shared machine hit every variant alike.
 * Each variant is `{ name, run }` where `run()` returns (or resolves to) a sample: a duration
 * in ms, or any value the caller maps later. Returns `{ [name]: sample[] }`.
 */
export async function interleave(variants, { runs, warmup = 1 }) {
  const samples = Object.fromEntries(variants.map((variant) => [variant.name, []]));
  for (let round = -warmup; round < runs; round += 1) {
    const offset = ((round % variants.length) + variants.length) % variants.length;
    for (let index = 0; index < variants.length; index += 1) {
      const variant = variants[(index + offset) % variants.length];
      const duration = await variant.run();
      if (round >= 0) samples[variant.name].push(duration);
    }
  }
  return samples;
}

/** `{ms, cpuMs}` samples → medians of both. */
export function wallAndCpu(samples) {
  return { ms: summary(samples.map((sample) => sample.ms)), cpuMs: summary(samples.map((sample) => sample.cpuMs)) };
}

/** Times an async function in milliseconds. */
export async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}
