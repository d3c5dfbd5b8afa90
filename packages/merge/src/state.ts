import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parseState as parseStateFile, serializeState as serializeWatchfileState, type BuilderWatch, type Poller, type Problem, type State } from "@autowatch/watchfile";
import { compareProblems, compareText, escapeControlCharacters, escapeJsonText } from "@autowatch/watchfile/text";

/** Escapes control, line-separator and bidi characters only (quotes and backslashes stay): for text we composed. */
export function noControls(text: string): string {
  return escapeControlCharacters(text, { unicodeOnly: true });
}

/**
 * The state as written: keys in a fixed order, pollers by vcs/url, builders by name,
 * problems by builder/file/line; the same state always gives the same bytes.
 */
export function serializeState(state: State): string {
  return serializeWatchfileState(state);
}

/**
 * The text of a state that `mergeFarm` built: it is already in canonical key order and sorted
 * the way `serializeState` sorts, so one JSON.stringify gives the same bytes without the
 * schema round trip (a test holds the two equal).
 */
export function renderState(state: State): string {
  return `${safeJson(state)}\n`;
}

const PIECE = 256;

/**
 * The same bytes as `renderState`, handed out in pieces of a few hundred entries: each
 * top-level list or map is rendered as `{ key: slice }` and the wrapper cut off, which gives
 * exactly the nesting and indentation of the whole document.
 */
export function renderStatePieces(state: State, write: (piece: string) => void): void {
  const parts = Object.entries(state);
  write("{\n");
  parts.forEach(([key, value], index) => {
    const separator = index < parts.length - 1 ? ",\n" : "\n";
    const entries = Array.isArray(value) ? value : isPlainObject(value) ? Object.entries(value) : [];
    if (entries.length <= PIECE) {
      write(`${safeJson({ [key]: value }).slice(2, -2)}${separator}`);
      return;
    }
    const list = Array.isArray(value);
    write(`  ${JSON.stringify(key)}: ${list ? "[" : "{"}\n`);
    const prefix = `{\n  ${JSON.stringify(key)}: ${list ? "[" : "{"}\n`.length;
    const suffix = `\n  ${list ? "]" : "}"}\n}`.length;
    for (let start = 0; start < entries.length; start += PIECE) {
      const slice = entries.slice(start, start + PIECE);
      // fromEntries: a key such as "__proto__" stays an own field
      const wrapped = { [key]: list ? slice : Object.fromEntries(slice as [string, unknown][]) };
      const text = safeJson(wrapped);
      write(`${text.slice(prefix, text.length - suffix)}${start + PIECE < entries.length ? ",\n" : "\n"}`);
    }
    write(`  ${list ? "]" : "}"}${separator}`);
  });
  write("}\n");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** JSON.stringify (2-space indent) with every control, line-separator and bidi character escaped. */
export function safeJson(value: unknown): string {
  // JSON.stringify leaves some of them raw; a state file must not carry them either
  return escapeJsonText(JSON.stringify(value, null, 2));
}

/** Reads a state file's text; undefined when it is not a valid state. */
export function parseState(text: string): State | undefined {
  const result = parseStateFile(text);
  return result.ok ? result.value : undefined;
}

/**
 * True when the two states differ in what Buildbot acts on: pollers (URL, branches, work
 * directory) or change filters (each builder's schedule flag and watches). Problems don't count.
 * The fingerprints are computed from the content (a `fingerprint` field is not trusted here).
 */
export function statesDiffer(a: State | undefined, b: State | undefined): boolean {
  if (!a || !b) return a !== b;
  return a === b ? false : stateFingerprint(a) !== stateFingerprint(b);
}

const computed = new WeakMap<State, string>();

/** sha256 (hex) of the canonical pollers and change filters of any state (sorted here first). */
export function stateFingerprint(state: State): string {
  let fingerprint = computed.get(state);
  if (fingerprint === undefined) {
    const pollers = state.pollers
      .map((p) => ({ vcs: p.vcs, url: p.url, original: p.original, branches: [...new Set(p.branches)].sort(compareText), workdir: p.workdir }))
      .sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.original, b.original));
    const sources = ["auto", "manual", "buildout"];
    const builders = Object.keys(state.builders)
      .sort(compareText)
      .map((name): [string, boolean, BuilderWatch[]] => {
        const builder = state.builders[name]!;
        const watches = builder.watches
          .map((w) => ({ vcs: w.vcs, url: w.url, branch: w.branch, from: sources.filter((s) => w.from.includes(s as never)) as BuilderWatch["from"] }))
          .sort((x, y) => compareText(x.vcs, y.vcs) || compareText(x.url, y.url) || compareText(x.branch, y.branch) || compareText(x.from.join(), y.from.join()));
        return [name, builder.schedule, watches];
      });
    fingerprint = canonicalFingerprint(pollers, builders);
    computed.set(state, fingerprint);
  }
  return fingerprint;
}

/**
 * The fingerprint of pollers and change filters already in canonical order and key order
 * (as `mergeFarm` builds them): one hash over the pollers, then name, schedule flag and
 * watches of each builder.
 */
export function canonicalFingerprint(pollers: readonly Poller[], builders: Iterable<readonly [string, boolean, readonly BuilderWatch[]]>): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(pollers));
  // plain concatenation, cheaper than JSON for 200,000 watches; NUL never occurs in a value
  // that reaches the state (control characters are refused), newline ends each builder
  for (const [name, schedule, watches] of builders) {
    let text = `${JSON.stringify(name)}\u0000${schedule ? 1 : 0}`;
    for (const w of watches) text += `\u0000${w.vcs}\u0000${w.url}\u0000${w.branch}\u0000${w.from.join(",")}`;
    hash.update(`${text}\n`);
  }
  return hash.digest("hex");
}

/** Remembers the fingerprint `mergeFarm` computed while building `state`. */
export function rememberFingerprint(state: State, fingerprint: string): void {
  computed.set(state, fingerprint);
}

const HEAD_BYTES = 256;
const HEAD = /^\{\n {2}"schema": "autowatch\.state\/1",\n {2}"fingerprint": "([0-9a-f]{64})",\n/;

/**
 * The fingerprint of a state file, from its first bytes (the file is not parsed); undefined
 * when there is none, or the file does not end like a whole state (then it counts as changed).
 */
export function readStateFingerprint(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, HEAD_BYTES);
    const head = Buffer.alloc(length);
    const tail = Buffer.alloc(2);
    if (size < 2 || readSync(fd, head, 0, length, 0) !== length || readSync(fd, tail, 0, 2, size - 2) !== 2) return undefined;
    if (tail.toString("latin1") !== "}\n") return undefined;
    return HEAD.exec(head.toString("latin1"))?.[1];
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Problems as the state writes them: schema key order, sorted as `serializeState` sorts them. */
export function stateProblems(problems: readonly Problem[]): Problem[] {
  const canonical = problems.map((p) => {
    const problem: Problem = { level: p.level, message: p.message };
    if (p.builder !== undefined) problem.builder = p.builder;
    if (p.file !== undefined) problem.file = p.file;
    if (p.line !== undefined) problem.line = p.line;
    return problem;
  });
  return canonical.sort(compareProblems);
}
