import { Checksum, checksumOf } from "./checksum.js";
import type { Problem } from "@autowatch/watchfile";
import { PollerKinds } from "../pollers.js";
import type { WatchFileStatus } from "../types.js";
import type { WatchTable } from "./table.js";

export const CACHE_SCHEMA = "autowatch.merge-cache/7";

/**
 * A file the cache vouches for by its stamp: the stamp, the checksum of its bytes (`Checksum`), and
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
  /** When the merge that wrote it started (ms, wall clock). */
  startedMs: number;
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

/**
 * What a merge checks before it reads any builder's result: per builder, its inputs and what
 * the state says of it (so that a merge that changes a few builders reads only their results).
 */
export type CheckedBuilder = Pick<
  CachedBuilder,
  "name" | "input" | "racy" | "digest" | "lastGood" | "schedule" | "autoWatch" | "treeStableTimer" | "watchesDigest"
> & {
  watchCount: number;
  problemCount: number;
};

/** What a merge of an unchanged farm checks: everything but the builders' results. */
export type CacheCheck = Omit<MergeCacheData, "table" | "builders" | "manifestProblems"> & { builders: CheckedBuilder[] };

export interface Head {
  schema: typeof CACHE_SCHEMA;
  code: string;
  key: string;
  /** The checksum (`Checksum`) of the check line (the payload's is the file's last line): a damaged or torn body is never read as a cache. */
  check: string;
}

/** The cache file's last line: the checksum of the payload before it. */
export interface Trailer {
  payload: string;
}

export type CheckRow = [
  name: string,
  input: string,
  racy: boolean,
  digest: string | null,
  lastGood: string | null,
  flags: number,
  treeStableTimer: number | null,
  watchesDigest: string,
  watchCount: number,
  problemCount: number,
];

export type StoredBuilder = [section: string, watches: number[], problems: Problem[], watchFile: WatchFileStatus, kept: [string, string | null] | null];

/** The payload's second line (after the watch table's): what every builder's result refers to. */
export interface PayloadHead {
  manifestProblems: Problem[];
  /** Per watch of the table: how many builders have it, and how many scheduled ones (their pollers). */
  tally: number[];
  /** The URLs builders watch as more than one VCS kind (a splice looks again only at the URLs it touches). */
  mixed: string[];
}

/** A piece of the cache file: text, or bytes taken as they are from the cache read. */
export type Piece = string | Uint8Array;

/**
 * The cache file: a head (schema, code, settings, digests of the rest), what a merge checks
 * before it reads any result (stamps, and what the state says of each builder), then the
 * payload: the watch table's line (a merge that numbers new watches appends them to it as
 * bytes), a line of what the results refer to (the manifests' problems, the table's tally), and
 * one line per builder's result, read only for the builders a merge needs.
 */
export function serializeCache(data: MergeCacheData): string {
  return [...cachePieces({ ...data, builders: data.builders.map(checkedOf) }, payloadPieces(data))]
    .map((piece) => (typeof piece === "string" ? piece : Buffer.from(piece).toString("utf8")))
    .join("");
}

/** The payload's pieces, made as they are asked for: the table's line, its head line, then a newline and a line per record. */
export function* payloadPieces(data: MergeCacheData): Generator<Piece> {
  yield* data.table.storedPieces();
  yield "\n";
  const tally = tallyOf(data.table.size, data.builders);
  yield payloadHeadText(data.manifestProblems, tally, mixedUrls(data.table, tally));
  for (const builder of data.builders) {
    yield "\n";
    yield recordText(builder);
  }
}

/** Per watch: builders that have it, and scheduled builders that have it (what their pollers are made of). */
export function tallyOf(watchCount: number, builders: readonly Pick<CachedBuilder, "watches" | "schedule">[]): number[] {
  const tally = new Array<number>(2 * watchCount).fill(0);
  for (const builder of builders) countInto(tally, builder, 1);
  return tally;
}

/** Adds (1) or takes back (-1) a builder's watches. */
export function countInto(tally: number[], builder: Pick<CachedBuilder, "watches" | "schedule">, sign: 1 | -1): void {
  for (const id of builder.watches) {
    tally[2 * id] = (tally[2 * id] ?? 0) + sign;
    if (builder.schedule) tally[2 * id + 1] = (tally[2 * id + 1] ?? 0) + sign;
  }
}

/** A record's line: the text it was read from when it was read back (written again as it was), else made now. */
export function recordText(builder: CachedBuilder): string {
  return storedText.get(builder) ?? JSON.stringify(storedBuilder(builder));
}

const storedText = new WeakMap<CachedBuilder, string>();

/** Notes the line a record was read from: it is written again as it was. */
export function rememberRecordText(builder: CachedBuilder, text: string): void {
  storedText.set(builder, text);
}

/** The payload's head line (`PayloadHead`). */
export function payloadHeadText(manifestProblems: readonly Problem[], tally: readonly number[], mixed: readonly string[]): string {
  return JSON.stringify({ manifestProblems, tally, mixed });
}

/** The URLs some builder watches (per `tally`) as more than one VCS kind, as the whole merge finds them (`PollerKinds`). */
export function mixedUrls(table: WatchTable, tally: readonly number[]): string[] {
  const kinds = new PollerKinds();
  for (let id = 0; id < table.size; id++) if (tally[2 * id]! > 0) kinds.add(table.get(id), false);
  return kinds.mixedUrls();
}

/**
 * The cache file as pieces to write: the head line and the check line, the payload (its checksum
 * taken as it goes), and that checksum as the last line. One walk of the payload: its pieces are
 * made as they are written, so that a whole merge's 10 MB of record lines are never all held.
 */
export function* cachePieces(check: CacheCheck, payload: Iterable<Piece>): Generator<Piece> {
  // encoded once, for its checksum and the file (a 2 MB text encoded twice costs 2-3 ms)
  const checkLine = Buffer.from(
    JSON.stringify({
      startedMs: check.startedMs,
      today: check.today,
      global: check.global,
      manifests: check.manifests,
      factories: check.factories,
      state: check.state,
      lastGoodIndex: check.lastGoodIndex,
      builders: check.builders.map(checkRow),
    }),
  );
  const head: Head = { schema: CACHE_SCHEMA, code: check.code, key: check.key, check: checksumOf(checkLine) };
  yield `${JSON.stringify(head)}\n`;
  yield checkLine;
  yield "\n";
  const payloadHash = new Checksum();
  for (const piece of payload) {
    payloadHash.update(piece);
    yield piece;
  }
  const trailer: Trailer = { payload: payloadHash.digest() };
  yield `\n${JSON.stringify(trailer)}\n`;
}

function checkRow(b: CheckedBuilder): CheckRow {
  const flags = (b.schedule ? 1 : 0) | (b.autoWatch ? 2 : 0);
  return [b.name, b.input, b.racy, b.digest, b.lastGood, flags, b.treeStableTimer ?? null, b.watchesDigest, b.watchCount, b.problemCount];
}

/** A builder's row of the check line, from its record. */
export function checkedOf(b: CachedBuilder): CheckedBuilder {
  const row: CheckedBuilder = {
    name: b.name,
    input: b.input,
    racy: b.racy,
    digest: b.digest,
    lastGood: b.lastGood,
    schedule: b.schedule,
    autoWatch: b.autoWatch,
    watchesDigest: b.watchesDigest,
    watchCount: b.watches.length,
    problemCount: b.problems.length,
  };
  if (b.treeStableTimer !== undefined) row.treeStableTimer = b.treeStableTimer;
  return row;
}

function storedBuilder(b: CachedBuilder): StoredBuilder {
  return [b.section, b.watches, b.problems, b.watchFile, b.kept ? [b.kept.hash, b.kept.date] : null];
}
