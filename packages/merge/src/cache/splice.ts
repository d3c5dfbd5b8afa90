// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { createHash } from "node:crypto";
import { STATE_SCHEMA_ID, type BuilderState, type Problem, type State, type Vcs } from "@autowatch/watchfile";
import { builderLine, problemLine, watchesJson, writeFileAtomicSync, writeStateText } from "@autowatch/watchfile/text";
import { mixedKinds, mixedKindsPrefix } from "../checks.js";
import { gatherBuilders } from "../core.js";
import { factoryFromKey } from "../factories.js";
import type { LastGoodStore } from "../lastgood.js";
import type { RewriteRule } from "../rewrite.js";
import { identityOf, problemsAtEnd, stateFileView, stateFingerprintIn, rememberBuilderRendering, stateProblems } from "../state.js";
import type { BuilderDetail, LastGoodEntry, MergeFactory, MergePolicy, MergeResult, WatchFileInput } from "../types.js";
import { Checksum } from "./checksum.js";
import { codeIdentity, digestOf, readIfHolds } from "./files.js";
import {
  checkedOf,
  countInto,
  payloadHeadText,
  recordText,
  type CacheCheck,
  type CachedBuilder,
  type CheckedBuilder,
  type Confirmed,
  type Piece,
  type StateCounts,
} from "./format.js";
import { type ReadCache } from "./parse.js";
import { recordOf, type BuilderCheck, type InputKey } from "./plan.js";
import { Recaller, storedOrMerged } from "./recall.js";
import type { CacheSession } from "./session.js";
import { inRuns, linesRun, splicePollers, stateLayout } from "./statefile.js";

/** What a spliced merge reads besides the cache (as `runMerge` gathered it). */
export interface SpliceInput {
  session: CacheSession;
  output: string;
  files: ReadonlyMap<string, WatchFileInput>;
  store: LastGoodStore;
  /** The problems no builder's merge makes, and their digest. */
  problems: readonly Problem[];
  globalKey: string;
  /** The warnings for watch files of no builder (the cache's builders are the manifests'). */
  strays: readonly Problem[];
  rules: readonly RewriteRule[];
  policy: MergePolicy;
  now: Date;
  today: string;
  /** A builder's accepted watches merged again from its watch file (when the store no longer has them). */
  remerged: (factory: MergeFactory) => LastGoodEntry["watches"];
  /** The builders' inputs as checked against the cache (`CacheSession.checkBuilders`). */
  checked: BuilderCheck;
}

/** What a spliced merge gives (`runMerge`'s result, the state read back from its file when asked). */
export interface Spliced {
  state: State;
  stateText: string;
  fingerprint: string;
  changed: boolean;
  written: true;
  rewritten: boolean;
  reused: number;
  counts: StateCounts;
  problems: Problem[];
  result: MergeResult;
}

/** The builders merged again: their new records and state lines by row index, and what their merge made. */
interface Remerged {
  records: Map<number, CachedBuilder>;
  lines: Map<number, string>;
  details: Map<string, BuilderDetail>;
  lastGood: Map<string, LastGoodEntry>;
}

/**
 * A merge that takes every unchanged builder's result as the previous merge left it, without
 * decoding it: its line of the state file is copied as bytes, its watches counted from the
 * cache's tally, its record copied as the cache line it was. Only the builders whose inputs
 * changed are read, merged and rendered. It gives the bytes a whole merge gives, or undefined
 * (nothing written) when it cannot vouch for them: the manifests changed (the caller checked
 * they did not), another day, no last-good index, a state file or cache not as written, a URL
 * watched as two VCS kinds, a builder whose merge failed. The whole merge then runs.
 */
export async function spliceMerge(input: SpliceInput): Promise<Spliced | undefined> {
  const { session, output, today } = input;
  const read = session.read;
  const check = read?.check;
  if (!read || !check?.state || check.today !== today || check.lastGoodIndex === null || !session.storeHolds(check, input.store)) return undefined;
  const head = read.head();
  const held = head && readIfHolds(output, check.state, session.racy);
  const sections = held && stateLayout(held.bytes);
  const layout = sections?.builders;
  const pollerSection = sections?.pollers;
  const order = layout && stateOrder(layout.keys, check.builders);
  if (!head || !held || !layout || !pollerSection || !order) return undefined;
  const { inputs, changed } = input.checked;
  const rows = [...input.checked.rows];
  const remerged = mergeAgain(input, read, changed, inputs);
  if (!remerged) return undefined;
  const recounted = recount(read, remerged, rows);
  if (!recounted) return undefined;
  const { tally, touched } = recounted;
  const { lines: pollerLines, count: pollerCount, mixed, touchedUrls } = splicePollers(pollerSection, head.table, tally, touched, head.mixed);
  const fingerprint = fingerprintOf(pollerLines, order, rows);
  const gathered = problemsOf(input, read, head.manifestProblems, rows, remerged);
  const mixedProblems = mixed.length > 0 ? mixedOf(read, rows, remerged, mixed, { touchedUrls, stateBytes: held.bytes }) : [];
  if (!mixedProblems) return undefined;
  const problems = stateProblems([...gathered, ...mixedProblems]);
  const problemLines = problems.map(problemLine);
  const identity = identityOf(fingerprint, order.map((index) => (rows[index]!.autoWatch ? "1" : "0")).join(""), problemLines);
  // the state file as read: its head names the fingerprint Buildbot was given
  const changedState = stateFingerprintIn(held.bytes, held.bytes.subarray(held.bytes.length - 2)) !== fingerprint;
  const counts = countsOf(rows, pollerCount);

  await input.store.save(remerged.lastGood, input.now);
  const rewritten = identity !== check.state.text;
  const made = { fingerprint, changed: changedState, rewritten, counts, problems, reused: rows.length - changed.length };
  let state: Confirmed | undefined = held.confirmed;
  if (rewritten) {
    const builders = inRuns<Piece>(
      order.length,
      (at) => remerged.lines.get(order[at]!),
      (from, to) => linesRun(layout, from, to),
    );
    const hash = new Checksum();
    writeFileAtomicSync(output, (write) => writeStateText(STATE_SCHEMA_ID, fingerprint, { pollers: pollerLines, builders, problems: problemLines }, write), {
      onBytes: (bytes) => hash.update(bytes),
    });
    state = session.confirmWritten(output, hash.digest(), true);
  }
  if (state) writeCache(input, read, remerged, { tally, mixed, rows, state: { ...state, text: identity, fingerprint, counts } });
  return spliced(input, read, remerged, made);
}

/**
 * The tally with the merged builders' watches counted again (and their rows brought up to date),
 * and the watches they had or have; undefined when watches no builder has any more are half the
 * table (the whole merge then renumbers it).
 */
function recount(read: ReadCache, remerged: Remerged, rows: CheckedBuilder[]): { tally: number[]; touched: Set<number> } | undefined {
  const head = read.head()!;
  const tally = [...head.tally];
  const touched = new Set<number>();
  for (const [index, record] of remerged.records) {
    const before = read.record(index)!;
    countInto(tally, before, -1);
    countInto(tally, record, 1);
    for (const id of [...before.watches, ...record.watches]) touched.add(id);
    rows[index] = checkedOf(record);
  }
  let unused = 0;
  for (let id = 0; id < head.table.size; id++) {
    tally[2 * id] ??= 0;
    tally[2 * id + 1] ??= 0;
    if (tally[2 * id] === 0) unused++;
  }
  return unused > head.table.size - unused + 1000 ? undefined : { tally, touched };
}

/** The cache for the next merge: the merged builders' records made, every other one copied as the line it was. */
function writeCache(
  input: SpliceInput,
  read: ReadCache,
  remerged: Remerged,
  made: { tally: number[]; mixed: string[]; rows: CheckedBuilder[]; state: CacheCheck["state"] },
): void {
  const { session } = input;
  const head = read.head()!;
  const payload: Piece[] = [...head.table.storedPieces(read.tableBytes()), "\n", payloadHeadText(head.manifestProblems, made.tally, made.mixed)];
  // the records not merged again copied as the bytes they were, a run of consecutive lines at a time
  const records = inRuns<Piece>(
    made.rows.length,
    (index) => {
      const record = remerged.records.get(index);
      return record && recordText(record);
    },
    (from, to) => read.recordRun(from, to),
  );
  for (const piece of records) payload.push("\n", piece);
  const next: CacheCheck = {
    code: codeIdentity(),
    key: session.key,
    startedMs: session.startedMs,
    today: input.today,
    global: input.globalKey,
    manifests: session.manifests,
    factories: session.factoriesIndex,
    state: made.state,
    lastGoodIndex: session.storeIndex(input.store),
    builders: made.rows,
  };
  session.writeCache(next, () => payload);
}

/** The rows' indexes in the state file's order; undefined when its builders are not the cache's. */
function stateOrder(names: readonly string[], rows: readonly CheckedBuilder[]): number[] | undefined {
  if (names.length !== rows.length) return undefined;
  // the rows are usually in the state's order (both by name): then no map of 10,000 names
  if (names.every((name, index) => name === rows[index]!.name)) return names.map((_, index) => index);
  const indexOf = new Map(rows.map((row, index) => [row.name, index]));
  const order: number[] = [];
  const seen = new Set<number>();
  for (const name of names) {
    const index = indexOf.get(name);
    if (index === undefined || seen.has(index)) return undefined;
    seen.add(index);
    order.push(index);
  }
  return order;
}

/** The changed builders merged again, their records and state lines made; undefined when one cannot be. */
function mergeAgain(input: SpliceInput, read: ReadCache, changed: readonly number[], inputs: readonly InputKey[]): Remerged | undefined {
  const { session } = input;
  const table = read.head()!.table;
  const factories: MergeFactory[] = [];
  for (const index of changed) {
    const factory = factoryFromKey(read.record(index)?.section ?? "");
    if (!factory || factory.name !== read.check.builders[index]!.name) return undefined;
    factories.push(factory);
  }
  const digests = session.readDigests;
  const { farm, gathered } = gatherBuilders({
    factories,
    watchFiles: input.files,
    lastGood: session.recording(input.store),
    rules: input.rules,
    policy: input.policy,
    now: input.now,
    explain: false,
    digests,
  });
  const states = new Map<string, BuilderState>(gathered.builders);
  // the URLs of the watches these builders have and had: the ones numbered now, and whose pollers are made again
  const urls = new Set<string>();
  for (const [at, index] of changed.entries()) {
    for (const watch of gathered.details.get(factories[at]!.name)?.watches ?? []) urls.add(watch.url);
    for (const id of read.record(index)?.watches ?? []) urls.add(table.get(id).url);
  }
  table.indexOnly(urls);
  const remerged: Remerged = { records: new Map(), lines: new Map(), details: gathered.details, lastGood: farm.lastGood };
  for (const [at, index] of changed.entries()) {
    const factory = factories[at]!;
    const { name } = factory;
    const detail = gathered.details.get(name)!;
    const state = states.get(name)!;
    // "": its merge failed; the whole merge leaves it out of the cache
    if (digests.get(name) === "") return undefined;
    const watches = watchesJson(state.watches);
    const line = builderLine(name, state, watches);
    rememberBuilderRendering(state, name, digestOf(watches), line);
    const notes = { input: inputs[index]!, digest: digests.get(name), lastGood: session.consultedKey(name) };
    remerged.records.set(index, recordOf(table, factory, { detail, state, lastGood: farm.lastGood.get(name) }, notes));
    remerged.lines.set(index, line);
  }
  return remerged;
}

/**
 * The state's fingerprint, hashed from what `renderCanonical` hashes: the pollers' lines as the
 * file has them (pieces of one or more lines, joined by ",\n"), then each builder's name,
 * schedule flag, watches digest and timer.
 */
function fingerprintOf(pollerPieces: readonly (string | Uint8Array)[], order: readonly number[], rows: readonly CheckedBuilder[]): string {
  const hash = createHash("sha256");
  for (const [index, piece] of pollerPieces.entries()) {
    if (index > 0) hash.update(",\n");
    hash.update(piece);
  }
  // the builders' part in 64 KB pieces: 10,000 calls into the hash cost more than the hashing
  let text = "";
  for (let at = 0; at < order.length; at++) {
    const row = rows[order[at]!]!;
    const timer = row.treeStableTimer === undefined ? "" : `\u0000${row.treeStableTimer}`;
    text += `\n${JSON.stringify(row.name)}\u0000${row.schedule ? 1 : 0}\u0000${row.watchesDigest}${timer}`;
    if (text.length >= 1 << 16) {
      hash.update(text);
      text = "";
    }
  }
  hash.update(text);
  return hash.digest("hex");
}

/** The problems in the order the whole merge gathers them (then sorted, stably): manifests, farm, each builder's, strays. */
function problemsOf(input: SpliceInput, read: ReadCache, manifestProblems: readonly Problem[], rows: readonly CheckedBuilder[], remerged: Remerged): Problem[] {
  const problems = [...manifestProblems, ...input.problems];
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    if (remerged.records.has(index)) problems.push(...remerged.details.get(row.name)!.problems);
    else if (row.problemCount > 0) problems.push(...read.record(index)!.problems);
  }
  problems.push(...input.strays);
  return problems;
}

/**
 * The warnings for URLs watched as two VCS kinds. A URL no merged builder had or has a watch of
 * is watched by the same builders as before: its warning is the previous state's. For the
 * others every builder's watches are looked at (rare: a farm's mistake, edited).
 */
function mixedOf(
  read: ReadCache,
  rows: readonly CheckedBuilder[],
  remerged: Remerged,
  mixed: readonly string[],
  before: { touchedUrls: ReadonlySet<string>; stateBytes: Buffer },
): Problem[] | undefined {
  const previous = problemsAtEnd(before.stateBytes)?.filter((problem) => problem.code === "merge.url.mixed-vcs") ?? [];
  const kept: Problem[] = [];
  const urls: string[] = [];
  for (const url of mixed) {
    const prefix = mixedKindsPrefix(url);
    const warning = before.touchedUrls.has(url) ? undefined : previous.find((problem) => problem.message.startsWith(prefix));
    if (warning) kept.push(warning);
    else urls.push(url);
  }
  if (urls.length === 0) return kept;
  const table = read.head()!.table;
  const builders: { name: string; watches: readonly { url: string; vcs: Vcs }[] }[] = [];
  for (const [index, { name }] of rows.entries()) {
    const record = remerged.records.has(index) ? undefined : read.record(index);
    if (!remerged.records.has(index) && !record) return undefined;
    builders.push({ name, watches: record ? record.watches.map((id) => table.get(id)) : remerged.details.get(name)!.watches });
  }
  return [...kept, ...mixedKinds(builders, new Set(urls))];
}

function countsOf(rows: readonly CheckedBuilder[], pollers: number): StateCounts {
  const scheduled = rows.filter((row) => row.schedule);
  return { builders: rows.length, scheduled: scheduled.length, watching: scheduled.filter((row) => row.watchCount > 0).length, pollers };
}

/** The result: the state read back from its file, and each builder's result rebuilt, when asked. */
function spliced(
  input: SpliceInput,
  read: ReadCache,
  remerged: Remerged,
  made: { fingerprint: string; changed: boolean; rewritten: boolean; counts: StateCounts; problems: Problem[]; reused: number },
): Spliced {
  const file = stateFileView(input.output);
  let result: MergeResult | undefined;
  return {
    ...made,
    written: true,
    get state() {
      return file.state();
    },
    get stateText() {
      return file.text();
    },
    get result() {
      return (result ??= { ...rebuilt(input, read, remerged), state: file.state(), problems: made.problems });
    },
  };
}

/** Every builder's detail and last good entry: the merged ones as merged, the others rebuilt from their records. */
function rebuilt(input: SpliceInput, read: ReadCache, remerged: Remerged): Pick<MergeResult, "details" | "lastGood"> {
  const details = new Map<string, BuilderDetail>();
  const lastGood = new Map<string, LastGoodEntry>();
  const factories = new Map<string, MergeFactory>();
  const recaller = new Recaller(read.head()!.table, input.today, (builder, hash) => storedOrMerged(input.store, factories.get(builder)!, hash, input.remerged));
  for (const [index, row] of read.check.builders.entries()) {
    const { name } = row;
    if (remerged.records.has(index)) {
      details.set(name, remerged.details.get(name)!);
      const entry = remerged.lastGood.get(name);
      if (entry) lastGood.set(name, entry);
      continue;
    }
    const record = read.record(index)!;
    const factory = factoryFromKey(record.section)!;
    factories.set(name, factory);
    const recalled = recaller.recall(record, factory);
    details.set(name, recalled.detail);
    if (recalled.lastGood) lastGood.set(name, recalled.lastGood);
  }
  return { details, lastGood };
}
