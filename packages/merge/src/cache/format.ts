import { hash as oneShotHash } from "node:crypto";
import type { Problem } from "@autowatch/watchfile";
import type { WatchFileStatus } from "../types.js";
import { WatchTable } from "./table.js";

export const CACHE_SCHEMA = "autowatch.merge-cache/1";

/**
 * A file the cache vouches for by its stamp: the stamp, sha256 (base64) of its bytes, and
 * whether the stamp was racy when taken (then only the digest vouches for it).
 */
export interface Confirmed {
  stamp: string;
  digest: string;
  racy: boolean;
}

/** What one builder's merge gave, and the inputs it came from. */
export interface CachedBuilder {
  name: string;
  /** Its manifest section as the merge reads it (factoryKey). */
  section: string;
  /** Its watch file as listed: `missing`, `error:REASON`, or `file:STAMP` for a regular file. */
  input: string;
  /** The stamp was taken within the racy window: the content is confirmed by digest. */
  racy: boolean;
  /** sha256 (base64) of the bytes merged, for a regular file read whole. */
  digest: string | null;
  /** The last-good entry the merge consulted (its file's stamp and index row), null when none was. */
  lastGood: string | null;
  schedule: boolean;
  autoWatch: boolean;
  treeStableTimer?: number;
  watches: number[];
  /** sha256 (base64) of its watches' JSON text. */
  watchesDigest: string;
  problems: Problem[];
  watchFile: WatchFileStatus;
  /** Its last good entry for the store: content hash, and the day (null: the day of the merge, the file was accepted). */
  kept: { hash: string; date: string | null } | null;
}

/** The cache as one merge leaves it for the next. */
export interface MergeCacheData {
  /** Identity of the code that wrote it and of the merge's settings: another one is foreign. */
  code: string;
  key: string;
  /** When the merge that wrote it started (ns, wall clock). */
  startedNs: string;
  /** Each manifest, in the order given. */
  manifests: Confirmed[];
  manifestProblems: Problem[];
  /** STATE.factories as written for these manifests, null when not written. */
  factories: Confirmed | null;
  /** The state file as written, and the identity of its text (fingerprint, flags, problems). */
  state: (Confirmed & { text: string }) | null;
  /** The last-good store's index after this merge saved it, null when there is none. */
  lastGoodIndex: Confirmed | null;
  table: WatchTable;
  /** In manifest order, one per builder name. */
  builders: CachedBuilder[];
}

interface Head {
  schema: typeof CACHE_SCHEMA;
  code: string;
  key: string;
  /** sha256 (base64) of the body: a damaged or torn body is never read as a cache. */
  body: string;
}

type StoredBuilder = [
  name: string,
  section: string,
  input: string,
  racy: boolean,
  digest: string | null,
  lastGood: string | null,
  flags: number,
  treeStableTimer: number | null,
  watches: number[],
  watchesDigest: string,
  problems: Problem[],
  watchFile: WatchFileStatus,
  kept: [string, string | null] | null,
];

/** Two lines: a head (schema, code, settings, digest of the body), then the body. */
export function serializeCache(data: MergeCacheData): string {
  const body = JSON.stringify({
    startedNs: data.startedNs,
    manifests: data.manifests,
    manifestProblems: data.manifestProblems,
    factories: data.factories,
    state: data.state,
    lastGoodIndex: data.lastGoodIndex,
    watches: data.table.toStored(),
    builders: data.builders.map(storedBuilder),
  });
  const head: Head = { schema: CACHE_SCHEMA, code: data.code, key: data.key, body: oneShotHash("sha256", body, "base64") };
  return `${JSON.stringify(head)}\n${body}\n`;
}

function storedBuilder(b: CachedBuilder): StoredBuilder {
  const flags = (b.schedule ? 1 : 0) | (b.autoWatch ? 2 : 0);
  const kept: StoredBuilder[12] = b.kept ? [b.kept.hash, b.kept.date] : null;
  return [
    b.name,
    b.section,
    b.input,
    b.racy,
    b.digest,
    b.lastGood,
    flags,
    b.treeStableTimer ?? null,
    b.watches,
    b.watchesDigest,
    b.problems,
    b.watchFile,
    kept,
  ];
}

/**
 * The cache in `text` when it was written by this code for these settings and is whole;
 * undefined otherwise (another version or settings, damaged, torn, not a cache): it is then
 * rebuilt, never trusted.
 */
export function parseCache(text: string, code: string, key: string): MergeCacheData | undefined {
  const newline = text.indexOf("\n");
  if (newline < 0 || !text.endsWith("\n")) return undefined;
  try {
    const head = JSON.parse(text.slice(0, newline)) as Partial<Head> | null;
    if (!head || head.schema !== CACHE_SCHEMA || head.code !== code || head.key !== key) return undefined;
    const bodyText = text.slice(newline + 1, -1);
    if (oneShotHash("sha256", bodyText, "base64") !== head.body) return undefined;
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    const table = WatchTable.fromStored(body.watches);
    if (!table || !Array.isArray(body.builders) || !Array.isArray(body.manifests)) return undefined;
    const builders: CachedBuilder[] = [];
    for (const row of body.builders as unknown[]) {
      const builder = cachedBuilder(row, table.watches.length);
      if (!builder) return undefined;
      builders.push(builder);
    }
    if (typeof body.startedNs !== "string" || !/^\d+$/.test(body.startedNs)) return undefined;
    const { manifests, manifestProblems, factories, state, lastGoodIndex } = body;
    if (!manifests.every(isConfirmed) || !Array.isArray(manifestProblems) || !manifestProblems.every(isProblem)) return undefined;
    if (!(factories === null || isConfirmed(factories)) || !(lastGoodIndex === null || isConfirmed(lastGoodIndex))) return undefined;
    if (!(state === null || (isConfirmed(state) && typeof (state as { text?: unknown }).text === "string"))) return undefined;
    return {
      code,
      key,
      startedNs: body.startedNs,
      manifests: manifests as Confirmed[],
      manifestProblems,
      factories: factories as Confirmed | null,
      state: state as MergeCacheData["state"],
      lastGoodIndex: lastGoodIndex as Confirmed | null,
      table,
      builders,
    };
  } catch {
    return undefined;
  }
}

function cachedBuilder(row: unknown, watchCount: number): CachedBuilder | undefined {
  if (!Array.isArray(row) || row.length !== 13) return undefined;
  const [name, section, input, racy, digest, lastGood, flags, timer, watches, watchesDigest, problems, watchFile, kept] = row as StoredBuilder;
  const strings = [name, section, input, watchesDigest];
  if (!strings.every((s) => typeof s === "string") || typeof racy !== "boolean" || typeof flags !== "number") return undefined;
  if (!(digest === null || typeof digest === "string") || !(lastGood === null || typeof lastGood === "string")) return undefined;
  if (!(timer === null || typeof timer === "number")) return undefined;
  if (!Array.isArray(watches) || !watches.every((id) => Number.isInteger(id) && id >= 0 && id < watchCount)) return undefined;
  if (!Array.isArray(problems) || !problems.every(isProblem) || !isWatchFileStatus(watchFile)) return undefined;
  if (!(kept === null || (Array.isArray(kept) && kept.length === 2 && typeof kept[0] === "string" && (kept[1] === null || typeof kept[1] === "string"))))
    return undefined;
  const builder: CachedBuilder = {
    name,
    section,
    input,
    racy,
    digest,
    lastGood,
    schedule: (flags & 1) !== 0,
    autoWatch: (flags & 2) !== 0,
    watches,
    watchesDigest,
    problems,
    watchFile,
    kept: kept ? { hash: kept[0], date: kept[1] } : null,
  };
  if (timer !== null) builder.treeStableTimer = timer;
  return builder;
}

function isConfirmed(value: unknown): value is Confirmed {
  if (value === null || typeof value !== "object") return false;
  const c = value as Record<string, unknown>;
  return typeof c.stamp === "string" && typeof c.digest === "string" && typeof c.racy === "boolean";
}

const LEVELS = new Set(["error", "warning", "info"]);

function isProblem(value: unknown): value is Problem {
  if (value === null || typeof value !== "object") return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.level === "string" &&
    LEVELS.has(p.level) &&
    typeof p.message === "string" &&
    (p.builder === undefined || typeof p.builder === "string") &&
    (p.file === undefined || typeof p.file === "string") &&
    (p.line === undefined || typeof p.line === "number")
  );
}

const STATUSES = new Set(["accepted", "missing", "rejected", "ignored"]);

function isWatchFileStatus(value: unknown): value is WatchFileStatus {
  if (value === null || typeof value !== "object") return false;
  const s = value as Record<string, unknown>;
  return typeof s.status === "string" && STATUSES.has(s.status) && typeof s.file === "string";
}
