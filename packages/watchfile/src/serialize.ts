import type { z } from "zod";
import { canonicalize, compareText } from "./issues.js";
import { problemLevelSchema, stateSchema, watchFileSchema, watchSourceSchema } from "./schema.js";
import type { Problem, State, WatchFile } from "./schema.js";

/**
 * The watch file as text: keys in schema order, lists sorted, 2-space JSON, trailing
 * newline. The same content gives the same bytes whatever the order it was built in.
 * Throws a TypeError on a value that does not fit the schema (a programming error).
 */
export function serializeWatchFile(value: z.input<typeof watchFileSchema>): string {
  const file = canonicalize(watchFileSchema, conform(watchFileSchema, value, "watch file")) as WatchFile;
  file.watches = sortBy(file.watches, (entry) => [entry.vcs, entry.url, entry.revspec]);
  file.pinned = sortBy(file.pinned, (entry) => [entry.vcs, entry.url, entry.revspec, entry.why]);
  file.problems = sortProblems(file.problems);
  return render(file);
}

/** The merged state as text, with the same guarantees as `serializeWatchFile`. */
export function serializeState(value: z.input<typeof stateSchema>): string {
  // Sorting works on the canonical copy: fresh objects, keys in schema order (ties compare as JSON).
  const state = canonicalize(stateSchema, conform(stateSchema, value, "state")) as State;
  for (const poller of state.pollers) poller.branches = [...new Set(poller.branches)].sort(compareText);
  state.pollers = sortBy(state.pollers, (poller) => [poller.vcs, poller.url, poller.original]);
  for (const builder of Object.values(state.builders)) {
    for (const watch of builder.watches) watch.from = sortSources(watch.from);
    builder.watches = sortBy(builder.watches, (watch) => [watch.vcs, watch.url, watch.branch]);
  }
  state.problems = sortProblems(state.problems);
  return render(state);
}

function conform<T extends z.ZodType>(schema: T, value: unknown, noun: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new TypeError(`not a valid ${noun}: ${first?.path.join(".") ?? ""} ${first?.message ?? ""}`.trim());
  }
  return result.data;
}

// JSON.stringify escapes C0 controls but leaves these raw; no file we write carries them.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function render(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  return `${text.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

/** Sorts by the given keys; entries equal on them compare as JSON (computed only then). */
function sortBy<T>(items: readonly T[], keys: (item: T) => (string | number)[]): T[] {
  const decorated = items.map((item) => ({ item, keys: keys(item), json: undefined as string | undefined }));
  decorated.sort(
    (a, b) => compareKeys(a.keys, b.keys) || compareText((a.json ??= JSON.stringify(a.item)), (b.json ??= JSON.stringify(b.item))),
  );
  return decorated.map(({ item }) => item);
}

function compareKeys(a: (string | number)[], b: (string | number)[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index] ?? "";
    const right = b[index] ?? "";
    if (left === right) continue;
    if (typeof left === "number" && typeof right === "number") return left - right;
    return compareText(String(left), String(right));
  }
  return 0;
}

function sortProblems(problems: readonly Problem[]): Problem[] {
  const levels = problemLevelSchema.options;
  return sortBy(problems, (problem) => [
    problem.builder ?? "",
    problem.file ?? "",
    problem.line ?? -1,
    levels.indexOf(problem.level),
    problem.message,
  ]);
}

function sortSources(sources: readonly z.output<typeof watchSourceSchema>[]): z.output<typeof watchSourceSchema>[] {
  const order = watchSourceSchema.options;
  return [...new Set(sources)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
