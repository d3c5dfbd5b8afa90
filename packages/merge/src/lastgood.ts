import { createHash, hash as oneShotHash } from "node:crypto";
import { closeSync, mkdirSync, readdirSync, readSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Problem } from "@autowatch/watchfile";
import { safeBuilderFileName, compareText, makeProblem, writeFileAtomicSync } from "@autowatch/watchfile/text";
import { entryShape, keptOrigin, type AutoEntry } from "./decode.js";
import type { LastGoodEntry, LastGoodFailure, LastGoodSource } from "./types.js";
import { errorCode } from "./watchdir.js";
import { DATE, LASTGOOD_INDEX, PACK, parseIndex, parseIndexRow, serializeIndex, type Indexed, type PackInfo, type PackLine } from "./lastgoodindex.js";
import { openRegular, readRegular } from "./regular.js";

export { LASTGOOD_INDEX } from "./lastgoodindex.js";

const LASTGOOD_SCHEMA_ID = "autowatch.lastgood/1";

/** Packs take more than twice the bytes of the entries still indexed in them, and this much more: they are written again as one. */
const COMPACT_SLACK_BYTES = 1 << 20;

/**
 * A pack no entry is indexed in any more is removed this long after, at a later save: a merge
 * running at the same time may still index it, and its index may be the one that stays.
 */
const RETIRED_KEEP_MS = 10 * 60 * 1000;

/**
 * The last-good store: a directory with an index, `.index.json` (builder → content hash, the last
 * day that content was accepted, and where the entry is), and packs, `pack-<digest>.jsonl`: each
 * save writes the entries whose content changed as one new pack, one JSON line each. A run reads
 * the index only; a builder's entry is read when its watch file is rejected. Every file is
 * written once, under a new name, and renamed into place, so a reader never sees half of one;
 * a pack none of whose entries is indexed any more is retired, and removed RETIRED_KEEP_MS later;
 * when the packs are mostly entries no longer indexed, those still indexed are written again as
 * one pack.
 *
 * Two merges at once: each writes its pack, then its whole index; the last index written wins,
 * so the other run's index update can be lost (never an entry: packs only hold content some run
 * accepted, and one the other run retired is still there). A lost update costs at most one needless write of that builder's entry later, or,
 * when a stored entry no longer matches the indexed hash, the entry's own date in the "last good
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
    /** Every pack the index knows. */
    private readonly packs: Map<string, PackInfo> = new Map(),
    /** Read for one builder (`loadLastGoodOf`): the index holds that row only, and is never written. */
    private readonly partial = false,
  ) {
    this.index = index;
  }

  /** The file that holds a builder's last good watches: its pack, or its own file. */
  fileOf(builder: string): string {
    const at = this.index.get(builder)?.at;
    return join(this.dir, at ? at.pack : `${safeBuilderFileName(builder)}.json`);
  }

  /** A builder's index row as read or saved (content hash, day, and its line in a pack), undefined when it has none. */
  indexed(builder: string): Readonly<Indexed> | undefined {
    return this.index.get(builder);
  }

  /** A builder's last good watches, read from the store now (undefined when there is none). */
  get(builder: string): LastGoodEntry | LastGoodFailure | undefined {
    const file = this.fileOf(builder);
    const indexed = this.index.get(builder);
    let text: string;
    try {
      text = indexed?.at ? readPackLine(file, indexed.at) : readRegular(file).toString("utf8");
    } catch (error) {
      const code = errorCode(error);
      return code === "ENOENT" ? undefined : { file, failure: `last-good file unreadable (${code})`, code: "merge.lastgood.unreadable" };
    }
    const entry = parseLastGood(text);
    if (!entry || entry.builder !== builder) return { file, failure: "last-good file is not valid: ignored", code: "merge.lastgood.invalid" };
    // the index knows a later day the same content was accepted
    const date = indexed && indexed.hash === contentHash(entry.watches) && indexed.date > entry.date ? indexed.date : entry.date;
    return { date, watches: entry.watches };
  }

  /**
   * Records this run's last good watches: the entries whose content hash differs from the
   * indexed one are written as one pack, the index only when something in it changed.
   * Returns the builders whose entry was written.
   */
  async save(lastGood: ReadonlyMap<string, LastGoodEntry>, now: Date = new Date()): Promise<string[]> {
    // its index would drop every other builder's row
    if (this.partial) throw new Error("a last-good store read for one builder is never saved");
    const changed: string[] = [];
    let indexChanged = this.indexText === undefined;
    for (const [builder, entry] of lastGood) {
      const hash = entry.hash ?? contentHash(entry.watches);
      const indexed = this.index.get(builder);
      if (indexed?.hash !== hash) changed.push(builder);
      if (indexed?.hash !== hash || indexed.date < entry.date) {
        this.index.set(builder, indexed?.hash === hash && indexed.at ? { hash, date: entry.date, at: indexed.at } : { hash, date: entry.date });
        indexChanged = true;
      }
    }
    // serialised only when an entry changed: sorting 10,000 rows for nothing costs more than the check
    if (changed.length === 0 && !indexChanged) return [];
    mkdirSync(this.dir, { recursive: true });
    // no fsync: an entry lost in a crash is only reported and skipped
    if (changed.length > 0) this.writePack(changed.sort(compareText), (builder) => serializeLastGood(builder, lastGood.get(builder)!));
    // what each pack still holds, before compaction moves it
    const live = this.liveBytes();
    const removed = this.retire(live, now.getTime());
    this.compactIfSparse(live, now.getTime());
    const indexText = serializeIndex({ index: this.index, packs: this.packs });
    if (changed.length === 0 && indexText === this.indexText) return [];
    // the index last: it never names content that is not on disk yet
    writeFileAtomicSync(join(this.dir, LASTGOOD_INDEX), indexText, { fsync: false, preserve: false });
    for (const pack of removed) rmSync(join(this.dir, pack), { force: true });
    return changed;
  }

  /**
   * Writes a pack of these builders' lines, each made as it is written (a first run writes every
   * builder's), and indexes each there; the pack is named after the index rows it holds.
   */
  private writePack(builders: readonly string[], lineOf: (builder: string) => string): string {
    const name = createHash("sha256");
    for (const builder of builders) name.update(`${builder}\u0000${this.index.get(builder)!.hash}\u0000${this.index.get(builder)!.date}\n`);
    const pack = `pack-${name.digest("hex").slice(0, 16)}.jsonl`;
    let offset = 0;
    writeFileAtomicSync(
      join(this.dir, pack),
      (write) => {
        for (const builder of builders) {
          const line = lineOf(builder);
          const length = Buffer.byteLength(line);
          const { hash, date } = this.index.get(builder)!;
          this.index.set(builder, { hash, date, at: { pack, offset, length } });
          write(`${line}\n`);
          offset += length + 1;
        }
      },
      { fsync: false, preserve: false },
    );
    this.packs.set(pack, { bytes: offset });
    return pack;
  }

  /**
   * Marks the packs no entry is indexed in any more as retired (one indexed again is not), and
   * drops those retired RETIRED_KEEP_MS ago: returned, to be removed once the index is written.
   */
  private retire(live: ReadonlyMap<string, number>, nowMs: number): string[] {
    const removed: string[] = [];
    for (const [pack, { bytes, retiredMs }] of this.packs) {
      if (live.has(pack)) this.packs.set(pack, { bytes });
      else if (retiredMs === undefined) this.packs.set(pack, { bytes, retiredMs: nowMs });
      else if (nowMs - retiredMs >= RETIRED_KEEP_MS) {
        this.packs.delete(pack);
        removed.push(pack);
      }
    }
    return removed;
  }

  /** Per pack, the bytes of the entries indexed in it. */
  private liveBytes(): Map<string, number> {
    const live = new Map<string, number>();
    for (const { at } of this.index.values()) if (at) live.set(at.pack, (live.get(at.pack) ?? 0) + at.length + 1);
    return live;
  }

  /**
   * When the packs in use take more than twice the bytes of their indexed entries (and
   * COMPACT_SLACK_BYTES), those entries are written again as one pack and the others retired.
   */
  private compactIfSparse(live: ReadonlyMap<string, number>, nowMs: number): void {
    const used = [...live.values()].reduce((sum, bytes) => sum + bytes, 0);
    const inUse = [...this.packs].filter(([pack]) => live.has(pack));
    const total = inUse.reduce((sum, [, { bytes }]) => sum + bytes, 0);
    if (total <= 2 * used + COMPACT_SLACK_BYTES || inUse.length <= 1) return;
    // each line read where it is, as it is written: 20 MB of entries at 10,000 builders are never held
    const files = new Map<string, number>();
    const open = (pack: string) => files.get(pack) ?? files.set(pack, openRegular(join(this.dir, pack))).get(pack)!;
    const builders = [...this.index.keys()].filter((builder) => this.index.get(builder)!.at !== undefined).sort(compareText);
    let fresh: string;
    try {
      // each builder's line read from where the index says, before the index says it moved
      fresh = this.writePack(builders, (builder) => readLine(this.index.get(builder)!.at!, open));
    } finally {
      for (const fd of files.values()) closeSync(fd);
    }
    for (const [pack, { bytes }] of inUse) if (pack !== fresh) this.packs.set(pack, { bytes, retiredMs: nowMs });
  }
}

/** A pack's line, read with one positioned read from the pack `open` gives. */
function readLine(at: PackLine, open: (pack: string) => number): string {
  const bytes = Buffer.alloc(at.length);
  const read = readSync(open(at.pack), bytes, 0, at.length, at.offset);
  return bytes.toString("utf8", 0, read);
}

/** A pack's line, from its file. */
function readPackLine(file: string, at: PackLine): string {
  const fd = openRegular(file);
  try {
    return readLine(at, () => fd);
  } finally {
    closeSync(fd);
  }
}

/** Opens the store: reads its index only (a missing or damaged index is rebuilt as builders are accepted). */
export function loadLastGood(dir: string): { lastGood: LastGoodStore; problems: Problem[] } {
  return storeOf(dir, readIndex(dir));
}

/** The index's text, or the problem reading it (none when there is no index yet). */
function readIndex(dir: string): { text?: string; problems: Problem[] } {
  try {
    return { text: readRegular(join(dir, LASTGOOD_INDEX)).toString("utf8"), problems: [] };
  } catch (error) {
    const code = errorCode(error);
    return { problems: code === "ENOENT" ? [] : [makeProblem("warning", "merge.lastgood.unreadable", `last-good store unreadable (${code})`, { file: dir })] };
  }
}

/** The store of `dir` from its index as read: made again from the packs when it is missing or damaged. */
function storeOf(dir: string, { text, problems }: { text?: string; problems: Problem[] }): { lastGood: LastGoodStore; problems: Problem[] } {
  const file = join(dir, LASTGOOD_INDEX);
  const parsed = text === undefined ? undefined : parseIndex(text);
  if (text !== undefined && parsed === undefined)
    problems.push(makeProblem("warning", "merge.lastgood.invalid", "last-good file is not valid: ignored", { file }));
  if (parsed) return { lastGood: new LastGoodStore(dir, parsed.index, text, parsed.packs), problems };
  // a missing or damaged index: made again from the packs, and written at the next save
  const recovered = recoverIndex(dir);
  const store = new LastGoodStore(dir, recovered?.index ?? new Map(), undefined, recovered?.packs);
  return { lastGood: store, problems };
}

/**
 * The store with one builder's index row only, for reading that builder's entry (`explain`): the
 * other rows are not parsed. A store this cannot read so is loaded whole (`loadLastGood`).
 */
export function loadLastGoodOf(dir: string, builder: string): { lastGood: LastGoodStore; problems: Problem[] } {
  const read = readIndex(dir);
  const parsed = read.text === undefined ? undefined : parseIndexRow(read.text, builder);
  return parsed ? { lastGood: new LastGoodStore(dir, parsed.index, read.text, parsed.packs, true), problems: [] } : storeOf(dir, read);
}

/** Writes this run's last good watches to the store in `dir`; returns the builders whose file was written. */
export async function saveLastGood(
  dir: string,
  lastGood: ReadonlyMap<string, LastGoodEntry>,
  store: LastGoodStore = loadLastGood(dir).lastGood,
): Promise<string[]> {
  return store.save(lastGood);
}

/** An entry as a pack's line. */
export function serializeLastGood(builder: string, entry: LastGoodEntry): string {
  const watches = entry.watches.map(({ vcs, url, branch, origin }) => ({ vcs, url, revspec: branch, ...(origin ? { origin: keptOrigin(origin) } : {}) }));
  return JSON.stringify({ schema: LASTGOOD_SCHEMA_ID, builder, date: entry.date, watches });
}

/** Identifies the watches whatever the day: what decides whether a builder's entry is written again. */
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

/** The index made again from the packs in `dir`: per builder, its entry of the latest day (of the latest pack, on the same day). */
function recoverIndex(dir: string): { index: Map<string, Indexed>; packs: Map<string, PackInfo> } | undefined {
  let packs: { name: string; modified: number }[];
  try {
    packs = readdirSync(dir)
      .filter((name) => PACK.test(name))
      .map((name) => ({ name, modified: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => a.modified - b.modified || compareText(a.name, b.name));
  } catch {
    return undefined;
  }
  const index = new Map<string, Indexed>();
  const sizes = new Map<string, PackInfo>();
  for (const { name: pack } of packs) {
    let bytes: Buffer;
    try {
      bytes = readRegular(join(dir, pack));
    } catch {
      continue;
    }
    sizes.set(pack, { bytes: bytes.length });
    for (let offset = 0, end = bytes.indexOf(10); end >= 0; offset = end + 1, end = bytes.indexOf(10, offset)) {
      const entry = parseLastGood(bytes.toString("utf8", offset, end));
      if (!entry || (index.get(entry.builder)?.date ?? "") > entry.date) continue;
      index.set(entry.builder, { hash: contentHash(entry.watches), date: entry.date, at: { pack, offset, length: end - offset } });
    }
  }
  return { index, packs: sizes };
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
