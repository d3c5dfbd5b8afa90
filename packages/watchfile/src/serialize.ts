import type * as z from "zod";
import { compareProblems as compareProblemFields, compareText } from "./order.js";
import { STATE_SCHEMA_ID, builderStateSchema, stateSchema, watchFileSchema, watchSourceSchema } from "./schema.js";
import { stateLines, stateText } from "./statetext.js";
import { escapeJsonText } from "./quote.js";
import type { State, WatchFileProblem, WatchSource } from "./schema.js";

/**
 * The watch file as text: keys in schema order, lists sorted, 2-space JSON, trailing
 * newline. The same content gives the same bytes whatever the order it was built in.
 * Throws a TypeError on a value that does not fit the schema (a programming error).
 */
export function serializeWatchFile(value: z.input<typeof watchFileSchema>): string {
  // zod's output is a fresh copy, keys in schema order, unknown keys dropped: sorted in place.
  const file = conform(watchFileSchema, value, "watch file");
  file.watches.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.revspec, b.revspec) || asJson(a, b));
  file.pinned.sort(
    (a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.revspec, b.revspec) || compareText(a.why, b.why) || asJson(a, b),
  );
  file.problems.sort(compareProblems);
  return render(file);
}

/**
 * The merged state as text: sorted like `serializeWatchFile` sorts, compact JSON with one
 * poller, builder or problem per line (see `writeStateText`).
 */
export function serializeState(value: z.input<typeof stateSchema>): string {
  const state = conform(stateSchema, value, "state");
  // zod's record skips a "__proto__" key: that builder (a valid name) is conformed on its own
  if (Object.hasOwn(value.builders, "__proto__")) {
    const own = conform(builderStateSchema, (value.builders as Record<string, unknown>)["__proto__"], "state");
    Object.defineProperty(state.builders, "__proto__", { value: own, enumerable: true, writable: true, configurable: true });
  }
  for (const poller of state.pollers) poller.branches = [...new Set(poller.branches)].sort(compareText);
  state.pollers.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.original, b.original) || asJson(a, b));
  const builders: State["builders"] = {};
  for (const name of Object.keys(state.builders).sort(compareText)) {
    const builder = state.builders[name]!;
    for (const watch of builder.watches) watch.from = sortSources(watch.from);
    builder.watches.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.branch, b.branch) || asJson(a, b));
    // defineProperty only where assigning would not make an own field
    if (name === "__proto__") Object.defineProperty(builders, name, { value: builder, enumerable: true, writable: true, configurable: true });
    else builders[name] = builder;
  }
  state.builders = builders;
  state.problems.sort(compareProblems);
  return stateText(STATE_SCHEMA_ID, state.fingerprint, stateLines(state));
}

function conform<T extends z.ZodType>(schema: T, value: unknown, noun: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new TypeError(`not a valid ${noun}: ${first?.path.join(".") ?? ""} ${first?.message ?? ""}`.trim());
  }
  return result.data;
}

function render(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  // JSON.stringify escapes C0 controls but leaves some raw; no file we write carries them
  return `${escapeJsonText(text)}\n`;
}

/** Entries equal on their sort keys compare as JSON (rare: computed only then). */
function asJson(a: unknown, b: unknown): number {
  return compareText(JSON.stringify(a), JSON.stringify(b));
}

function compareProblems(a: WatchFileProblem, b: WatchFileProblem): number {
  return compareProblemFields(a, b) || asJson(a, b);
}

const SOURCES: readonly WatchSource[] = watchSourceSchema.options;

/** Each source once, in the order auto, manual, buildout. */
function sortSources(sources: WatchSource[]): WatchSource[] {
  if (sources.length === 1) return sources;
  return SOURCES.filter((source) => sources.includes(source));
}
