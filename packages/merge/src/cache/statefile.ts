// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { isAscii } from "node:buffer";
import { pollerLine } from "@autowatch/watchfile/text";
import { comparePollers, PollerKinds } from "../pollers.js";
import type { WatchTable } from "./table.js";

const OPEN_POLLERS = Buffer.from('\n"pollers":[\n');
const NO_POLLERS = Buffer.from('\n"pollers":[],\n');
const OPEN_BUILDERS = Buffer.from('\n"builders":{\n');
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const BRACE = 0x7b;
const CLOSING_BRACE = 0x7d;
const CLOSING_BRACKET = 0x5d;
const POLLER_START = Buffer.from('{"vcs":"');
const POLLER_URL = Buffer.from(',"url":');
/** The pollers' list closes, and the builders' opens: a raw newline is never inside a poller's line. */
const POLLERS_THEN_BUILDERS = Buffer.from('\n],\n"builders":{\n');

/** Lines of one of a state file's lists: each line's key, and where it starts and ends in the file. */
export interface SectionLines<Key> {
  bytes: Buffer;
  keys: Key[];
  starts: number[];
  ends: number[];
}

/**
 * `count` lines in order as pieces to write: the line `made` gives for an index, and runs of
 * the other lines as `run(from, to)` gives them (one piece for consecutive lines it keeps).
 */
export function inRuns<Piece>(count: number, made: (index: number) => Piece | undefined, run: (from: number, to: number) => Piece): Piece[] {
  const pieces: Piece[] = [];
  let runFrom = -1;
  for (let index = 0; index < count; index++) {
    const line = made(index);
    if (line === undefined) {
      if (runFrom < 0) runFrom = index;
      continue;
    }
    if (runFrom >= 0) pieces.push(run(runFrom, index - 1));
    runFrom = -1;
    pieces.push(line);
  }
  if (runFrom >= 0) pieces.push(run(runFrom, count - 1));
  return pieces;
}

/** Lines `from` to `to` (inclusive) as the bytes they are in the file, with the ",\n" between them: one piece to write. */
export function linesRun(section: SectionLines<unknown>, from: number, to: number): Uint8Array {
  return section.bytes.subarray(section.starts[from], section.ends[to]);
}

/** The poller and builder lines of a state file. */
export interface StateLayout {
  pollers: SectionLines<PollerKey>;
  builders: SectionLines<string>;
}

/**
 * The poller lines (each with its vcs and URL) and builder lines (`"name":{...}`, each with its
 * builder's name) of a state file as this code writes it, in the file's order; undefined when
 * the file is not laid out so. One walk from the head: nothing past the builders is searched.
 */
export function stateLayout(bytes: Buffer): StateLayout | undefined {
  const head = bytes.indexOf(10);
  if (head < 0) return undefined;
  let pollers: SectionLines<PollerKey> | undefined;
  let next: number;
  if (startsWith(bytes, NO_POLLERS, head)) {
    pollers = { bytes, keys: [], starts: [], ends: [] };
    // the list's last newline opens the builders
    next = head + NO_POLLERS.length - 1;
  } else {
    const section = asciiPollerLines(bytes, head) ?? sectionLines(bytes, head, OPEN_POLLERS, CLOSING_BRACKET, pollerKeyOf);
    if (!section || bytes[section.end + 1] !== COMMA) return undefined;
    pollers = section;
    next = section.end + 2;
  }
  const builders = sectionLines(bytes, next, OPEN_BUILDERS, CLOSING_BRACE, nameOf);
  return builders && { pollers, builders };
}

/** The lines of the list opened by `open` at `at`, and where the list closes (`close`). */
function sectionLines<Key>(
  bytes: Buffer,
  at: number,
  open: Buffer,
  close: number,
  keyOf: (bytes: Buffer, start: number, end: number) => Key | undefined,
): (SectionLines<Key> & { end: number }) | undefined {
  if (!startsWith(bytes, open, at)) return undefined;
  const section: SectionLines<Key> = { bytes, keys: [], starts: [], ends: [] };
  let start = at + open.length;
  for (;;) {
    const end = bytes.indexOf(10, start);
    if (end < 0) return undefined;
    // every line but the last ends with a comma
    const last = bytes[end - 1] !== COMMA;
    const lineEnd = last ? end : end - 1;
    const key = keyOf(bytes, start, lineEnd);
    if (key === undefined) return undefined;
    section.keys.push(key);
    section.starts.push(start);
    section.ends.push(lineEnd);
    start = end + 1;
    if (last) break;
  }
  return bytes[start] === close ? { ...section, end: start } : undefined;
}

/**
 * The poller lines as `sectionLines` finds them, when the list is ASCII without a backslash (URLs
 * as workers usually send them): read as one text, whose offsets are the bytes', with string
 * searches, instead of 13,000 lines decoded byte by byte (15 ms at 10,000 builders, 3 this way).
 * Undefined otherwise: `sectionLines` then reads the list.
 */
function asciiPollerLines(bytes: Buffer, head: number): (SectionLines<PollerKey> & { end: number }) | undefined {
  if (!startsWith(bytes, OPEN_POLLERS, head)) return undefined;
  const from = head + OPEN_POLLERS.length;
  const to = bytes.indexOf(POLLERS_THEN_BUILDERS, from);
  if (to < 0 || !isAscii(bytes.subarray(from, to))) return undefined;
  const text = bytes.toString("latin1", from, to);
  if (text.includes("\\")) return undefined;
  const section: SectionLines<PollerKey> = { bytes, keys: [], starts: [], ends: [] };
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    // every line but the last ends with a comma; a line is {"vcs":"...","url":"...",...}
    const lineEnd = newline < 0 ? end : end - 1;
    if ((text.charCodeAt(end - 1) === COMMA) !== newline >= 0) return undefined;
    if (!text.startsWith('{"vcs":"', start)) return undefined;
    const vcsEnd = text.indexOf('"', start + 8);
    if (vcsEnd < 0 || vcsEnd >= lineEnd || !text.startsWith(',"url":"', vcsEnd + 1)) return undefined;
    const urlStart = vcsEnd + 9;
    const urlEnd = text.indexOf('"', urlStart);
    if (urlEnd < 0 || urlEnd >= lineEnd) return undefined;
    section.keys.push({ vcs: text.slice(start + 8, vcsEnd), url: text.slice(urlStart, urlEnd) });
    section.starts.push(from + start);
    section.ends.push(from + lineEnd);
    start = end + 1;
  }
  return section.keys.length > 0 ? { ...section, end: to + 1 } : undefined;
}

/** The name a builder line starts with (a JSON string followed by `:{`). */
function nameOf(bytes: Buffer, start: number, end: number): string | undefined {
  const name = jsonStringAt(bytes, start, end);
  if (!name || bytes[name.end] !== COLON || bytes[name.end + 1] !== BRACE || bytes[end - 1] !== CLOSING_BRACE) return undefined;
  return name.value;
}

interface PollerKey {
  vcs: string;
  url: string;
}

/** The vcs and URL a poller line starts with (`{"vcs":"git","url":"...",...}`). */
function pollerKeyOf(bytes: Buffer, start: number, end: number): PollerKey | undefined {
  if (!startsWith(bytes, POLLER_START, start)) return undefined;
  const vcs = jsonStringAt(bytes, start + POLLER_START.length - 1, end);
  if (!vcs || !startsWith(bytes, POLLER_URL, vcs.end)) return undefined;
  const url = jsonStringAt(bytes, vcs.end + POLLER_URL.length, end);
  return url && { vcs: vcs.value, url: url.value };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  for (let index = 0; index < prefix.length; index++) if (bytes[at + index] !== prefix[index]) return false;
  return true;
}

/** The JSON string that starts at `start` (its opening quote) before `limit`, and where it ends (after its closing quote). */
function jsonStringAt(bytes: Buffer, start: number, limit: number): { value: string; end: number } | undefined {
  if (bytes[start] !== QUOTE) return undefined;
  let escaped = false;
  let end = start + 1;
  for (; end < limit && bytes[end] !== QUOTE; end++) {
    if (bytes[end] === BACKSLASH) {
      escaped = true;
      end++;
    }
  }
  if (end >= limit) return undefined;
  try {
    return { value: escaped ? (JSON.parse(bytes.toString("utf8", start, end + 1)) as string) : bytes.toString("utf8", start + 1, end), end: end + 1 };
  } catch {
    return undefined;
  }
}

/**
 * The state's poller lines after the builders' watches numbered `touched` were counted again
 * in `tally` (per watch of the table: builders that have it, scheduled ones): the pollers of
 * those watches' URLs made again (`PollerKinds`), every other line as it was (runs of them as
 * one piece: `lines` are pieces to write, `count` the pollers). `mixed`: the URLs watched as
 * more than one VCS kind, from `mixedBefore` (the previous merge's) for the URLs not touched;
 * `touchedUrls`: the URLs of the watches `touched`.
 */
export function splicePollers(
  before: SectionLines<PollerKey>,
  table: WatchTable,
  tally: readonly number[],
  touched: ReadonlySet<number>,
  mixedBefore: readonly string[],
): { lines: (string | Uint8Array)[]; count: number; mixed: string[]; touchedUrls: Set<string> } {
  const touchedUrls = new Set<string>();
  for (const id of touched) touchedUrls.add(table.get(id).url);
  const kinds = new PollerKinds();
  for (const url of touchedUrls) {
    for (const id of table.idsOfUrl(url)) if (tally[2 * id]! > 0) kinds.add(table.get(id), tally[2 * id + 1]! > 0);
  }
  // a URL no touched watch has is watched as it was: as one kind or as several
  const mixed = [...mixedBefore.filter((url) => !touchedUrls.has(url)), ...kinds.mixedUrls()];
  const made = kinds.pollers();
  // the lines kept are copied in runs of consecutive ones: a few pieces instead of 13,000
  const lines: (string | Uint8Array)[] = [];
  let runFrom = -1;
  const endRun = (to: number) => {
    if (runFrom >= 0) lines.push(linesRun(before, runFrom, to));
    runFrom = -1;
  };
  let next = 0;
  let kept = 0;
  for (let index = 0; index < before.keys.length; index++) {
    const key = before.keys[index]!;
    if (touchedUrls.has(key.url)) {
      endRun(index - 1);
      continue;
    }
    if (next < made.length && comparePollers(made[next]!, key) < 0) {
      endRun(index - 1);
      for (; next < made.length && comparePollers(made[next]!, key) < 0; next++) lines.push(pollerLine(made[next]!));
    }
    if (runFrom < 0) runFrom = index;
    kept++;
  }
  endRun(before.keys.length - 1);
  for (; next < made.length; next++) lines.push(pollerLine(made[next]!));
  return { lines, count: kept + made.length, mixed, touchedUrls };
}
