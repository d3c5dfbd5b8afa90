import { hash as oneShotHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Problem } from "@autowatch/watchfile";
import { safeBuilderFileName, compareText, makeProblem, writeFileAtomicSync } from "@autowatch/watchfile/text";
import { entryShape, keptOrigin, type AutoEntry } from "./decode.js";
import type { LastGoodEntry, LastGoodFailure, LastGoodSource } from "./types.js";
import { errorCode } from "./watchdir.js";

const LASTGOOD_SCHEMA_ID = "autowatch.lastgood/1";
const INDEX_SCHEMA_ID = "autowatch.lastgood-index/1";
/** Never a builder's file: builder file names never start with a dot. */
export const LASTGOOD_INDEX = ".index.json";

interface Indexed {
  /** contentHash of the stored watches. */
  hash: string;
  /** The last day they were accepted. */
  date: string;
}

/**
 * The last-good store: a directory with one small file per builder (its last accepted
 * watches) and one index, `.index.json` (builder → content hash and the last day that
 * content was accepted). A run reads the index only; a builder's own file is read when
 * its watch file is rejected, and written when the content it accepts changes. Every file
 * is replaced by an atomic rename, so a reader never sees a half-written one.
 *
 * Two merges at once: each writes the builder files whose content it saw change, then its
 * whole index; the last index written wins, so the other run's index update can be lost
 * (never a builder file: those are only replaced by content some run accepted). A lost
 * update costs at most one needless rewrite of that builder's file later, or, when a
 * stored file no longer matches the indexed hash, the file's own date in the "last good
 * watches from DATE kept" message instead of a later day the same content was accepted.
 */
export class LastGoodStore implements LastGoodSource {
  /** Index entries as read, then as updated by `save`. */
  private readonly index: Map<string, Indexed>;

  /** @internal Made by `loadLastGood` (public as a type only). */
  constructor(
    readonly dir: string,
    index: Map<string, Indexed>,
    private readonly indexText: string | undefined,
  ) {
    this.index = index;
  }

  /** The file that holds a builder's last good watches. */
  fileOf(builder: string): string {
    return join(this.dir, `${safeBuilderFileName(builder)}.json`);
  }

  /** A builder's index row as read or saved (content hash and day), undefined when it has none. */
  indexed(builder: string): Readonly<Indexed> | undefined {
    return this.index.get(builder);
  }

  /** A builder's last good watches, read from its file now (undefined when there is none). */
  get(builder: string): LastGoodEntry | LastGoodFailure | undefined {
    const file = this.fileOf(builder);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = errorCode(error);
      return code === "ENOENT" ? undefined : { file, failure: `last-good file unreadable (${code})`, code: "merge.lastgood.unreadable" };
    }
    const entry = parseLastGood(text);
    if (!entry || entry.builder !== builder) return { file, failure: "last-good file is not valid: ignored", code: "merge.lastgood.invalid" };
    const indexed = this.index.get(builder);
    // the index knows a later day the same content was accepted
    const date = indexed && indexed.hash === contentHash(entry.watches) && indexed.date > entry.date ? indexed.date : entry.date;
    return { date, watches: entry.watches };
  }

  /**
   * Records this run's last good watches: a builder's file is written only when its content
   * hash differs from the indexed one, the index only when something in it changed.
   * Returns the builders whose file was written.
   */
  async save(lastGood: ReadonlyMap<string, LastGoodEntry>): Promise<string[]> {
    const changed: string[] = [];
    let indexChanged = this.indexText === undefined;
    for (const [builder, entry] of lastGood) {
      const hash = entry.hash ?? contentHash(entry.watches);
      const indexed = this.index.get(builder);
      if (indexed?.hash !== hash) changed.push(builder);
      if (indexed?.hash !== hash || indexed.date < entry.date) {
        this.index.set(builder, { hash, date: entry.date });
        indexChanged = true;
      }
    }
    // serialised only when an entry changed: sorting 10,000 rows for nothing costs more than the check
    if (changed.length === 0 && !indexChanged) return [];
    const indexText = serializeIndex(this.index);
    if (changed.length === 0 && indexText === this.indexText) return [];
    mkdirSync(this.dir, { recursive: true });
    // no fsync: a last-good file lost in a crash is only reported and skipped. One file after
    // the other, each text made when its write starts (a first run writes every builder's):
    // a temporary file and a rename take about 0.05 ms here, where write-file-atomic took
    // 0.7 ms a file, run 16 at once or not
    for (const builder of changed) {
      writeFileAtomicSync(join(this.dir, `${safeBuilderFileName(builder)}.json`), serializeLastGood(builder, lastGood.get(builder)!), {
        fsync: false,
        preserve: false,
      });
    }
    // the index last: it never names content that is not on disk yet
    if (indexText !== this.indexText) writeFileAtomicSync(join(this.dir, LASTGOOD_INDEX), indexText, { fsync: false, preserve: false });
    return changed.sort(compareText);
  }
}

/** Opens the store: reads its index only (a missing or damaged index is rebuilt as builders are accepted). */
export function loadLastGood(dir: string): { lastGood: LastGoodStore; problems: Problem[] } {
  const problems: Problem[] = [];
  const file = join(dir, LASTGOOD_INDEX);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = errorCode(error);
    if (code !== "ENOENT") problems.push(makeProblem("warning", "merge.lastgood.unreadable", `last-good store unreadable (${code})`, { file: dir }));
  }
  const index = text === undefined ? new Map<string, Indexed>() : parseIndex(text);
  if (index === undefined) problems.push(makeProblem("warning", "merge.lastgood.invalid", "last-good file is not valid: ignored", { file }));
  return { lastGood: new LastGoodStore(dir, index ?? new Map(), index === undefined ? undefined : text), problems };
}

/** Writes this run's last good watches to the store in `dir`; returns the builders whose file was written. */
export async function saveLastGood(
  dir: string,
  lastGood: ReadonlyMap<string, LastGoodEntry>,
  store: LastGoodStore = loadLastGood(dir).lastGood,
): Promise<string[]> {
  return store.save(lastGood);
}

export function serializeLastGood(builder: string, entry: LastGoodEntry): string {
  const watches = entry.watches.map(({ vcs, url, branch, origin }) => ({ vcs, url, revspec: branch, ...(origin ? { origin: keptOrigin(origin) } : {}) }));
  return `${JSON.stringify({ schema: LASTGOOD_SCHEMA_ID, builder, date: entry.date, watches }, null, 2)}\n`;
}

/** Identifies the watches whatever the day: what decides whether a builder's file is rewritten. */
export function contentHash(watches: readonly AutoEntry[]): string {
  let hash = hashes.get(watches);
  if (hash === undefined) hashes.set(watches, (hash = computeContentHash(watches)));
  return hash;
}

/** Entries are never mutated once made: one hashed once is not hashed again. */
const hashes = new WeakMap<readonly AutoEntry[], string>();

function computeContentHash(watches: readonly AutoEntry[]): string {
  // concatenation is cheaper than JSON for 200,000 entries; origin.file may hold anything a
  // worker sent, so it is length-prefixed (the other fields passed the control-character checks)
  let text = "";
  for (const { vcs, url, branch, origin } of watches) {
    text += origin
      ? `${vcs}\u0000${url}\u0000${branch}\u0000${origin.file.length}:${origin.file}\u0000${origin.line ?? ""}\n`
      : `${vcs}\u0000${url}\u0000${branch}\u0000\n`;
  }
  // one-shot: cheaper than a Hash object per builder
  return oneShotHash("sha256", text);
}

function serializeIndex(index: ReadonlyMap<string, Indexed>): string {
  // each string on its own: cheaper than JSON.stringify of 10,000 arrays, the same text
  const lines = [...index]
    .sort(([a], [b]) => compareText(a, b))
    .map(([builder, { hash, date }]) => `[${JSON.stringify(builder)},${JSON.stringify(hash)},${JSON.stringify(date)}]`);
  return `{"schema": ${JSON.stringify(INDEX_SCHEMA_ID)}, "builders": [\n${lines.join(",\n")}\n]}\n`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseIndex(text: string): Map<string, Indexed> | undefined {
  let data: { schema?: unknown; builders?: unknown } | null;
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    return undefined;
  }
  if (!data || data.schema !== INDEX_SCHEMA_ID || !Array.isArray(data.builders)) return undefined;
  const index = new Map<string, Indexed>();
  for (const row of data.builders as unknown[]) {
    if (!Array.isArray(row)) return undefined;
    const [builder, hash, date] = row as unknown[];
    if (typeof builder !== "string" || typeof hash !== "string" || typeof date !== "string" || !DATE.test(date)) return undefined;
    index.set(builder, { hash, date });
  }
  return index;
}

function parseLastGood(text: string): { builder: string; date: string; watches: AutoEntry[] } | undefined {
  let data: Record<string, unknown> | null;
  try {
    data = JSON.parse(text) as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
  if (!data || data.schema !== LASTGOOD_SCHEMA_ID || typeof data.builder !== "string" || typeof data.date !== "string") return undefined;
  if (!DATE.test(data.date) || !Array.isArray(data.watches)) return undefined;
  const watches: AutoEntry[] = [];
  for (const raw of data.watches) {
    const entry = entryShape(raw);
    if (entry) watches.push(entry);
  }
  return { builder: data.builder, date: data.date, watches };
}
