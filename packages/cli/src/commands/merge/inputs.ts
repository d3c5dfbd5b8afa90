// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import type { RunMergeOptions } from "@autowatch/merge";
import { quoteValue, readRegularFileSync, writeFileAtomicSync } from "@autowatch/watchfile/text";

/**
 * What a merge was run with, kept beside the state (`STATE.inputs`) so that `explain` can say
 * when its own flags would give another answer than the cron merge's. Beside the state, not in
 * it: the state's bytes are what Buildbot reads and what `--exit-code` compares.
 */
export interface MergeInputs {
  schema: "autowatch.inputs/1";
  manifests: string[];
  watchDir: string;
  rewrite: string[];
  rewriteFiles: string[];
  allowHosts: string[] | null;
  allowSchemes: string[] | null;
  maxBytes: number | null;
  maxEntries: number | null;
}

export function inputsFile(state: string): string {
  return `${state}.inputs`;
}

export function inputsOf(options: RunMergeOptions): MergeInputs {
  return {
    schema: "autowatch.inputs/1",
    manifests: Array.isArray(options.manifests) ? [...(options.manifests as string[])] : [],
    watchDir: options.watchDir,
    rewrite: [...(options.rewrite ?? [])],
    rewriteFiles: [...(options.rewriteFiles ?? [])],
    allowHosts: options.allowHosts ? [...options.allowHosts] : null,
    allowSchemes: options.allowSchemes ? [...options.allowSchemes] : null,
    maxBytes: options.maxBytes ?? null,
    maxEntries: options.maxEntries ?? null,
  };
}

/** Writes STATE.inputs (atomically) unless it already says the same. Best effort: the state is written. */
export function recordInputs(state: string, options: RunMergeOptions): void {
  const text = `${JSON.stringify(inputsOf(options), null, 2)}\n`;
  const file = inputsFile(state);
  // none yet, or not a file this can read (a FIFO would block a plain read): written anew
  const before = readRegularFileSync(file);
  if ("bytes" in before && before.bytes.toString("utf8") === text) return;
  try {
    writeFileAtomicSync(file, text, { fsync: false });
  } catch {
    // explain then only lacks this comparison
  }
}

const LABELS: Record<Exclude<keyof MergeInputs, "schema">, string> = {
  manifests: "--manifest",
  watchDir: "--watch-dir",
  rewrite: "--rewrite",
  rewriteFiles: "--rewrite-file",
  allowHosts: "--allow-host",
  allowSchemes: "--allow-scheme",
  maxBytes: "--max-bytes",
  maxEntries: "--max-entries",
};

/** Each input where `options` differ from those the state was merged with; empty when none recorded. */
export function inputDifferences(state: string, options: RunMergeOptions, show: (path: string) => string): string[] {
  let recorded: Partial<MergeInputs>;
  const read = readRegularFileSync(inputsFile(state));
  if (!("bytes" in read)) return [];
  try {
    recorded = JSON.parse(read.bytes.toString("utf8")) as Partial<MergeInputs>;
  } catch {
    return [];
  }
  if (recorded.schema !== "autowatch.inputs/1") return [];
  const mine = inputsOf(options);
  const paths = new Set<keyof MergeInputs>(["manifests", "watchDir", "rewriteFiles"]);
  const differences: string[] = [];
  for (const key of Object.keys(LABELS) as (keyof typeof LABELS)[]) {
    if (JSON.stringify(recorded[key] ?? null) === JSON.stringify(mine[key])) continue;
    const text = (value: unknown) => {
      if (value === null || value === undefined) return "(not given)";
      const items = Array.isArray(value) ? value : [value];
      return items.length === 0 ? "(none)" : items.map((item) => (paths.has(key) ? show(String(item)) : quoteValue(String(item)))).join(" ");
    };
    differences.push(`${LABELS[key]} is ${text(mine[key])} here, but the state was merged with ${text(recorded[key])}: this answer may not be the merge's`);
  }
  return differences;
}
