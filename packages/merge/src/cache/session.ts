// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { dirname, resolve } from "node:path";
import type { ManifestResult } from "@autowatch/manifest";
import type { Problem, State } from "@autowatch/watchfile";
import { LASTGOOD_INDEX, type LastGoodStore } from "../lastgood.js";
import type { RewriteRule } from "../rewrite.js";
import { textIdentity } from "../state.js";
import type { BuilderDetail, LastGoodEntry, LastGoodSource, MergeFactory, MergePolicy, MergeResult, WatchFileInput } from "../types.js";
import { fileChecksum } from "./checksum.js";
import { codeIdentity, confirmNow, digestOf, fileSystemClock, mergeCacheFile, readMergeCache, stampFile, stillHolds, writeMergeCache } from "./files.js";
import { checkedOf, payloadPieces, type CacheCheck, type CachedBuilder, type Confirmed, type MergeCacheData, type Piece, type StateCounts } from "./format.js";
import { type ReadCache } from "./parse.js";
import {
  cachedFactories,
  checkBuilders,
  lastGoodKeyer,
  manifestsHold,
  planBuilders,
  recordOf,
  type BuilderCheck,
  type LastGoodKey,
  type Plan,
} from "./plan.js";
import { Recaller, storedOrMerged } from "./recall.js";
import { isRacy, racyFrom, type RacyBound, type Stamp } from "./stamp.js";
import { factoryIndexFile } from "../factoryindex.js";
import { compact, usedWatches, WatchTable } from "./table.js";

/** What decides whether a merge's results can be taken again: anything else that differs makes the cache foreign. */
export interface CacheSettings {
  output: string;
  lastGoodDir: string;
  watchDir: string;
  manifests: readonly string[];
  policy: MergePolicy;
  rules: readonly RewriteRule[];
}

/**
 * One merge's use of the merge cache (`STATE.cache`): what it takes from the previous merge's
 * cache, and what it leaves for the next. The cache holds, per builder, the stamp and digest
 * of its watch file, its manifest section and what its merge gave; per manifest, the state
 * file, STATE.factories and the last-good index, stamp and digest. A merge re-reads and
 * merges again only the builders whose inputs changed; anything the cache cannot vouch for
 * is read, parsed and merged as without it, so a cached merge gives what an uncached one gives.
 */
export class CacheSession {
  /** When this merge started. */
  readonly startedMs = Date.now();
  /** Which stamps taken by this merge are racy: the file system's clock read before its first stat. */
  readonly racy: RacyBound;
  /** The files this merge wrote (state, STATE.factories, the last-good index), by path: their stamps as written, settled before the cache is written. */
  private readonly written = new Map<string, Stamp>();
  readonly file: string;
  /** The cache as read (its check part parsed; the builders' results when asked). */
  readonly read: ReadCache | undefined;
  private full: MergeCacheData | undefined | null = null;
  readonly key: string;
  manifests: Confirmed[] = [];
  private manifestProblems: Problem[] = [];
  factoriesIndex: Confirmed | null = null;
  private stateFile: MergeCacheData["state"] = null;
  private plan: Plan | undefined;
  private readonly digests = new Map<string, string>();
  private readonly consulted = new Map<string, string>();
  private dirty: boolean;

  constructor(
    private readonly settings: CacheSettings,
    racyWindowMs?: number,
  ) {
    // a window given (tests) is the rule as is; otherwise the clock of the state's file system
    this.racy = racyFrom(this.startedMs, racyWindowMs, racyWindowMs === undefined ? fileSystemClock(dirname(settings.output)) : undefined);
    this.file = mergeCacheFile(settings.output);
    this.key = digestOf(
      JSON.stringify({
        output: resolve(settings.output),
        lastGood: resolve(settings.lastGoodDir),
        watchDir: resolve(settings.watchDir),
        manifests: settings.manifests.map((path) => [path, resolve(path)]),
        policy: settings.policy,
        rules: settings.rules.map((rule) => [rule.from, rule.to]),
      }),
    );
    this.read = readMergeCache(this.file, this.key);
    this.dirty = this.read === undefined;
  }

  /** The previous merge's cache with its builders' results (parsed on first use), undefined when there is none or it is damaged. */
  get previous(): MergeCacheData | undefined {
    if (this.full === null) this.full = this.read?.full();
    return this.full;
  }

  /** True when every manifest and STATE.factories still hold what the cache says (stamps, or digests when racy). */
  manifestsHold(factoriesFile: string): boolean {
    const check = this.read?.check;
    if (!check?.factories) return false;
    const index = stillHolds(factoriesFile, check.factories, this.racy);
    const confirmed = index && manifestsHold(check, this.settings.manifests, this.racy);
    if (!index || !confirmed) return false;
    this.manifests = confirmed;
    this.factoriesIndex = index;
    if (index !== check.factories || confirmed.some((c, i) => c !== check.manifests[i])) this.dirty = true;
    return true;
  }

  /** The manifests' factories and problems as the cache kept them (after `manifestsHold`). */
  cachedManifests(): { factories: MergeFactory[]; problems: Problem[] } | undefined {
    const previous = this.previous;
    const factories = previous && cachedFactories(previous);
    if (!previous || !factories) return undefined;
    this.manifestProblems = previous.manifestProblems;
    return { factories, problems: previous.manifestProblems };
  }

  /**
   * True when nothing the merge reads changed since the cache was written (after
   * `manifestsHold`): the same day, every watch file by stamp (or digest), every last-good
   * entry consulted, the store's index, the problems no builder makes, and the state file as
   * written. The merge then gives what it gave: the state file stays, nothing is merged.
   */
  unchanged(inputs: { output: string; store: LastGoodStore | undefined; global: string; today: string; checked: BuilderCheck }): boolean {
    const check = this.read?.check;
    if (!check?.state || check.today !== inputs.today || check.global !== inputs.global) return false;
    // the builders' results are rebuilt from it if the caller asks for them
    if (!this.read!.intact()) return false;
    const { store, checked } = inputs;
    if (store ? !this.storeHolds(check, store) : check.lastGoodIndex !== null) return false;
    if (checked.changed.length > 0) return false;
    const rows = checked.rows;
    if (rows.some((row, index) => row !== check.builders[index])) this.dirty = true;
    const state = stillHolds(inputs.output, check.state, this.racy, true);
    if (!state) return false;
    if (state !== check.state) this.dirty = true;
    const lastGoodIndex = store ? this.storeIndex(store) : null;
    if (this.dirty || lastGoodIndex !== check.lastGoodIndex) {
      const checked = {
        ...check,
        manifests: this.manifests,
        factories: this.factoriesIndex,
        state: { ...check.state, ...state },
        lastGoodIndex,
        builders: rows,
      };
      this.writeCache(checked, () => this.read!.payload());
    }
    return true;
  }

  /**
   * Each builder's watch file (by stamp, or digest when the stamp cannot vouch) and the last-good
   * entry its merge consulted, checked against the cache once per merge: the rows with their
   * input keys brought up to date, every row's key, and the rows whose inputs changed (as
   * `planBuilders` decides).
   */
  checkBuilders(files: ReadonlyMap<string, WatchFileInput>, maxBytes: number, store: LastGoodStore | undefined): BuilderCheck {
    return checkBuilders(this.read?.check.builders ?? [], files, { maxBytes, racy: this.racy, lastGoodKey: this.lastGoodKey(store) });
  }

  /** Notes the manifests as this merge parsed them (stamps taken before the read, digests of the bytes read). */
  parsedManifests(stamps: (string | undefined)[], digests: ReadonlyMap<string, string>, parsed: ManifestResult): void {
    this.dirty = true;
    this.manifestProblems = parsed.problems;
    this.manifests = [];
    for (const [index, path] of this.settings.manifests.entries()) {
      const stamp = stamps[index];
      const digest = digests.get(path);
      // not stamped or not read: the next merge parses again
      this.manifests.push(stamp === undefined || digest === undefined ? { stamp: "", digest: "", racy: true } : { stamp, digest, racy: true });
    }
  }

  /** STATE.factories as this merge wrote it. */
  wroteFactories(file: string): void {
    const digest = fileChecksum(file);
    this.factoriesIndex = digest === undefined ? null : (this.confirmWritten(file, digest) ?? null);
  }

  /** Which builders' earlier results still hold (their results rebuilt); the others are merged. */
  planBuilders(
    factories: readonly MergeFactory[],
    files: ReadonlyMap<string, WatchFileInput>,
    maxBytes: number,
    store: LastGoodStore | undefined,
    today: string,
    /** A builder's accepted watches merged again from its watch file (when the store no longer has them). */
    remerged: (factory: MergeFactory) => LastGoodEntry["watches"],
  ): Plan {
    const byName = new Map<string, MergeFactory>();
    for (const factory of factories) if (!byName.has(factory.name)) byName.set(factory.name, factory);
    const previous = this.previous;
    // the store as the previous merge left it, or nothing is taken from the cache (its accepted
    // builders are known by their content hash only)
    const storeHolds = previous !== undefined && store !== undefined && this.storeHolds(previous, store);
    const recaller =
      storeHolds && previous ? new Recaller(previous.table, today, (builder, hash) => storedOrMerged(store, byName.get(builder)!, hash, remerged)) : undefined;
    const lastGoodKey = this.lastGoodKey(store);
    this.plan = planBuilders(previous, byName, files, { maxBytes, racy: this.racy, lastGoodKey, recaller });
    if (this.plan.refreshed || this.plan.recalled.size !== byName.size || previous?.builders.length !== byName.size) this.dirty = true;
    return this.plan;
  }

  storeHolds(previous: Pick<CacheCheck, "lastGoodIndex">, store: LastGoodStore): boolean {
    const index = `${store.dir}/${LASTGOOD_INDEX}`;
    if (previous.lastGoodIndex === null) return stampFile(index) === undefined;
    return stillHolds(index, previous.lastGoodIndex, this.racy) !== undefined;
  }

  /** Every builder's earlier result, rebuilt (for a caller that asks a merge of an unchanged farm for its details). */
  recallAll(
    store: LastGoodStore | undefined,
    today: string,
    remerged: (factory: MergeFactory) => LastGoodEntry["watches"],
  ): { details: Map<string, BuilderDetail>; lastGood: Map<string, LastGoodEntry> } {
    const details = new Map<string, BuilderDetail>();
    const lastGood = new Map<string, LastGoodEntry>();
    const previous = this.previous;
    const factories = previous && cachedFactories(previous);
    if (!previous || !factories) return { details, lastGood };
    const byName = new Map(factories.map((factory) => [factory.name, factory]));
    const recaller = new Recaller(previous.table, today, (builder, hash) => storedOrMerged(store, byName.get(builder)!, hash, remerged));
    for (const [index, record] of previous.builders.entries()) {
      const recalled = recaller.recall(record, factories[index]!);
      details.set(record.name, recalled.detail);
      if (recalled.lastGood) lastGood.set(record.name, recalled.lastGood);
    }
    return { details, lastGood };
  }

  /** The key of a builder's last-good entry as the store has it now. */
  lastGoodKey(store: LastGoodStore | undefined): LastGoodKey {
    return store
      ? lastGoodKeyer(
          (b) => store.fileOf(b),
          (b) => store.indexed(b),
          this.racy,
        )
      : () => "none";
  }

  /** The store as the merge loop sees it: each builder's entry keyed as it was read. */
  recording(store: LastGoodStore): LastGoodSource {
    const key = lastGoodKeyer(
      (b) => store.fileOf(b),
      (b) => store.indexed(b),
      this.racy,
    );
    return {
      get: (builder) => {
        // keyed before the read: a later write shows in the next key
        this.consulted.set(builder, key(builder));
        return store.get(builder);
      },
    };
  }

  /** The key of a builder's last-good entry as the merge loop read it (`recording`). */
  consultedKey(builder: string): string | undefined {
    return this.consulted.get(builder);
  }

  /** Filled by the merge loop with the digest of each watch file it read. */
  get readDigests(): Map<string, string> {
    return this.digests;
  }

  /**
   * Whether the state file still holds the text this merge made (then it is not written
   * again): the identity of its text (fingerprint, each builder's autoWatch flag, problems)
   * is the one written, and the file is, by stamp or digest.
   */
  stateHolds(output: string, state: State): boolean {
    const text = textIdentity(state);
    const before = this.previous?.state;
    const holds = before && before.text === text ? stillHolds(output, before, this.racy, true) : undefined;
    if (holds) {
      if (holds !== before) this.dirty = true;
      this.stateFile = { ...holds, text, fingerprint: state.fingerprint ?? "", counts: countsOf(state) };
      return true;
    }
    return false;
  }

  /** The state file as this merge wrote it (`digest` of the bytes written). */
  wroteState(output: string, state: State, digest: string): void {
    this.dirty = true;
    const confirmed = this.confirmWritten(output, digest, true);
    this.stateFile = confirmed ? { ...confirmed, text: textIdentity(state), fingerprint: state.fingerprint ?? "", counts: countsOf(state) } : null;
  }

  /** Writes the cache for the next merge, unless it would say what it says already. */
  finish(factories: readonly MergeFactory[], result: MergeResult, store: LastGoodStore | undefined, global: string, today: string): void {
    const plan = this.plan;
    if (!plan) return;
    const lastGoodIndex = store ? this.storeIndex(store) : null;
    if (!this.dirty && lastGoodIndex === this.previous?.lastGoodIndex) return;
    let table = this.previous && plan.recalled.size > 0 ? this.previous.table : new WatchTable();
    let builders: CachedBuilder[] = [];
    const seen = new Set<string>();
    for (const factory of factories) {
      if (seen.has(factory.name)) continue;
      seen.add(factory.name);
      const record = this.recordFor(table, factory, result, plan);
      if (record) builders.push(record);
    }
    // watches no builder has any more are dropped once they are half the table
    if (table.size > 2 * usedWatches(table.size, builders) + 1000) ({ table, builders } = compact(table, builders));
    const data: MergeCacheData = {
      code: codeIdentity(),
      key: this.key,
      startedMs: this.startedMs,
      today,
      global,
      manifests: this.manifests,
      manifestProblems: this.manifestProblems,
      factories: this.factoriesIndex,
      state: this.stateFile,
      lastGoodIndex,
      table,
      builders,
    };
    this.writeCache({ ...data, builders: builders.map(checkedOf) }, () => payloadPieces(data));
  }

  private recordFor(table: WatchTable, factory: MergeFactory, result: MergeResult, plan: Plan): CachedBuilder | undefined {
    const { name } = factory;
    const recalled = plan.records.get(name);
    if (recalled) return recalled;
    const digest = this.digests.get(name);
    // "": its merge failed, it is merged afresh next time
    if (digest === "") return undefined;
    const detail = result.details.get(name);
    const state = result.state.builders[name];
    if (!detail || !state) return undefined;
    return recordOf(
      table,
      factory,
      { detail, state, lastGood: result.lastGood.get(name) },
      { input: plan.inputs.get(name) ?? { input: "unstamped", racy: true }, digest, lastGood: this.consulted.get(name) },
    );
  }

  /** The last-good index after the save, confirmed by its digest (it was just written, or kept). */
  storeIndex(store: LastGoodStore): Confirmed | null {
    const index = `${store.dir}/${LASTGOOD_INDEX}`;
    const before = this.read?.check.lastGoodIndex;
    if (before) {
      const holds = stillHolds(index, before, this.racy);
      if (holds) return holds;
    }
    const digest = fileChecksum(index);
    return digest === undefined ? null : (this.confirmWritten(index, digest) ?? null);
  }

  /** A file this merge just wrote (`digest` of its bytes), stamped now: racy until `writeCache` settles it. */
  confirmWritten(path: string, digest: string, follow = false): Confirmed | undefined {
    const confirmed = confirmNow(path, digest, this.racy, follow);
    if (confirmed) this.written.set(path, confirmed.stamp);
    return confirmed;
  }

  /**
   * Writes the cache, the files this merge wrote settled first: the file system's clock is
   * read again, and a file still stamped as this merge left it, in an earlier tick, is no
   * longer racy (a later write would stamp it from this tick or a later one). Otherwise the
   * next merge would read and checksum again, say, the 20 MB state it was just given.
   */
  writeCache(check: CacheCheck, payload: () => Iterable<Piece>): void {
    const clock = this.racy.clock && fileSystemClock(dirname(this.settings.output));
    const settle = <T extends Confirmed>(confirmed: T | null, path: string, follow = false): T | null => {
      if (!clock || !confirmed?.racy || this.written.get(path) !== confirmed.stamp || stampFile(path, follow) !== confirmed.stamp) return confirmed;
      return isRacy(confirmed.stamp, { clock, fromMs: this.racy.fromMs }) ? confirmed : { ...confirmed, racy: false };
    };
    const settled: CacheCheck = {
      ...check,
      factories: settle(check.factories, factoryIndexFile(this.settings.output)),
      state: settle(check.state, this.settings.output, true),
      lastGoodIndex: settle(check.lastGoodIndex, `${this.settings.lastGoodDir}/${LASTGOOD_INDEX}`),
    };
    writeMergeCache(this.file, settled, payload);
  }
}

/** What the merge's summary counts. */
export function countsOf(state: State): StateCounts {
  const builders = Object.values(state.builders);
  const scheduled = builders.filter((b) => b.schedule);
  return {
    builders: builders.length,
    scheduled: scheduled.length,
    watching: scheduled.filter((b) => b.watches.length > 0).length,
    pollers: state.pollers.length,
  };
}
