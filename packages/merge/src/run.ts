import type { ManifestResult } from "@autowatch/manifest";
import { type Problem, type State } from "@autowatch/watchfile";
import { MAX_CONFIG_BYTES, quoteValue, readRegularFileSync, writeFileAtomicSync } from "@autowatch/watchfile/text";
import { mergeFarm, strayWatchFiles } from "./core.js";
import { mergeFactories } from "./factories.js";
import { loadLastGood, type LastGoodStore } from "./lastgood.js";
import { parseRewriteFile, parseRewriteRule, type RewriteRule } from "./rewrite.js";
import { readStateEnds, readStateFingerprint, renderState, renderStatePieces, stateFileView } from "./state.js";
import { CacheSession, countsOf } from "./cache/session.js";
import { spliceMerge, type SpliceInput } from "./cache/splice.js";
import { DamagedTableError } from "./cache/table.js";
import { modifiedTimes, type BuilderCheck } from "./cache/plan.js";
import type { StateCounts } from "./cache/format.js";
import { digestOf, stampFile } from "./cache/files.js";
import { Checksum, checksumOf } from "./cache/checksum.js";
import { DEFAULT_POLICY, type LastGoodEntry, type MergeFactory, type MergePolicy, type MergeResult } from "./types.js";
import { scanWatchDir } from "./watchdir.js";
import { oldFiles } from "./stale.js";
import { MergeSetupError } from "./errors.js";
import { factoryIndexFile, stampManifests, writeFactoryIndex, type IndexHead } from "./factoryindex.js";

export { MergeSetupError };

export interface RunMergeOptions {
  /** MANIFEST.cfg paths, or manifests already parsed. */
  manifests: readonly string[] | ManifestResult;
  watchDir: string;
  /** State file; without it nothing is written and no last-good store is kept (unless `lastGoodDir`). */
  output?: string;
  /** Last-good store directory; default `<output>.lastgood` when `output` is given. */
  lastGoodDir?: string;
  /** `FROM=TO` rules, applied after those of `rewriteFiles`. */
  rewrite?: readonly string[];
  rewriteFiles?: readonly string[];
  allowHosts?: readonly string[];
  allowSchemes?: readonly string[];
  maxBytes?: number;
  maxEntries?: number;
  now?: Date;
  /** Write nothing (neither state nor last-good store): for `explain`. */
  readOnly?: boolean;
  /** Keep why each repository is watched, for `explainBuilder(result.result, …)` (default: `readOnly`). */
  explain?: boolean;
  /**
   * Report watch files not rewritten for longer than this (a warning each: the builder's
   * worker stopped building or uploading?). `text` is how the operator wrote it. Off by default.
   */
  maxAge?: { milliseconds: number; text: string };
  /**
   * Keep a cache beside the state (`STATE.cache`, default on when a state is written): the next
   * merge re-reads and merges again only the builders whose inputs changed.
   */
  cache?: boolean;
  /** @internal Tests only: the racy window of the cache, in ms (default 2 s). */
  racyWindowMs?: number;
  /** Told now and then how many builders are merged, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface RunMergeResult {
  state: State;
  stateText: string;
  /** The state's fingerprint (what Buildbot acts on: pollers and change filters), as `stateFingerprint` computes it. */
  fingerprint: string;
  /** Pollers or change filters differ from the previous state file (true when there was none). */
  changed: boolean;
  /** The state file holds this state (written now, or left as it was: the same bytes). */
  written: boolean;
  /** This merge wrote the state file (false: it was left as it was, with the same bytes). */
  rewritten: boolean;
  /** Builders whose earlier result the merge cache gave back (not merged again). */
  reused: number;
  /** What the merge's summary counts (without walking the state). */
  counts: StateCounts;
  problems: Problem[];
  result: MergeResult;
}

/**
 * The I/O edge: reads manifests, rewrite files, the watch directory and the last-good store,
 * merges, then writes the last-good store and the state, each file by atomic rename.
 * Bad watch files never make it throw; operator inputs that cannot be used do
 * (`MergeSetupError`, before anything is written): an unreadable manifest or one Python's
 * ConfigParser would refuse, a watch directory that cannot be listed, an unreadable rewrite
 * file. A state computed without them would unschedule builders.
 */
export async function runMerge(options: RunMergeOptions): Promise<RunMergeResult> {
  const now = options.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const { rules, problems: ruleProblems } = await loadRules(options);
  const policy = policyOf(options);
  const explain = options.explain ?? options.readOnly === true;
  const lastGoodDir = options.lastGoodDir ?? (options.output === undefined ? undefined : `${options.output}.lastgood`);
  const session = openCache(options, explain, lastGoodDir, policy, rules);
  // the problems no builder's merge makes; --max-age takes the times of the files the cache stat'ed
  const farmFrom = (names: string[], listing: Listing, modified?: ReadonlyMap<string, number>) =>
    farmOf(listing, names, ruleProblems, oldFiles(listing.watch.files, options.maxAge, now, modified));
  // a builder taken from the cache whose accepted watches someone asks for, after its last-good file changed
  const remerge = (farm: Farm) => (factory: MergeFactory) =>
    mergeFarm({ watchFiles: farm.watch.files, lastGood: farm.store?.lastGood, rules, policy, now, explain, factories: [factory] }).lastGood.get(factory.name)
      ?.watches ?? [];
  // manifests unchanged: the builders are the cache's, and when nothing else changed either, nothing is merged
  let farm: Farm | undefined;
  if (session?.read && options.output !== undefined && session.manifestsHold(factoryIndexFile(options.output))) {
    const names = session.read.check.builders.map((b) => b.name);
    const listing = listFarm(options, names, lastGoodDir);
    // every watch file stat'ed once, for all the cache's questions and --max-age's
    const checked = session.checkBuilders(listing.watch.files, policy.maxBytes, listing.store?.lastGood);
    farm = farmFrom(names, listing, options.maxAge && modifiedTimes(checked));
    const taken = await takenFromCache(session, options.output, farm, checked, { rules, policy, now, today, remerged: remerge(farm) }).catch(
      ignoreDamagedTable,
    );
    if (taken) return taken;
  }
  const cached = farm && session?.cachedManifests();
  const manifests: Manifests = cached ?? (await readFactories(options, session));
  if (!cached) {
    const names = manifests.factories.map((factory) => factory.name);
    farm = farmFrom(names, listFarm(options, names, lastGoodDir));
  }
  const { watch, store } = farm!;
  const plan = session?.planBuilders(manifests.factories, watch.files, policy.maxBytes, store?.lastGood, today, remerge(farm!));

  const result = mergeFarm({
    watchFiles: watch.files,
    rules,
    policy,
    now,
    explain,
    factories: manifests.factories,
    lastGood: session && store ? session.recording(store.lastGood) : store?.lastGood,
    problems: [...manifests.problems, ...farm!.problems],
    ...(plan ? { recalled: plan.recalled, digests: session!.readDigests } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // the previous state is not parsed: its fingerprint is at the head of the file
  const changed = options.output === undefined || readStateFingerprint(options.output) !== result.state.fingerprint;
  const write = !options.readOnly;
  if (write && store) await store.lastGood.save(result.lastGood, now);
  // written in pieces: the 40 MB text of a large farm is never held whole
  const rewritten = write && options.output !== undefined && writeState(options.output, result.state, session);
  if (manifests.parsed && manifests.head && options.output !== undefined) {
    const file = factoryIndexFile(options.output);
    writeFactoryIndex(file, manifests.head, manifests.parsed);
    session?.wroteFactories(file);
  }
  session?.finish(manifests.factories, result, store?.lastGood, farm!.globalKey, today);
  let stateText: string | undefined;
  return {
    state: result.state,
    // rendered on demand (--json, no -o): the same bytes as the file
    get stateText() {
      return (stateText ??= renderState(result.state));
    },
    fingerprint: result.state.fingerprint ?? "",
    changed,
    written: write && options.output !== undefined,
    rewritten,
    reused: plan?.recalled.size ?? 0,
    counts: countsOf(result.state),
    problems: result.problems,
    result,
  };
}

/** The builders to merge and the manifests' problems; `parsed` and `head` when the manifests were parsed. */
interface Manifests {
  factories: MergeFactory[];
  problems: Problem[];
  parsed?: ManifestResult;
  head?: IndexHead;
}

/** The watch files listed and the last-good store read, for these builders. */
interface Listing {
  watch: ReturnType<typeof scanWatchDir>;
  store: ReturnType<typeof loadLastGood> | undefined;
}

/** What a merge reads besides the manifests, for these builders. */
interface Farm extends Listing {
  /** The problems no builder's merge makes, and their digest (the cache compares it) with the strays'. */
  problems: Problem[];
  globalKey: string;
  /** The watch files of no builder in the manifests (their warnings). */
  strays: Problem[];
}

function listFarm(options: RunMergeOptions, names: string[], lastGoodDir: string | undefined): Listing {
  const watch = scanWatchDir(options.watchDir, names, options.maxBytes ?? DEFAULT_POLICY.maxBytes);
  return { watch, store: lastGoodDir === undefined ? undefined : loadLastGood(lastGoodDir) };
}

/** The farm with the problems no builder's merge makes: the rules', the listing's, the store's and the stale files'. */
function farmOf(listing: Listing, names: string[], ruleProblems: Problem[], stale: Problem[]): Farm {
  const { watch, store } = listing;
  const problems = [...ruleProblems, ...watch.problems, ...(store?.problems ?? []), ...stale];
  const strays = strayWatchFiles(watch.files, new Set(names));
  return { watch, store, problems, globalKey: digestOf(JSON.stringify([problems, strays])), strays };
}

/** A merge the cache answers: nothing changed (nothing is merged), or a few builders (spliced into the state as it is). */
async function takenFromCache(
  session: CacheSession,
  output: string,
  farm: Farm,
  checked: BuilderCheck,
  context: Pick<SpliceInput, "rules" | "policy" | "now" | "today" | "remerged">,
): Promise<RunMergeResult | undefined> {
  const store = farm.store?.lastGood;
  if (session.unchanged({ output, store, global: farm.globalKey, today: context.today, checked }))
    return unchangedResult(output, session, store, context.today, context.remerged);
  const { problems, globalKey, strays } = farm;
  return store && spliceMerge({ session, output, files: farm.watch.files, store, problems, globalKey, strays, checked, ...context });
}

/** A row of the cache's table that its checksum vouched for but is not a watch: the whole merge runs, without the cache's results. */
function ignoreDamagedTable(error: unknown): undefined {
  if (error instanceof DamagedTableError) return undefined;
  throw error;
}

/**
 * The result of a merge whose inputs are all unchanged: the state file as it is (read and
 * parsed only if asked for), its problems from its own text, and each builder's earlier result
 * rebuilt from the cache if someone asks for the merge's details.
 */
function unchangedResult(
  output: string,
  session: CacheSession,
  store: LastGoodStore | undefined,
  today: string,
  remerged: (factory: MergeFactory) => LastGoodEntry["watches"],
): RunMergeResult {
  const check = session.read!.check;
  // the problems are the file's last list: only its ends are read, the rest if asked for
  const ends = readStateEnds(output);
  const { problems } = ends;
  const file = stateFileView(output);
  let result: MergeResult | undefined;
  return {
    get state() {
      return file.state();
    },
    get stateText() {
      return file.text();
    },
    fingerprint: check.state!.fingerprint,
    changed: ends.fingerprint !== check.state!.fingerprint,
    written: true,
    rewritten: false,
    reused: check.builders.length,
    counts: check.state!.counts,
    problems,
    get result() {
      return (result ??= { ...session.recallAll(store, today, remerged), state: file.state(), problems });
    },
  };
}

/** The merge cache beside the state, for a merge that writes one and does not explain (reasons are not cached). */
function openCache(
  options: RunMergeOptions,
  explain: boolean,
  lastGoodDir: string | undefined,
  policy: MergePolicy,
  rules: RewriteRule[],
): CacheSession | undefined {
  if (options.cache === false || options.readOnly || explain || options.output === undefined || lastGoodDir === undefined || !Array.isArray(options.manifests))
    return undefined;
  return new CacheSession(
    { output: options.output, lastGoodDir, watchDir: options.watchDir, manifests: options.manifests as readonly string[], policy, rules },
    options.racyWindowMs,
  );
}

/**
 * The factories to merge: from the cache while the manifests and STATE.factories hold what it
 * says; else parsed (`parsed`, and the stamps STATE.factories is written with, when a state is written).
 */
async function readFactories(options: RunMergeOptions, session: CacheSession | undefined): Promise<Manifests> {
  const indexing = !options.readOnly && options.output !== undefined && Array.isArray(options.manifests);
  const paths = Array.isArray(options.manifests) ? (options.manifests as readonly string[]) : [];
  // stamped before they are read: a write after shows in the next stamp
  const before = paths.map((path) => stampFile(path, true));
  const stamps = indexing ? stampManifests(paths) : undefined;
  const digests = new Map<string, string>();
  const parsed = await loadManifests(options.manifests, undefined, (file, bytes) => {
    stamps?.onRead(file, bytes);
    digests.set(file, checksumOf(bytes));
  });
  session?.parsedManifests(before, digests, parsed);
  const head = stamps?.head();
  return { factories: mergeFactories(parsed), problems: parsed.problems, parsed, ...(head ? { head } : {}) };
}

/**
 * Writes the state by atomic rename (true), unless the cache knows the file already holds these
 * bytes (the same text identity, and the file vouched for by its stamp, or its digest when
 * the stamp is racy).
 */
function writeState(output: string, state: State, session: CacheSession | undefined): boolean {
  if (session?.stateHolds(output, state)) return false;
  const hash = session ? new Checksum() : undefined;
  writeFileAtomicSync(output, (piece) => renderStatePieces(state, piece), { onBytes: hash && ((bytes) => hash.update(bytes)) });
  if (session && hash) session.wroteState(output, state, hash.digest());
  return true;
}

/** The operator's policy for what workers send, defaults filled in. */
export function policyOf(options: RunMergeOptions): MergePolicy {
  return {
    allowHosts: [...(options.allowHosts ?? DEFAULT_POLICY.allowHosts)],
    allowSchemes: [...(options.allowSchemes ?? DEFAULT_POLICY.allowSchemes)],
    maxBytes: options.maxBytes ?? DEFAULT_POLICY.maxBytes,
    maxEntries: options.maxEntries ?? DEFAULT_POLICY.maxEntries,
  };
}

/** Reads the manifests (only one builder's section resolved with `only`); a lost manifest is a MergeSetupError. */
export async function loadManifests(
  manifests: RunMergeOptions["manifests"],
  only?: string,
  onRead?: (file: string, bytes: Uint8Array) => void,
): Promise<ManifestResult> {
  if (!Array.isArray(manifests)) return manifests as ManifestResult;
  const paths = manifests as readonly string[];
  // loaded when manifests are parsed: a merge the cache answers never needs the reader (8 ms to load)
  const { readManifests } = await import("@autowatch/manifest");
  const result = await readManifests([...paths], {
    ...(only === undefined ? {} : { only }),
    ...(onRead ? { onRead } : {}),
  });
  return checkManifests(result, paths);
}

/** A lost or refused manifest is a MergeSetupError; otherwise the parse as it is. */
function checkManifests(result: ManifestResult, paths: readonly string[]): ManifestResult {
  // a whole manifest lost (no line: unreadable, not UTF-8) would unschedule all its builders
  const lost = result.problems.find((p) => p.level === "error" && p.line === undefined && p.file !== undefined && paths.includes(p.file));
  if (lost) throw new MergeSetupError(`${lost.file}: ${lost.message}`);
  // Python's ConfigParser would raise on these: what the rest of the file means is a guess
  // (a header typo turns a builder into options of the section above), so nothing is merged;
  // likewise an inherit chain cut at the reader's limit (its builders would lose options)
  const refused = result.readErrors ?? [];
  if (refused.length > 0) {
    const files = [...new Set(refused.map((p) => p.file))];
    throw new MergeSetupError(
      `${files.length === 1 ? "a manifest" : `${files.length} manifests`} that Python's ConfigParser would refuse or that cannot be read whole (${refused.length} ${refused.length === 1 ? "error" : "errors"}): nothing written, the previous state and last-good store are kept`,
      refused,
    );
  }
  return result;
}

export async function loadRules(options: RunMergeOptions): Promise<{ rules: RewriteRule[]; problems: Problem[] }> {
  const rules: RewriteRule[] = [];
  const problems: Problem[] = [];
  for (const file of options.rewriteFiles ?? []) {
    // a regular file only, at most MAX_CONFIG_BYTES (a FIFO or device is refused without blocking)
    const read = readRegularFileSync(file, MAX_CONFIG_BYTES);
    if ("error" in read) throw new MergeSetupError(`cannot read rewrite file ${quoteValue(file)}: ${read.error}`);
    const text = read.bytes.toString("utf8");
    const parsed = parseRewriteFile(text, file);
    rules.push(...parsed.rules);
    problems.push(...parsed.problems);
  }
  for (const text of options.rewrite ?? []) {
    const rule = parseRewriteRule(text);
    if (typeof rule === "string") throw new MergeSetupError(`--rewrite ${JSON.stringify(text)}: ${rule}`);
    rules.push(rule);
  }
  return { rules, problems };
}
