// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { Vcs } from "@autowatch/watchfile";
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

/** Lines of one of a state file's lists, each with the key read from its start. */
export interface SectionLines<Key> {
  keys: Key[];
  lines: Uint8Array[];
}

/**
 * The builder lines of a state file as this code writes it (`"name":{...}`, one per line), in
 * the file's order, each with its builder's name; undefined when the file is not laid out so.
 */
export function builderLinesOf(bytes: Buffer): SectionLines<string> | undefined {
  return sectionLines(bytes, OPEN_BUILDERS, CLOSING_BRACE, nameOf);
}

/** The poller lines of a state file as this code writes it, each with its vcs and URL. */
export function pollerLinesOf(bytes: Buffer): SectionLines<PollerKey> | undefined {
  const head = bytes.indexOf(NO_POLLERS);
  if (head >= 0 && head < bytes.indexOf(OPEN_BUILDERS)) return { keys: [], lines: [] };
  return sectionLines(bytes, OPEN_POLLERS, CLOSING_BRACKET, pollerKeyOf);
}

function sectionLines<Key>(bytes: Buffer, open: Buffer, close: number, keyOf: (line: Uint8Array) => Key | undefined): SectionLines<Key> | undefined {
  const at = bytes.indexOf(open);
  if (at < 0) return undefined;
  const keys: Key[] = [];
  const lines: Uint8Array[] = [];
  let start = at + open.length;
  for (;;) {
    const end = bytes.indexOf(10, start);
    if (end < 0) return undefined;
    // every line but the last ends with a comma
    const last = bytes[end - 1] !== COMMA;
    const line = bytes.subarray(start, last ? end : end - 1);
    const key = keyOf(line);
    if (key === undefined) return undefined;
    keys.push(key);
    lines.push(line);
    start = end + 1;
    if (last) break;
  }
  return bytes[start] === close ? { keys, lines } : undefined;
}

/** The name a builder line starts with (a JSON string followed by `:{`). */
function nameOf(line: Uint8Array): string | undefined {
  const name = jsonStringAt(line, 0);
  if (!name || line[name.end] !== COLON || line[name.end + 1] !== BRACE || line[line.length - 1] !== CLOSING_BRACE) return undefined;
  return name.value;
}

interface PollerKey {
  vcs: string;
  url: string;
}

/** The vcs and URL a poller line starts with (`{"vcs":"git","url":"...",...}`). */
function pollerKeyOf(line: Uint8Array): PollerKey | undefined {
  if (!startsWith(line, POLLER_START, 0)) return undefined;
  const vcs = jsonStringAt(line, POLLER_START.length - 1);
  if (!vcs || !startsWith(line, POLLER_URL, vcs.end)) return undefined;
  const url = jsonStringAt(line, vcs.end + POLLER_URL.length);
  return url && { vcs: vcs.value, url: url.value };
}

function startsWith(line: Uint8Array, prefix: Uint8Array, at: number): boolean {
  for (let index = 0; index < prefix.length; index++) if (line[at + index] !== prefix[index]) return false;
  return true;
}

/** The JSON string that starts at `start` (its opening quote), and where it ends (after its closing quote). */
function jsonStringAt(line: Uint8Array, start: number): { value: string; end: number } | undefined {
  if (line[start] !== QUOTE) return undefined;
  let escaped = false;
  let end = start + 1;
  for (; end < line.length && line[end] !== QUOTE; end++) {
    if (line[end] === BACKSLASH) {
      escaped = true;
      end++;
    }
  }
  if (end >= line.length) return undefined;
  const text = Buffer.from(line.buffer, line.byteOffset + start, end + 1 - start).toString("utf8");
  try {
    return { value: escaped ? (JSON.parse(text) as string) : text.slice(1, -1), end: end + 1 };
  } catch {
    return undefined;
  }
}

/**
 * The state's poller lines after the builders' watches numbered `touched` were counted again
 * in `tally` (per watch of the table: builders that have it, scheduled ones): the pollers of
 * those watches' URLs made again (`PollerKinds`), every other line as it was.
 * `mixed`: the URLs watched as more than one VCS kind; `touchedUrls`: the URLs of the watches `touched`.
 */
export function splicePollers(
  before: SectionLines<PollerKey>,
  table: WatchTable,
  tally: readonly number[],
  touched: ReadonlySet<number>,
): { lines: (string | Uint8Array)[]; mixed: string[]; touchedUrls: Set<string> } {
  const touchedUrls = new Set<string>();
  for (const id of touched) touchedUrls.add(table.get(id).url);
  const kinds = new PollerKinds();
  const firstKind = new Map<string, Vcs>();
  const mixed = new Set<string>();
  for (const [id, watch] of table.watches.entries()) {
    if (tally[2 * id] === 0) continue;
    // every URL for the mixed-kind warning; only the touched ones for their pollers
    const seen = firstKind.get(watch.url);
    if (seen === undefined) firstKind.set(watch.url, watch.vcs);
    else if (seen !== watch.vcs) mixed.add(watch.url);
    if (touchedUrls.has(watch.url)) kinds.add(watch, tally[2 * id + 1]! > 0);
  }
  const made = kinds.pollers();
  const lines: (string | Uint8Array)[] = [];
  let next = 0;
  for (const [index, key] of before.keys.entries()) {
    if (touchedUrls.has(key.url)) continue;
    for (; next < made.length && comparePollers(made[next]!, key) < 0; next++) lines.push(pollerLine(made[next]!));
    lines.push(before.lines[index]!);
  }
  for (; next < made.length; next++) lines.push(pollerLine(made[next]!));
  return { lines, mixed: [...mixed], touchedUrls };
}
