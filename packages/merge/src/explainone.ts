import { lstatSync } from "node:fs";
import { join } from "node:path";
import { parseWatchFile, type PinnedEntry, type Problem } from "@autowatch/watchfile";
import { watchFileNameFor, closeNames } from "@autowatch/watchfile/text";
import { mergeFarm } from "./core.js";
import { mergeFactories } from "./factories.js";
import { explainBuilder, type Explanation } from "./explain.js";
import { factoryIndexFile, lookupFactory } from "./factoryindex.js";
import { loadLastGoodOf } from "./lastgood.js";
import { loadManifests, loadRules, policyOf, type RunMergeOptions } from "./run.js";
import { DEFAULT_POLICY, type WatchFileInput } from "./types.js";
import { checkWatchDir, readWatchFileSync } from "./watchdir.js";

/** `explain` for one builder: the merge's answer, and what the merge does not keep. */
export interface BuilderReport {
  explanation: Explanation;
  /** Sources the accepted watch file lists as pinned (not watched), each with why. */
  pinned: PinnedEntry[];
  /** When the builder's watch file was last written; undefined when there is none. */
  watchFileTime?: Date;
  /** Problems of the operator's inputs met on the way (rewrite rules, last-good store). */
  problems: Problem[];
  /**
   * Where the builder's manifest section came from: "state", STATE.factories as the last merge
   * parsed it (every manifest unchanged since); "merge", the manifests read and parsed again.
   */
  from: "state" | "merge";
}

/**
 * Merges one builder exactly as `runMerge` merges it, reading only what that builder needs:
 * every manifest is read but only its section (and parents) resolved, its own watch file, its
 * entry of the last-good store. Nothing is written. At 20,000 builders this costs a read of the
 * manifests' text instead of a whole merge. What depends on other builders (pollers, one URL
 * seen with two VCS kinds) is not computed: the state has it.
 */
export async function explainOne(
  options: RunMergeOptions,
  name: string,
  { index = true }: { /** Use STATE.factories when current (default). */ index?: boolean } = {},
): Promise<BuilderReport> {
  const paths = Array.isArray(options.manifests) ? (options.manifests as readonly string[]) : undefined;
  const indexed = index && paths && options.output !== undefined ? lookupFactory(factoryIndexFile(options.output), paths, name) : undefined;
  const from = indexed ? "state" : "merge";
  if (indexed && !indexed.found) return { explanation: { found: false, name, suggestions: closeNames(name, indexed.names) }, pinned: [], problems: [], from };
  const manifests = indexed ? indexed.manifests : await loadManifests(options.manifests, name);
  if (!manifests.factories.some((factory) => factory.name === name)) {
    // an unknown name: every section is resolved, for close names
    const all = await loadManifests(options.manifests);
    const names = all.factories.map((factory) => factory.name);
    return { explanation: { found: false, name, suggestions: closeNames(name, names) }, pinned: [], problems: [], from };
  }
  const { rules, problems: ruleProblems } = await loadRules(options);
  checkWatchDir(options.watchDir);
  const maxBytes = options.maxBytes ?? DEFAULT_POLICY.maxBytes;
  const maxEntries = options.maxEntries ?? DEFAULT_POLICY.maxEntries;
  const fileName = watchFileNameFor(name);
  const file = join(options.watchDir, fileName);
  // the same refusals as scanWatchDir's listing
  const input: WatchFileInput =
    fileName.includes("/") || fileName.includes("\u0000") || fileName.startsWith(".")
      ? { file, error: "builder name would escape the watch directory", code: "merge.watchfile.name" }
      : readWatchFileSync(file, maxBytes);
  const lastGoodDir = options.lastGoodDir ?? (options.output === undefined ? undefined : `${options.output}.lastgood`);
  const store = lastGoodDir === undefined ? undefined : loadLastGoodOf(lastGoodDir, name);
  const result = mergeFarm({
    factories: mergeFactories(manifests),
    watchFiles: new Map([[name, input]]),
    lastGood: store?.lastGood,
    rules,
    policy: policyOf(options),
    now: options.now ?? new Date(),
    problems: manifests.problems.filter((problem) => problem.builder === name),
    explain: true,
  });
  const explanation = explainBuilder(result, name);
  let pinned: PinnedEntry[] = [];
  if (explanation.found && explanation.builder.watchFile.status === "accepted" && "bytes" in input) {
    const parsed = parseWatchFile(input.bytes, { maxBytes, maxEntries, builder: name, file });
    if (parsed.ok) pinned = parsed.value.pinned;
  }
  let watchFileTime: Date | undefined;
  try {
    watchFileTime = lstatSync(file).mtime;
  } catch {
    watchFileTime = undefined;
  }
  return { explanation, pinned, ...(watchFileTime ? { watchFileTime } : {}), problems: [...ruleProblems, ...(store?.problems ?? [])], from };
}
