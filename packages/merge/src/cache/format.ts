import type { PollerTally } from "../pollers.js";
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

/** Counts the merge's summary shows, so that a merge of an unchanged farm needs no state parsed. */
export interface StateCounts {
  builders: number;
  scheduled: number;
  watching: number;
  pollers: number;
}

/** The cache as one merge leaves it for the next. */
export interface MergeCacheData {
  /** Identity of the code that wrote it and of the merge's settings: another one is foreign. */
  code: string;
  key: string;
  /** When the merge that wrote it started (ns, wall clock). */
  startedNs: string;
  /** The day of that merge (accepted builders' last good entries are dated with it). */
  today: string;
  /** Digest of the problems no builder's merge makes (rewrite files, watch directory, store, old files, strays). */
  global: string;
  /** Each manifest, in the order given. */
  manifests: Confirmed[];
  manifestProblems: Problem[];
  /** STATE.factories as written for these manifests, null when not written. */
  factories: Confirmed | null;
  /** The state file as written, the identity of its text (fingerprint, flags, problems), its fingerprint and counts. */
  state: (Confirmed & { text: string; fingerprint: string; counts: StateCounts }) | null;
  /** The last-good store's index after this merge saved it, null when there is none. */
  lastGoodIndex: Confirmed | null;
  table: WatchTable;
  /** In manifest order, one per builder name. */
  builders: CachedBuilder[];
}

/** What a merge of an unchanged farm checks: everything but the builders' results. */
export type CacheCheck = Omit<MergeCacheData, "table" | "builders" | "manifestProblems"> & {
  builders: Pick<CachedBuilder, "name" | "input" | "racy" | "digest" | "lastGood">[];
};

interface Head {
  schema: typeof CACHE_SCHEMA;
  code: string;
  key: string;
  /** sha256 (base64) of each body line: a damaged or torn body is never read as a cache. */
  check: string;
  payload: string;
}

type CheckRow = [name: string, input: string, racy: boolean, digest: string | null, lastGood: string | null];

type StoredBuilder = [
  section: string,
  flags: number,
  treeStableTimer: number | null,
  watches: number[],
  watchesDigest: string,
  problems: Problem[],
  watchFile: WatchFileStatus,
  kept: [string, string | null] | null,
];

/**
 * Three lines: a head (schema, code, settings, digests of the two others), what a merge of an
 * unchanged farm checks (stamps), and the builders' results (read only when something changed).
 */
export function serializeCache(data: MergeCacheData): string {
  return serializeWithPayload(data, payloadOf(data));
}

/** The builders' results line. */
export function payloadOf(data: MergeCacheData): string {
  // JSON.stringify of {manifestProblems, watches, builders}, each builder's text made once per record
  let builders = "";
  for (const [index, builder] of data.builders.entries()) {
    let text = storedText.get(builder);
    if (text === undefined) storedText.set(builder, (text = JSON.stringify(storedBuilder(builder))));
    builders += index === 0 ? text : `,${text}`;
  }
  return `{"manifestProblems":${JSON.stringify(data.manifestProblems)},"watches":${JSON.stringify(data.table.toStored())},"builders":[${builders}]}`;
}

/** A record's text in the payload (records are not changed once made; a process holding the cache writes most again). */
const storedText = new WeakMap<CachedBuilder, string>();

/** The cache with these check fields and a payload line as it was (a merge of an unchanged farm that confirmed racy stamps). */
export function serializeWithPayload(check: CacheCheck | MergeCacheData, payload: string): string {
  const checkText = JSON.stringify({
    startedNs: check.startedNs,
    today: check.today,
    global: check.global,
    manifests: check.manifests,
    factories: check.factories,
    state: check.state,
    lastGoodIndex: check.lastGoodIndex,
    builders: check.builders.map((b): CheckRow => [b.name, b.input, b.racy, b.digest, b.lastGood]),
  });
  const head: Head = { schema: CACHE_SCHEMA, code: check.code, key: check.key, check: digest(checkText), payload: digest(payload) };
  return `${JSON.stringify(head)}\n${checkText}\n${payload}\n`;
}

const digest = (text: string) => oneShotHash("sha256", text, "base64");

function storedBuilder(b: CachedBuilder): StoredBuilder {
  const flags = (b.schedule ? 1 : 0) | (b.autoWatch ? 2 : 0);
  const kept: StoredBuilder[7] = b.kept ? [b.kept.hash, b.kept.date] : null;
  return [b.section, flags, b.treeStableTimer ?? null, b.watches, b.watchesDigest, b.problems, b.watchFile, kept];
}

/** A cache read: its check part, its payload line, and the whole cache when the payload is parsed. */
export interface ReadCache {
  check: CacheCheck;
  /** Taken from this process's memory (see held.ts), not read from the file. */
  held?: boolean;
  /** The pollers as the merge that wrote it tallied them (a held cache only). */
  tally?: PollerTally;
  payloadText(): string;
  /** The payload line is the one the head's digest names (not damaged). */
  intact(): boolean;
  /** Parses the builders' results; undefined when they are damaged. */
  full(): MergeCacheData | undefined;
}

/**
 * The cache in `text` when it was written by this code for these settings and is whole;
 * undefined otherwise (another version or settings, damaged, torn, not a cache): it is then
 * rebuilt, never trusted. Only the check line is parsed here.
 */
export function parseCache(bytes: Buffer, code: string, key: string): ReadCache | undefined {
  const NEWLINE = 10;
  const first = bytes.indexOf(NEWLINE);
  const second = first < 0 ? -1 : bytes.indexOf(NEWLINE, first + 1);
  if (second < 0 || bytes[bytes.length - 1] !== NEWLINE) return undefined;
  try {
    const head = JSON.parse(bytes.toString("utf8", 0, first)) as Partial<Head> | null;
    if (!head || head.schema !== CACHE_SCHEMA || head.code !== code || head.key !== key) return undefined;
    const checkText = bytes.toString("utf8", first + 1, second);
    if (digest(checkText) !== head.check) return undefined;
    const check = parseCheck(JSON.parse(checkText) as Record<string, unknown>, code, key);
    if (!check) return undefined;
    // the builders' results are decoded and checked only when a merge needs them; once parsed,
    // the bytes are let go (a 10,000-builder cache is 10 MB)
    let payload: Buffer | undefined = bytes.subarray(second + 1, bytes.length - 1);
    let text: string | undefined;
    const payloadText = () => (text ??= payload?.toString("utf8") ?? "");
    let whole: boolean | undefined;
    const intact = () => (whole ??= payload !== undefined && oneShotHash("sha256", payload, "base64") === head.payload);
    const full = () => {
      const data = intact() ? parsePayload(check, payloadText()) : undefined;
      payload = undefined;
      text = undefined;
      return data;
    };
    return { check, payloadText, intact, full };
  } catch {
    return undefined;
  }
}

function parseCheck(body: Record<string, unknown>, code: string, key: string): CacheCheck | undefined {
  const { startedNs, today, global, manifests, factories, state, lastGoodIndex, builders } = body;
  if (typeof startedNs !== "string" || !/^\d+$/.test(startedNs) || typeof today !== "string" || typeof global !== "string") return undefined;
  if (!Array.isArray(manifests) || !manifests.every(isConfirmed) || !Array.isArray(builders)) return undefined;
  if (!(factories === null || isConfirmed(factories)) || !(lastGoodIndex === null || isConfirmed(lastGoodIndex))) return undefined;
  if (!(state === null || isStateEntry(state))) return undefined;
  const rows: CacheCheck["builders"] = [];
  for (const row of builders as unknown[]) {
    if (!Array.isArray(row) || row.length !== 5) return undefined;
    const [name, input, racy, rowDigest, lastGood] = row as CheckRow;
    if (typeof name !== "string" || typeof input !== "string" || typeof racy !== "boolean") return undefined;
    if (!(rowDigest === null || typeof rowDigest === "string") || !(lastGood === null || typeof lastGood === "string")) return undefined;
    rows.push({ name, input, racy, digest: rowDigest, lastGood });
  }
  return {
    code,
    key,
    startedNs,
    today,
    global,
    manifests: manifests as Confirmed[],
    factories: factories as Confirmed | null,
    state: state as CacheCheck["state"],
    lastGoodIndex: lastGoodIndex as Confirmed | null,
    builders: rows,
  };
}

function parsePayload(check: CacheCheck, text: string): MergeCacheData | undefined {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const table = WatchTable.fromStored(body.watches);
    const { manifestProblems } = body;
    if (!table || !Array.isArray(body.builders) || body.builders.length !== check.builders.length) return undefined;
    if (!Array.isArray(manifestProblems) || !manifestProblems.every(isProblem)) return undefined;
    const builders: CachedBuilder[] = [];
    for (const [index, row] of (body.builders as unknown[]).entries()) {
      const builder = cachedBuilder(row, check.builders[index]!, table.watches.length);
      if (!builder) return undefined;
      builders.push(builder);
    }
    return { ...check, manifestProblems, table, builders };
  } catch {
    return undefined;
  }
}

function cachedBuilder(row: unknown, checked: CacheCheck["builders"][number], watchCount: number): CachedBuilder | undefined {
  if (!Array.isArray(row) || row.length !== 8) return undefined;
  const [section, flags, timer, watches, watchesDigest, problems, watchFile, kept] = row as StoredBuilder;
  if (typeof section !== "string" || typeof watchesDigest !== "string" || typeof flags !== "number") return undefined;
  if (!(timer === null || typeof timer === "number")) return undefined;
  if (!Array.isArray(watches) || !watches.every((id) => Number.isInteger(id) && id >= 0 && id < watchCount)) return undefined;
  if (!Array.isArray(problems) || !problems.every(isProblem) || !isWatchFileStatus(watchFile)) return undefined;
  if (!(kept === null || (Array.isArray(kept) && kept.length === 2 && typeof kept[0] === "string" && (kept[1] === null || typeof kept[1] === "string"))))
    return undefined;
  const builder: CachedBuilder = {
    ...checked,
    section,
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

function isStateEntry(value: unknown): boolean {
  if (!isConfirmed(value)) return false;
  const s = value as unknown as Record<string, unknown>;
  const counts = s.counts as Record<string, unknown> | null;
  return (
    typeof s.text === "string" &&
    typeof s.fingerprint === "string" &&
    counts !== null &&
    typeof counts === "object" &&
    ["builders", "scheduled", "watching", "pollers"].every((k) => typeof counts[k] === "number")
  );
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
