import { STATE_SCHEMA_ID, type BuilderState, type Problem, type State } from "@autowatch/watchfile";
import { quoteValue, compareText, makeProblem, problemLine } from "@autowatch/watchfile/text";
import { BuilderContext, readNow, type FarmContext } from "./builder.js";
import { Checks, mixedKinds } from "./checks.js";
import { hash as oneShotHash } from "node:crypto";
import { PollerKinds } from "./pollers.js";
import { rememberRendering, renderCanonical, stateProblems } from "./state.js";
import { DEFAULT_POLICY, type BuilderDetail, type MergeFactory, type MergeInput, type MergeResult, type WatchFileInput } from "./types.js";

/** What the merge loop gathers, builder by builder. */
export interface Gathered {
  problems: Problem[];
  details: Map<string, BuilderDetail>;
  builders: [string, BuilderState][];
}

/**
 * The pure core: manifests' factories + watch files (+ last good watches) → merged state.
 * Never throws on bad input: every problem is data, and a failure while processing one
 * builder is contained to that builder.
 */
export function mergeFarm(input: MergeInput): MergeResult {
  const { farm, gathered, factories } = gatherBuilders(input);
  gathered.problems.push(...strayWatchFiles(input.watchFiles, factories));
  return assemble(gathered, farm);
}

/** Each builder merged (or taken as recalled), in the factories' order: what the state is assembled from. */
export function gatherBuilders(input: MergeInput): { farm: FarmContext; gathered: Gathered; factories: Map<string, MergeFactory> } {
  const policy = { ...DEFAULT_POLICY, ...input.policy };
  const rules = input.rules ?? [];
  const farm: FarmContext = {
    policy,
    checks: new Checks(policy, rules),
    stored: input.lastGood,
    lastGood: new Map(),
    today: input.now.toISOString().slice(0, 10),
    explain: input.explain ?? true,
  };
  const gathered: Gathered = { problems: [...(input.problems ?? [])], details: new Map(), builders: [] };
  const factories = firstOfEachName(input.factories);
  const { recalled, digests, onProgress } = input;
  let done = 0;
  for (const [name, factory] of factories) {
    if (onProgress !== undefined && (done++ & 255) === 0) onProgress(done - 1, factories.size);
    const known = recalled?.get(name);
    if (known) {
      record(gathered, known.detail, known.state);
      if (known.lastGood) farm.lastGood.set(name, known.lastGood);
    } else mergeBuilder(farm, gathered, factory, input.watchFiles.get(name), digests);
  }
  onProgress?.(factories.size, factories.size);
  return { farm, gathered, factories };
}

/** Only the first factory of a name counts (the manifest reader reports the others). */
function firstOfEachName(factories: readonly MergeFactory[]): Map<string, MergeFactory> {
  const byName = new Map<string, MergeFactory>();
  for (const factory of factories) if (!byName.has(factory.name)) byName.set(factory.name, factory);
  return byName;
}

/** Merges one builder into `gathered` (and notes the digest of the bytes it read, when asked). */
function mergeBuilder(
  farm: FarmContext,
  gathered: Gathered,
  factory: MergeFactory,
  given: WatchFileInput | undefined,
  digests: Map<string, string> | undefined,
): void {
  // read here, without a copy, and parsed before the next file is read
  if (factory.schedule && factory.autoWatch) given = readNow(given);
  if (digests && given && "bytes" in given) digests.set(factory.name, oneShotHash("sha256", given.bytes, "base64"));
  const context = new BuilderContext(farm, factory, given);
  let detail: BuilderDetail;
  try {
    detail = context.run();
  } catch (error) {
    // a bug must not cost the other builders: this one is reported and watches nothing new
    context.problem("error", "merge.internal", `internal error while merging this builder: ${quoteValue(error instanceof Error ? error.message : error)}`);
    detail = context.failed();
    // "": not to be taken again (the next merge tries this builder afresh)
    digests?.set(factory.name, "");
  }
  const state: BuilderState = { schedule: detail.schedule, autoWatch: detail.autoWatch, watches: detail.watches.map((watch) => farm.checks.stateWatch(watch)) };
  // only a scheduled builder has a scheduler to time
  if (detail.schedule && factory.treeStableTimer !== undefined) state.treeStableTimer = factory.treeStableTimer;
  record(gathered, detail, state);
}

function record(gathered: Gathered, detail: BuilderDetail, state: BuilderState): void {
  gathered.details.set(detail.name, detail);
  gathered.problems.push(...detail.problems);
  gathered.builders.push([detail.name, state]);
}

/** A watch file whose builder is in no manifest is reported, never merged. */
export function strayWatchFiles(watchFiles: ReadonlyMap<string, WatchFileInput>, factories: { has(name: string): boolean }): Problem[] {
  const problems: Problem[] = [];
  watchFiles.forEach((file, name) => {
    if (factories.has(name)) return;
    problems.push(
      makeProblem("warning", "merge.watchfile.orphan", `watch file for ${quoteValue(name)}, a builder in no manifest: ignored`, { file: file.file }),
    );
  });
  return problems;
}

/** The state from every builder's result: pollers tallied, problems sorted, rendered once. */
function assemble(gathered: Gathered, farm: FarmContext): MergeResult {
  const { builders, details, problems } = gathered;
  builders.sort((a, b) => compareText(a[0], b[0]));
  const kinds = new PollerKinds();
  for (const detail of details.values()) for (const watch of detail.watches) kinds.add(watch, detail.schedule);
  const pollers = kinds.pollers();
  const mixed = kinds.mixedUrls();
  if (mixed.length > 0) problems.push(...mixedKinds(details.values(), new Set(mixed)));
  const sorted = stateProblems(problems);
  // built in canonical key order and sorted: rendered once, for the fingerprint and the file
  const builderMap = Object.fromEntries(builders);
  const { lines, fingerprint } = renderCanonical(pollers, builderMap);
  const state: State = { schema: STATE_SCHEMA_ID, fingerprint, pollers, builders: builderMap, problems: sorted };
  rememberRendering(state, { ...lines, problems: sorted.map(problemLine) }, fingerprint);
  return { state, lastGood: farm.lastGood, problems: sorted, details };
}
