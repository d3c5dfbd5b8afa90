// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { BuilderWatch, Vcs, WatchSource } from "@autowatch/watchfile";
import { escapeJsonText } from "@autowatch/watchfile/text";
import type { CachedBuilder, Piece } from "./format.js";

/**
 * One distinct watch as a merged builder has it: what the state writes (vcs, URL, branch,
 * sources) and the URL the worker or manifest gave (its poller's identity). A farm of 10,000
 * builders × 20 watches has a few tens of thousands of distinct ones.
 */
export interface TableWatch {
  vcs: Vcs;
  url: string;
  original: string;
  branch: string;
  from: WatchSource[];
}

/** As stored: `[vcs, url, original or "" when it is the URL, branch, sources joined by ","]`. */
export type StoredWatch = [string, string, string, string, string];

/** Between two stored rows: a tab is never in JSON text unescaped, so rows are found without parsing them. */
const ROW_SEPARATOR = "\t";

/**
 * The distinct watches of a merge, each with a number and its JSON text in the state: a
 * builder is a list of numbers, its state line is those texts joined, and the cache stores
 * each distinct watch once. A table read back from the cache decodes a row when it is first
 * asked for: a merge of a few builders looks at a few hundred of 48,000.
 */
export class WatchTable {
  /** The numbers of the watches of each URL and branch: made when a watch is first numbered (a merge that numbers none never needs it). */
  private byUrl: Map<string, Map<string, number[]>> | undefined;
  /** The URLs `byUrl` holds when only some were indexed (`indexOnly`); undefined when it holds every URL. */
  private indexedUrls: ReadonlySet<string> | undefined;
  /** Each watch by its number; a stored row is undefined until decoded. */
  private readonly rows: (TableWatch | undefined)[] = [];
  private readonly texts: string[] = [];

  /** An empty table, or (`fromStored`) the rows of a stored line: where each starts, and whether any has an escape. */
  constructor(private readonly stored?: { line: string; starts: readonly number[]; escaped: boolean }) {
    if (stored) this.rows.length = stored.starts.length;
  }

  /** How many watches are numbered. */
  get size(): number {
    return this.rows.length;
  }

  /** The number of this watch (a new one when unknown). */
  id(watch: TableWatch): number {
    const ids = this.candidates(watch);
    for (const id of ids) if (sameWatch(this.get(id), watch)) return id;
    const id = this.rows.length;
    ids.push(id);
    this.rows.push({ vcs: watch.vcs, url: watch.url, original: watch.original, branch: watch.branch, from: [...watch.from] });
    return id;
  }

  /**
   * Indexes only the watches of these URLs before `id` numbers watches of them: a merge that
   * numbers a few builders' watches looks at the table's URLs once instead of indexing 48,000
   * rows. A watch of another URL numbered later has the whole table indexed.
   */
  indexOnly(urls: ReadonlySet<string>): void {
    if (this.byUrl !== undefined) return;
    this.index((url) => urls.has(url));
    this.indexedUrls = urls;
  }

  private index(only?: (url: string) => boolean): void {
    this.byUrl = new Map();
    this.indexedUrls = undefined;
    for (let id = 0; id < this.rows.length; id++) {
      const url = this.urlOf(id);
      if (!only || only(url)) this.slot(url, this.get(id).branch).push(id);
    }
  }

  /** The numbers of every watch of this URL (indexed as `id` indexes, when it was not). */
  idsOfUrl(url: string): number[] {
    if (this.byUrl === undefined || (this.indexedUrls !== undefined && !this.indexedUrls.has(url))) this.index();
    const byBranch = this.byUrl!.get(url);
    return byBranch === undefined ? [] : [...byBranch.values()].flat();
  }

  /** The numbers of the watches with this one's URL and branch (the list the table keeps: a new one is added to it). */
  private candidates(watch: TableWatch): number[] {
    if (this.byUrl === undefined || (this.indexedUrls !== undefined && !this.indexedUrls.has(watch.url))) this.index();
    return this.slot(watch.url, watch.branch);
  }

  private slot(url: string, branch: string): number[] {
    let byBranch = this.byUrl!.get(url);
    if (byBranch === undefined) this.byUrl!.set(url, (byBranch = new Map()));
    let ids = byBranch.get(branch);
    if (ids === undefined) byBranch.set(branch, (ids = []));
    return ids;
  }

  get(id: number): TableWatch {
    if (!(id >= 0 && id < this.rows.length)) throw new RangeError(`no watch ${id} in the table`);
    return (this.rows[id] ??= this.decode(id));
  }

  /** Every stored row decoded now: false when one is not a watch (the cache is then not used). */
  decodeAll(): boolean {
    try {
      for (let id = 0; id < this.rows.length; id++) this.get(id);
      return true;
    } catch (error) {
      if (error instanceof DamagedTableError) return false;
      throw error;
    }
  }

  /** A watch's URL: read from its stored row without decoding the rest, when the row has no escape. */
  private urlOf(id: number): string {
    const decoded = this.rows[id];
    if (decoded !== undefined || !this.stored || this.stored.escaped) return this.get(id).url;
    const { line, starts } = this.stored;
    // `["vcs","url",`: the VCS is one word, the URL's closing quote the next quote after its opening one
    const open = line.indexOf('"', line.indexOf('"', starts[id]! + 2) + 1);
    return line.slice(open + 1, line.indexOf('"', open + 1));
  }

  private decode(id: number): TableWatch {
    const { line, starts } = this.stored!;
    const end = id + 1 < starts.length ? starts[id + 1]! - ROW_SEPARATOR.length : line.length;
    let row: unknown;
    try {
      row = JSON.parse(line.slice(starts[id], end));
    } catch {
      row = undefined;
    }
    const watch = watchOfRow(row);
    if (!watch) throw new DamagedTableError(id);
    return watch;
  }

  /** The watch as the state file writes it (one element of a builder's `watches`). */
  text(id: number): string {
    let text = this.texts[id];
    if (text === undefined) {
      const { vcs, url, branch, from } = this.get(id);
      const watch: BuilderWatch = { vcs, url, branch, from };
      this.texts[id] = text = escapeJsonText(JSON.stringify(watch));
    }
    return text;
  }

  /** A builder's `watches` as JSON text: what `watchesJson` gives for the same list. */
  json(ids: readonly number[]): string {
    let text = "[";
    for (let index = 0; index < ids.length; index++) text += index === 0 ? this.text(ids[index]!) : `,${this.text(ids[index]!)}`;
    return `${text}]`;
  }

  /**
   * The table's line in the cache, as pieces: the line as read (`readBytes`, its bytes in the
   * cache file, copied as they are when given), then each row numbered since.
   */
  *storedPieces(readBytes?: Uint8Array): Generator<Piece> {
    const stored = this.stored?.starts.length ?? 0;
    if (stored > 0) yield readBytes ?? this.stored!.line;
    yield* this.rowsFrom(stored);
  }

  /** The rows numbered `from` on, as stored: each one's JSON text, after a tab unless it is the first row. */
  private *rowsFrom(from: number): Generator<string> {
    for (let id = from; id < this.rows.length; id++) {
      const text = JSON.stringify(storedRow(this.get(id)));
      yield id === 0 ? text : `${ROW_SEPARATOR}${text}`;
    }
  }

  /** The table back from its stored line (as its digest vouches: written so); undefined when a row is not one. */
  static fromStored(line: string): WatchTable | undefined {
    const starts: number[] = [];
    if (line.length > 0) {
      starts.push(0);
      for (let tab = line.indexOf(ROW_SEPARATOR); tab >= 0; tab = line.indexOf(ROW_SEPARATOR, tab + 1)) starts.push(tab + 1);
    }
    const OPEN = 0x5b; // [
    const CLOSE = 0x5d; // ]
    // indexed loops in what runs once per row of a large farm: an iterator allocates per step until optimised
    for (let index = 0; index < starts.length; index++) {
      const end = index + 1 < starts.length ? starts[index + 1]! - 1 : line.length;
      if (line.charCodeAt(starts[index]!) !== OPEN || line.charCodeAt(end - 1) !== CLOSE) return undefined;
    }
    return new WatchTable({ line, starts, escaped: line.includes("\\") });
  }
}

/** A stored row decoded later was written by this code: only a damaged cache (its checksum missed it) has one that is not a watch. */
export class DamagedTableError extends Error {
  constructor(id: number) {
    super(`merge cache damaged: row ${id} of its watch table is not a watch (delete the cache file: the next merge rebuilds it)`);
  }
}

function watchOfRow(row: unknown): TableWatch | undefined {
  if (!Array.isArray(row) || row.length !== 5 || !row.every((cell) => typeof cell === "string")) return undefined;
  const [vcs, url, original, branch, from] = row as StoredWatch;
  if (!VCS.has(vcs)) return undefined;
  let list = sourceLists.get(from);
  if (list === undefined) {
    list = from.split(",") as WatchSource[];
    if (!list.every((source) => SOURCES.has(source))) return undefined;
    sourceLists.set(from, list);
  }
  return { vcs: vcs as Vcs, url, original: original === "" ? url : original, branch, from: list };
}

/** The few lists of sources, shared by every watch that has them. */
const sourceLists = new Map<string, WatchSource[]>();

function storedRow(w: TableWatch): StoredWatch {
  return [w.vcs, w.url, w.original === w.url ? "" : w.original, w.branch, w.from.join(",")];
}

function sameWatch(a: TableWatch, b: TableWatch): boolean {
  return (
    a.vcs === b.vcs &&
    a.original === b.original &&
    a.branch === b.branch &&
    a.from.length === b.from.length &&
    a.from.every((source, index) => source === b.from[index])
  );
}

const VCS: ReadonlySet<string> = new Set(["git", "hg", "bzr", "svn"]);
const SOURCES: ReadonlySet<string> = new Set(["auto", "manual", "buildout"]);

/** How many of the table's watches the records use (marked in a byte per watch: 200,000 ids at 10,000 builders). */
export function usedWatches(watchCount: number, builders: readonly CachedBuilder[]): number {
  const used = new Uint8Array(watchCount);
  let count = 0;
  for (const builder of builders) {
    for (const id of builder.watches) {
      if (used[id] === 0) count++;
      used[id] = 1;
    }
  }
  return count;
}

/** The records renumbered into a table of the watches they use. */
export function compact(old: WatchTable, builders: CachedBuilder[]): { table: WatchTable; builders: CachedBuilder[] } {
  const table = new WatchTable();
  return { table, builders: builders.map((b) => ({ ...b, watches: b.watches.map((id) => table.id(old.get(id))) })) };
}
