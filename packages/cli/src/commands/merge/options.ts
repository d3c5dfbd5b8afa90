// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { resolve } from "node:path";
import type { RunMergeOptions } from "@autowatch/merge";
import type { CliContext } from "../../context.js";
import { duration } from "../../command.js";
import { UsageError } from "../../errors.js";

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new UsageError(`${name} must be a positive integer`);
  return number;
}

/** `--max-age` as commander parsed it, or as text from autowatch.ini (`max-age = 7d`). */
function maxAgeOption(value: unknown): RunMergeOptions["maxAge"] {
  if (value === undefined || typeof value === "object") return value as RunMergeOptions["maxAge"];
  try {
    return duration(String(value));
  } catch (error) {
    throw new UsageError(`max-age ${JSON.stringify(String(value))}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The options of `merge` and `explain` as runMerge takes them (paths resolved against the cwd). */
export function runMergeOptions(options: Record<string, unknown>, context: CliContext): RunMergeOptions {
  const absolute = (path: string) => resolve(context.cwd, path);
  const manifests = strings(options.manifest).map(absolute);
  if (manifests.length === 0) throw new UsageError("--manifest FILE is required (or `manifest[] = FILE` in autowatch.ini)");
  if (typeof options.watchDir !== "string") throw new UsageError("--watch-dir DIR is required (or `watch-dir = DIR` in autowatch.ini)");
  const result: RunMergeOptions = {
    manifests,
    watchDir: absolute(options.watchDir),
    rewrite: strings(options.rewrite),
    rewriteFiles: strings(options.rewriteFile).map(absolute),
  };
  // `-o -` is standard output: no file named "-", and no last-good store beside it
  if (typeof options.output === "string" && options.output !== "-") result.output = absolute(options.output);
  if (typeof options.lastGood === "string") result.lastGoodDir = absolute(options.lastGood);
  if (options.allowHost !== undefined) result.allowHosts = strings(options.allowHost);
  if (options.allowScheme !== undefined) result.allowSchemes = strings(options.allowScheme);
  const maxBytes = positive(options.maxBytes, "--max-bytes");
  const maxEntries = positive(options.maxEntries, "--max-entries");
  if (maxBytes !== undefined) result.maxBytes = maxBytes;
  if (maxEntries !== undefined) result.maxEntries = maxEntries;
  const maxAge = maxAgeOption(options.maxAge);
  if (maxAge !== undefined) result.maxAge = maxAge;
  return result;
}
