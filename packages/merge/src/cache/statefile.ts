// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { Poller, Vcs } from "@autowatch/watchfile";
import { compareText } from "@autowatch/watchfile/text";
import { pollerWorkdir } from "../rewrite.js";
import type { WatchTable } from "./table.js";

const OPEN_BUILDERS = Buffer.from('\n"builders":{\n');
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const BRACE = 0x7b;
const CLOSING_BRACE = 0x7d;

/**
 * The builder lines of a state file as this code writes it (`"name":{...}`, one per line), in
 * the file's order, each with its builder's name; undefined when the file is not laid out so.
 */
export function builderLinesOf(bytes: Buffer): { names: string[]; lines: Uint8Array[] } | undefined {
  const at = bytes.indexOf(OPEN_BUILDERS);
  if (at < 0) return undefined;
  const names: string[] = [];
  const lines: Uint8Array[] = [];
  let start = at + OPEN_BUILDERS.length;
  for (;;) {
    const end = bytes.indexOf(10, start);
    if (end < 0) return undefined;
    // every line but the last ends with a comma
    const last = bytes[end - 1] !== COMMA;
    const line = bytes.subarray(start, last ? end : end - 1);
    const name = nameOf(line);
    if (name === undefined) return undefined;
    names.push(name);
    lines.push(line);
    start = end + 1;
    if (last) break;
  }
  return bytes[start] === CLOSING_BRACE ? { names, lines } : undefined;
}

/** The name a builder line starts with (a JSON string followed by `:{`). */
function nameOf(line: Uint8Array): string | undefined {
  if (line[0] !== QUOTE) return undefined;
  let escaped = false;
  let end = 1;
  for (; end < line.length && line[end] !== QUOTE; end++) {
    if (line[end] === BACKSLASH) {
      escaped = true;
      end++;
    }
  }
  if (line[end + 1] !== COLON || line[end + 2] !== BRACE || line[line.length - 1] !== CLOSING_BRACE) return undefined;
  const text = Buffer.from(line.buffer, line.byteOffset, end + 1).toString("utf8");
  try {
    return escaped ? (JSON.parse(text) as string) : text.slice(1, -1);
  } catch {
    return undefined;
  }
}

interface Kind {
  vcs: Vcs;
  url: string;
  polled: number;
  originals: Set<string>;
  branches: Set<string>;
}

/**
 * The pollers of a tally kept per watch of the table (`tallyOf`): what `PollerTally` gives for
 * the same builders. `mixed`: the URLs watched as more than one VCS kind.
 */
export function pollersOf(table: WatchTable, tally: readonly number[]): { pollers: Poller[]; mixed: string[] } {
  const byUrl = new Map<string, Map<Vcs, Kind>>();
  for (const [id, watch] of table.watches.entries()) {
    if (tally[2 * id] === 0) continue;
    let kinds = byUrl.get(watch.url);
    if (kinds === undefined) byUrl.set(watch.url, (kinds = new Map()));
    let kind = kinds.get(watch.vcs);
    if (kind === undefined) kinds.set(watch.vcs, (kind = { vcs: watch.vcs, url: watch.url, polled: 0, originals: new Set(), branches: new Set() }));
    const polled = tally[2 * id + 1]!;
    if (polled === 0) continue;
    kind.polled += polled;
    kind.originals.add(watch.original);
    if (watch.branch !== "") kind.branches.add(watch.branch);
  }
  const mixed: string[] = [];
  const pollers: Poller[] = [];
  for (const [url, kinds] of byUrl) {
    if (kinds.size > 1) mixed.push(url);
    for (const kind of kinds.values()) if (kind.polled > 0) pollers.push(pollerOf(kind));
  }
  return { pollers: pollers.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url)), mixed };
}

function pollerOf(kind: Kind): Poller {
  let original: string | undefined;
  for (const candidate of kind.originals) if (original === undefined || compareText(candidate, original) < 0) original = candidate;
  const { vcs, url } = kind;
  return { vcs, url, original: original!, branches: [...kind.branches].sort(compareText), workdir: pollerWorkdir(vcs, original!) };
}
