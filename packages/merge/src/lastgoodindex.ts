// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { compareText } from "@autowatch/watchfile/text";

/** The last-good store's index, `.index.json`: never a pack or a builder's own file (their names never start with a dot). */
export const LASTGOOD_INDEX = ".index.json";
const INDEX_SCHEMA_ID = "autowatch.lastgood-index/2";
/** The index of a store that kept every entry in a file of its own: still read, its files too. */
const OWN_FILES_INDEX_SCHEMA_ID = "autowatch.lastgood-index/1";

export const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const PACK = /^pack-[0-9a-f]{16}\.jsonl$/;

/** A builder's row of the index. Never changed once made: a new row is a new object. */
export interface Indexed {
  /** contentHash of the stored watches. */
  hash: string;
  /** The last day they were accepted. */
  date: string;
  /** Its line in a pack; undefined for an entry in a file of its own (`<safe name>.json`, the store's layout before packs). */
  at?: PackLine;
  /** The row's text as the index read has it, written again as it is. */
  text?: string;
}

export interface PackLine {
  pack: string;
  /** Where the line starts, and its length without the newline, in bytes. */
  offset: number;
  length: number;
}

/** A pack the index knows: its size, and since when no entry is indexed in it (removed some time after). */
export interface PackInfo {
  bytes: number;
  retiredMs?: number;
}

export interface IndexData {
  index: Map<string, Indexed>;
  packs: Map<string, PackInfo>;
}

/**
 * The index's text: a head line with the packs, then one builder's row per line, by name. A row
 * read is written again as the text it was: a save at 10,000 builders makes a hundred rows,
 * not 10,000 (nor sorts them, when they are still in order).
 */
export function serializeIndex({ index, packs }: IndexData): string {
  const builders = [...index.keys()];
  for (let at = 1; at < builders.length; at++) {
    if (compareText(builders[at - 1]!, builders[at]!) >= 0) {
      builders.sort(compareText);
      break;
    }
  }
  const lines = builders.map((builder) => {
    const indexed = index.get(builder)!;
    return indexed.text ?? rowText(builder, indexed);
  });
  const packRows = [...packs.keys()].sort(compareText).map((pack) => {
    const { bytes, retiredMs } = packs.get(pack)!;
    return `[${JSON.stringify(pack)},${bytes}${retiredMs === undefined ? "" : `,${retiredMs}`}]`;
  });
  return `{"schema": ${JSON.stringify(INDEX_SCHEMA_ID)}, "packs": [${packRows.join(",")}], "builders": [\n${lines.join(",\n")}\n]}\n`;
}

function rowText(builder: string, { hash, date, at }: Indexed): string {
  const row = `${JSON.stringify(builder)},${JSON.stringify(hash)},${JSON.stringify(date)}`;
  return at ? `[${row},${JSON.stringify(at.pack)},${at.offset},${at.length}]` : `[${row}]`;
}

/** The index in `text`, undefined when it is not one. Read row by row when laid out as `serializeIndex` writes it (each row keeps its text), else as any JSON. */
export function parseIndex(text: string): IndexData | undefined {
  return byLines(text) ?? whole(text);
}

/**
 * The index with one builder's row only (none when it has none), read from an index laid out as
 * `serializeIndex` writes it, without parsing the other rows: what `explain` needs of a store of
 * 20,000 builders. Undefined when the index is not laid out so, or that row is not one.
 */
export function parseIndexRow(text: string, builder: string): IndexData | undefined {
  const headEnd = text.indexOf("\n");
  const packs = headEnd >= 0 && text.endsWith("\n]}\n") ? packsOfHeadLine(text.slice(0, headEnd)) : undefined;
  if (!packs) return undefined;
  const index = new Map<string, Indexed>();
  // a row starts a line, and no JSON string holds a raw newline; the last row wins, as in a whole read
  const start = text.lastIndexOf(`\n[${JSON.stringify(builder)},`);
  if (start >= headEnd) {
    const line = text.slice(start + 1, text.indexOf("\n", start + 1));
    const indexed = rowOf(parsed(line.endsWith(",") ? line.slice(0, -1) : line), packs);
    if (indexed?.builder !== builder) return undefined;
    index.set(builder, indexed);
  }
  return { index, packs };
}

function byLines(text: string): IndexData | undefined {
  const lines = text.split("\n");
  const rows = lines.length - 3;
  const packs = rows >= 1 && lines[rows + 1] === "]}" && lines[rows + 2] === "" ? packsOfHeadLine(lines[0]!) : undefined;
  if (!packs) return undefined;
  const index = new Map<string, Indexed>();
  for (let at = 1; at <= rows; at++) {
    const line = lines[at]!;
    const last = at === rows;
    if (!last && !line.endsWith(",")) return undefined;
    const row = last ? line : line.slice(0, -1);
    const indexed = rowOf(parsed(row), packs);
    if (!indexed) return undefined;
    indexed.text = row;
    index.set(indexed.builder, indexed);
  }
  return { index, packs };
}

function whole(text: string): IndexData | undefined {
  const data = parsed(text);
  const packs = data && packsOf(data);
  if (!packs || !Array.isArray(data!.builders)) return undefined;
  const index = new Map<string, Indexed>();
  const rows = data!.builders as unknown[];
  for (let at = 0; at < rows.length; at++) {
    const indexed = rowOf(rows[at], packs);
    if (!indexed) return undefined;
    index.set(indexed.builder, indexed);
  }
  return { index, packs };
}

/** The packs of the head line `serializeIndex` writes (it opens the builders' list); undefined for another line. */
function packsOfHeadLine(line: string): Map<string, PackInfo> | undefined {
  const head = line.endsWith('"builders": [') ? parsed(`${line}]}`) : undefined;
  return head && packsOf(head);
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The packs of an index's head (none in the layout before packs); undefined when it is not an index. */
function packsOf(data: Record<string, unknown>): Map<string, PackInfo> | undefined {
  if (data.schema !== INDEX_SCHEMA_ID && data.schema !== OWN_FILES_INDEX_SCHEMA_ID) return undefined;
  const packs = new Map<string, PackInfo>();
  if (data.schema === OWN_FILES_INDEX_SCHEMA_ID) return packs;
  if (!Array.isArray(data.packs)) return undefined;
  for (const row of data.packs as unknown[]) {
    if (!Array.isArray(row) || (row.length !== 2 && row.length !== 3) || typeof row[0] !== "string" || !PACK.test(row[0]) || !isSize(row[1])) return undefined;
    if (row.length === 3 && !isSize(row[2])) return undefined;
    packs.set(row[0], row.length === 3 ? { bytes: row[1] as number, retiredMs: row[2] as number } : { bytes: row[1] as number });
  }
  return packs;
}

/** A builder's row: `[builder, hash, date]` (an entry in a file of its own) or `[builder, hash, date, pack, offset, length]`. */
function rowOf(row: unknown, packs: ReadonlyMap<string, PackInfo>): (Indexed & { builder: string }) | undefined {
  if (!Array.isArray(row) || (row.length !== 3 && row.length !== 6)) return undefined;
  const builder: unknown = row[0];
  const hash: unknown = row[1];
  const date: unknown = row[2];
  if (typeof builder !== "string" || typeof hash !== "string" || typeof date !== "string" || !DATE.test(date)) return undefined;
  if (row.length === 3) return { builder, hash, date };
  const pack: unknown = row[3];
  const offset: unknown = row[4];
  const length: unknown = row[5];
  if (typeof pack !== "string" || !packs.has(pack) || !isSize(offset) || !isSize(length)) return undefined;
  return { builder, hash, date, at: { pack, offset: offset as number, length: length as number } };
}

function isSize(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
