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

/**
 * The distinct watches of a merge, each with a number and its JSON text in the state: a
 * builder is a list of numbers, its state line is those texts joined, and the cache stores
 * each distinct watch once.
 */
export class WatchTable {
  /** The numbers of the watches of each URL and branch: made when a watch is first numbered (a merge that numbers none never needs it). */
  private byUrl: Map<string, Map<string, number[]>> | undefined;
  /** The URLs `byUrl` holds when only some were indexed (`indexOnly`); undefined when it holds every URL. */
  private indexedUrls: ReadonlySet<string> | undefined;
  readonly watches: TableWatch[] = [];
  private readonly texts: string[] = [];

  /** The number of this watch (a new one when unknown). */
  id(watch: TableWatch): number {
    const ids = this.candidates(watch);
    for (const id of ids) if (sameWatch(this.watches[id]!, watch)) return id;
    const id = this.watches.length;
    ids.push(id);
    this.watches.push({ vcs: watch.vcs, url: watch.url, original: watch.original, branch: watch.branch, from: [...watch.from] });
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
    for (const [id, known] of this.watches.entries()) if (!only || only(known.url)) this.slot(known.url, known.branch).push(id);
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
    const watch = this.watches[id];
    if (watch === undefined) throw new RangeError(`no watch ${id} in the table`);
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

  /** The table's line in the cache: its rows as a JSON array. */
  storedText(): string {
    return JSON.stringify(this.watches.map(storedRow));
  }

  /**
   * The table's line after the watches numbered since it was read from `read` (the line as
   * read, `count` rows): those rows appended to the bytes as they were, nothing parsed again.
   */
  storedTextAfter(read: Uint8Array, count: number): Piece[] {
    if (this.watches.length === count) return [read];
    const added = JSON.stringify(this.watches.slice(count).map(storedRow)).slice(1);
    return [read.subarray(0, read.length - 1), count === 0 ? added : `,${added}`];
  }

  /** The table back from its stored form (as its digest vouches: written so); undefined when a row is not one. */
  static fromStored(rows: unknown): WatchTable | undefined {
    if (!Array.isArray(rows)) return undefined;
    const table = new WatchTable();
    const sources = new Map<string, WatchSource[]>();
    for (const row of rows as unknown[]) {
      if (!Array.isArray(row) || row.length !== 5 || !row.every((cell) => typeof cell === "string")) return undefined;
      const [vcs, url, original, branch, from] = row as StoredWatch;
      if (!VCS.has(vcs)) return undefined;
      let list = sources.get(from);
      if (list === undefined) {
        list = from.split(",") as WatchSource[];
        if (!list.every((source) => SOURCES.has(source))) return undefined;
        sources.set(from, list);
      }
      table.watches.push({ vcs: vcs as Vcs, url, original: original === "" ? url : original, branch, from: list });
    }
    return table;
  }
}

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
