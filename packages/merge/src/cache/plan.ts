// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { factoryFromKey, factoryKey, placesOf, samePlacedElsewhere } from "../factories.js";
import type { BuilderState } from "@autowatch/watchfile";
import { renderedDigest } from "../state.js";
import type { BuilderDetail, LastGoodEntry, MergeFactory, WatchFileInput } from "../types.js";
import { readWatchFileSync } from "../watchdir.js";
import { contentHash } from "../lastgood.js";
import { digestOf, stampFileRacy, stillHolds } from "./files.js";
import type { CacheCheck, CachedBuilder, CheckedBuilder, Confirmed, MergeCacheData } from "./format.js";
import type { Recalled, Recaller } from "./recall.js";
import type { RacyBound } from "./stamp.js";
import type { WatchTable } from "./table.js";

/** Each manifest's confirmation when every manifest still holds the bytes the cache says; undefined when one changed. */
export function manifestsHold(previous: CacheCheck, paths: readonly string[], racy: RacyBound): Confirmed[] | undefined {
  if (previous.manifests.length !== paths.length) return undefined;
  const confirmed: Confirmed[] = [];
  for (const [index, path] of paths.entries()) {
    const holds = stillHolds(path, previous.manifests[index]!, racy, true);
    if (!holds) return undefined;
    confirmed.push(holds);
  }
  return confirmed;
}

/** The factories as the cache kept them (undefined when one does not read back). */
export function cachedFactories(previous: MergeCacheData): MergeFactory[] | undefined {
  const factories: MergeFactory[] = [];
  for (const builder of previous.builders) {
    const factory = factoryFromKey(builder.section);
    if (!factory || factory.name !== builder.name) return undefined;
    factories.push(factory);
  }
  return factories;
}

/** How a builder's watch file was listed, as the cache keys it, and whether its stamp is racy. */
export interface InputKey {
  input: string;
  racy: boolean;
  /** The file's modification time, when it was stat'ed (for --max-age: not part of the key). */
  modifiedMs?: number;
}

/** The key of a listed watch file: stat'ed now, before the merge reads it (a later write shows in the next stamp). */
export function inputKey(given: WatchFileInput | undefined, racy: RacyBound): InputKey {
  if (given === undefined || "missing" in given) return { input: "missing", racy: false };
  if ("error" in given) return { input: `error:${given.error}`, racy: false };
  const stamped = stampFileRacy(given.file, racy);
  // gone or replaced since the listing: never equal to a stored key
  if (stamped === undefined) return { input: "unstamped", racy: true };
  return { input: `file:${stamped.stamp}`, racy: stamped.racy, modifiedMs: stamped.modifiedMs };
}

/** The digest noted for a builder whose merge does not read its watch file. */
export const UNREAD = "unread";

/** What a cached merge asks of the last-good store: the key of one builder's entry as it is now. */
export type LastGoodKey = (builder: string) => string;

export interface Plan {
  recalled: Map<string, Recalled>;
  inputs: Map<string, InputKey>;
  /** The cache records of recalled builders, their input keys brought up to date. */
  records: Map<string, CachedBuilder>;
  /** A recalled builder's input key changed (confirmed by digest, or no longer racy). */
  refreshed: boolean;
}

/**
 * Which builders' earlier results still hold: the same section (or the same one moved, `moved`),
 * the same watch file (same stamp, not racy; else the same digest, read now) and the same
 * last-good entry when the merge consulted one. Every other builder is merged again.
 */
export function planBuilders(
  previous: MergeCacheData | undefined,
  factories: ReadonlyMap<string, MergeFactory>,
  files: ReadonlyMap<string, WatchFileInput>,
  options: { maxBytes: number; racy: RacyBound; lastGoodKey: LastGoodKey; recaller: Recaller | undefined },
): Plan {
  const plan: Plan = { recalled: new Map(), inputs: new Map(), records: new Map(), refreshed: false };
  const records = new Map(previous?.builders.map((record) => [record.name, record]));
  for (const [name, factory] of factories) {
    const given = files.get(name);
    const key = inputKey(given, options.racy);
    plan.inputs.set(name, key);
    const record = records.get(name);
    const section = factoryKey(factory);
    if (!record || !options.recaller || (record.section !== section && !moved(record, factory))) continue;
    if (!sameInput(record, key, given, options.maxBytes)) continue;
    if (record.lastGood !== null && record.lastGood !== options.lastGoodKey(name)) continue;
    plan.recalled.set(name, options.recaller.recall(record, factory));
    const same = record.section === section && record.input === key.input && record.racy === key.racy;
    // the record itself while it holds: what was rebuilt from it is taken again (recall.ts)
    plan.records.set(name, same ? record : { ...record, section, input: key.input, racy: key.racy });
    if (!same) plan.refreshed = true;
  }
  return plan;
}

/**
 * A section that only moved (lines inserted or removed above it: every later section moves)
 * merges as it did: its results hold, unless a problem of it points at a line of a manifest,
 * which may have moved too (such a builder is merged again).
 */
function moved(record: CachedBuilder, factory: MergeFactory): boolean {
  const before = factoryFromKey(record.section);
  if (!before || !samePlacedElsewhere(before, factory)) return false;
  const places = placesOf(before);
  return record.problems.every((problem) => problem.file === undefined || !places.has(problem.file));
}

/** The cache's builders checked against what the merge finds (`checkBuilders`). */
export interface BuilderCheck {
  /** The rows, their input keys brought up to date where the inputs still hold. */
  rows: CheckedBuilder[];
  /** Every row's input key as stat'ed now. */
  inputs: InputKey[];
  /** The rows whose watch file or consulted last-good entry changed. */
  changed: number[];
}

/** The modification time of each builder's watch file as `checkBuilders` stat'ed it (listed files only). */
export function modifiedTimes(check: BuilderCheck): Map<string, number> {
  const times = new Map<string, number>();
  for (const [index, key] of check.inputs.entries()) if (key.modifiedMs !== undefined) times.set(check.rows[index]!.name, key.modifiedMs);
  return times;
}

/** Each builder's watch file and consulted last-good entry checked against its row: every file stat'ed once per merge. */
export function checkBuilders(
  checked: readonly CheckedBuilder[],
  files: ReadonlyMap<string, WatchFileInput>,
  options: { maxBytes: number; racy: RacyBound; lastGoodKey: LastGoodKey },
): BuilderCheck {
  const rows = [...checked];
  const inputs: InputKey[] = [];
  const changed: number[] = [];
  for (let index = 0; index < checked.length; index++) {
    const row = checked[index]!;
    const given = files.get(row.name);
    const key = inputKey(given, options.racy);
    inputs.push(key);
    if (!sameInput(row, key, given, options.maxBytes) || (row.lastGood !== null && row.lastGood !== options.lastGoodKey(row.name))) changed.push(index);
    else if (key.input !== row.input || key.racy !== row.racy) rows[index] = { ...row, input: key.input, racy: key.racy };
  }
  return { rows, inputs, changed };
}

export function sameInput(
  record: Pick<CachedBuilder, "input" | "racy" | "digest">,
  key: InputKey,
  given: WatchFileInput | undefined,
  maxBytes: number,
): boolean {
  // a file the merge never read (auto-watch off, never scheduled) counts by being there or not
  if (record.digest === UNREAD) return (record.input === "missing") === (key.input === "missing");
  if (record.input === key.input && !record.racy) return true;
  if (!key.input.startsWith("file:") || !record.digest || !given) return false;
  // the stamp changed (or could not vouch): the content decides
  const read = readWatchFileSync(given.file, maxBytes);
  return "bytes" in read && digestOf(read.bytes) === record.digest;
}

/** The key of a builder's last-good entry: the stamp of the file that holds it, its pack or its own (racy: never equal), and its index row. */
export function lastGoodKeyer(fileOf: (builder: string) => string, indexRow: (builder: string) => unknown, racy: RacyBound): LastGoodKey {
  return (builder) => {
    const stamped = stampFileRacy(fileOf(builder), racy);
    if (stamped?.racy) return `racy:${racy.fromMs}`;
    return `${stamped?.stamp ?? "none"}|${JSON.stringify(indexRow(builder) ?? null)}`;
  };
}

/** One builder's record for the next merge, from what this merge made of it. */
export function recordOf(
  table: WatchTable,
  factory: MergeFactory,
  merged: { detail: BuilderDetail; state: BuilderState; lastGood: LastGoodEntry | undefined },
  notes: { input: InputKey; digest: string | undefined; lastGood: string | undefined },
): CachedBuilder {
  const { detail, state, lastGood } = merged;
  const watches = detail.watches.map((watch) => table.id(watch));
  const record: CachedBuilder = {
    name: factory.name,
    section: factoryKey(factory),
    input: notes.input.input,
    racy: notes.input.racy,
    digest: factory.schedule && factory.autoWatch ? (notes.digest ?? null) : UNREAD,
    lastGood: notes.lastGood ?? null,
    schedule: state.schedule,
    autoWatch: state.autoWatch,
    watches,
    watchesDigest: renderedDigest(state) ?? digestOf(table.json(watches)),
    problems: detail.problems,
    watchFile: detail.watchFile,
    kept: lastGood ? { hash: lastGood.hash ?? contentHash(lastGood.watches), date: detail.watchFile.status === "accepted" ? null : lastGood.date } : null,
  };
  if (state.treeStableTimer !== undefined) record.treeStableTimer = state.treeStableTimer;
  return record;
}
