import { hash as oneShotHash } from "node:crypto";
import { closeSync, fstatSync, readSync } from "node:fs";
import { parseState, type BuilderState, type BuilderWatch, type Poller, type Problem, type State } from "@autowatch/watchfile";
import {
  builderLine,
  compareProblems,
  compareText,
  escapeControlCharacters,
  makeProblem,
  pollerLine,
  stateLines,
  stateText,
  watchesJson,
  writeStateText,
  type StateLines,
} from "@autowatch/watchfile/text";
import { openRegular, readRegular } from "./regular.js";

/** Escapes control, line-separator and bidi characters only (quotes and backslashes stay): for text we composed. */
export function noControls(text: string): string {
  return escapeControlCharacters(text, { unicodeOnly: true });
}

const rendered = new WeakMap<State, StateLines>();

/**
 * The text of a state: the lines `mergeFarm` rendered while computing the fingerprint when
 * it built this state, else those of the state as it is (assumed canonical: use
 * `serializeState` of @autowatch/watchfile for a state built by hand). The same bytes as `serializeState`.
 */
export function renderState(state: State): string {
  return stateText(state.schema, state.fingerprint, linesOf(state));
}

/** The same bytes as `renderState`, handed out one line at a time. */
export function renderStatePieces(state: State, write: (piece: string | Uint8Array) => void): void {
  writeStateText(state.schema, state.fingerprint, linesOf(state), write);
}

/** True when both renderings are the same text, line for line. */
export function sameLines(a: StateLines, b: StateLines): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((line, index) => line === y[index]);
  return same(a.pollers, b.pollers) && same(a.builders, b.builders) && same(a.problems, b.problems);
}

export function linesOf(state: State): StateLines {
  return rendered.get(state) ?? stateLines(state);
}

/** A state file's text as a state; undefined when it is not a valid state (`parseState` of @autowatch/watchfile says why). */
export function stateFromText(text: string): State | undefined {
  const result = parseState(text);
  return result.ok ? result.value : undefined;
}

/**
 * True when the two states differ in what Buildbot acts on: pollers (URL, branches, work
 * directory) or change filters (each builder's schedule flag, tree-stable timer and watches). Problems don't count.
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
    const sorted = Object.keys(state.builders)
      .sort(compareText)
      .map((name): [string, BuilderState] => {
        const builder = state.builders[name]!;
        const watches = builder.watches
          .map((w) => ({ vcs: w.vcs, url: w.url, branch: w.branch, from: sources.filter((s) => w.from.includes(s as never)) as BuilderWatch["from"] }))
          .sort(
            (x, y) => compareText(x.vcs, y.vcs) || compareText(x.url, y.url) || compareText(x.branch, y.branch) || compareText(x.from.join(), y.from.join()),
          );
        const copy: BuilderState = { schedule: builder.schedule, autoWatch: builder.autoWatch, watches };
        if (builder.treeStableTimer !== undefined) copy.treeStableTimer = builder.treeStableTimer;
        return [name, copy];
      });
    // fromEntries: "__proto__" stays an own key; integer-like names come first, as in any copy
    fingerprint = renderCanonical(pollers, Object.fromEntries(sorted)).fingerprint;
    computed.set(state, fingerprint);
  }
  return fingerprint;
}

/**
 * A builder's rendered text, kept as long as its state object lives: a builder that a
 * merge took from its cache (rendered then) is not rendered again. Builder states are never mutated.
 */
const renderedBuilders = new WeakMap<BuilderState, { name: string; digest: string; line: string }>();

/**
 * The lines of pollers and builders already in canonical order and key order (as `mergeFarm`
 * builds them), and the fingerprint hashed from the same text: the pollers' lines (joined by ",\n"), then each
 * builder's name, schedule flag and the digest of its watches (the autoWatch flag changes no
 * change filter).
 */
export function renderCanonical(
  pollers: readonly Poller[],
  builders: Readonly<Record<string, BuilderState>>,
): { lines: Omit<StateLines, "problems">; fingerprint: string } {
  const pollerLines = pollers.map(pollerLine);
  const builderLines: string[] = [];
  // NUL never occurs in JSON text, nor a raw newline: the parts cannot run into each other. The
  // pollers' lines joined as the file has them: a splice hashes runs of them as they are
  let summary = pollerLines.join(",\n");
  // in the object's own key order, as JSON.parse gives it back and serializeState writes it
  for (const name of Object.keys(builders)) {
    const builder = builders[name]!;
    let known = renderedBuilders.get(builder);
    if (known?.name !== name) {
      // the watches' text is hashed and kept in the line only
      const watches = watchesJson(builder.watches);
      renderedBuilders.set(builder, (known = { name, digest: oneShotHash("sha256", watches, "base64"), line: builderLine(name, builder, watches) }));
    }
    summary += `\n${JSON.stringify(name)}\u0000${builder.schedule ? 1 : 0}\u0000${known.digest}`;
    // the timer changes the scheduler; absent, the summary is what it was before timers
    if (builder.treeStableTimer !== undefined) summary += `\u0000${builder.treeStableTimer}`;
    builderLines.push(known.line);
  }
  return { lines: { pollers: pollerLines, builders: builderLines }, fingerprint: oneShotHash("sha256", summary, "hex") };
}

/** The digest of a builder state's watches, when it was rendered. */
export function renderedDigest(builder: BuilderState): string | undefined {
  return renderedBuilders.get(builder)?.digest;
}

/** A builder state's line and watches digest, known already (a cached result): not rendered nor hashed again. */
export function rememberBuilderRendering(builder: BuilderState, name: string, digest: string, line: string): void {
  renderedBuilders.set(builder, { name, digest, line });
}

/** Keeps the lines `mergeFarm` rendered for `state` (and their fingerprint) for writing it. */
export function rememberRendering(state: State, lines: StateLines, fingerprint: string): void {
  rendered.set(state, lines);
  computed.set(state, fingerprint);
}

const HEAD_BYTES = 256;

/** The fingerprint a state file's first bytes name, when its last two bytes end a whole state (`readStateFingerprint` of bytes at hand). */
export function stateFingerprintIn(head: Uint8Array, tail: Uint8Array): string | undefined {
  const text = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  if (text(tail) !== "}\n") return undefined;
  return HEAD.exec(text(head.subarray(0, HEAD_BYTES)))?.[1];
}
const HEAD = /^\{"schema":"autowatch\.state\/1","fingerprint":"([0-9a-f]{64})",\n/;

/**
 * The fingerprint of a state file, from its first bytes (the file is not parsed); undefined
 * when there is none, or the file does not end like a whole state (then it counts as changed).
 */
export function readStateFingerprint(file: string): string | undefined {
  let fd: number;
  try {
    fd = openRegular(file);
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    return size < 2 ? undefined : stateFingerprintIn(readAt(fd, 0, Math.min(size, HEAD_BYTES)), readAt(fd, size - 2, 2));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A state file read only if asked for, once: its text, and the state parsed from it (a merge's result that did not render it). */
export function stateFileView(file: string): { text(): string; state(): State } {
  let text: string | undefined;
  let state: State | undefined;
  const read = () => (text ??= readRegular(file).toString("utf8"));
  return { text: read, state: () => (state ??= JSON.parse(read()) as State) };
}

const PROBLEMS_KEY = Buffer.from('\n"problems":[');
const FIRST_TAIL_BYTES = 1 << 18;

/**
 * A state file's problems (its last list) and the fingerprint its head names, read from the
 * file's two ends: the builders between them (20 MB at 10,000 builders) are not read. Throws
 * when the file cannot be read or does not end with a problems list.
 */
export function readStateEnds(file: string): { fingerprint: string | undefined; problems: Problem[] } {
  const fd = openRegular(file);
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, 0, Math.min(size, HEAD_BYTES));
    for (let length = Math.min(size, FIRST_TAIL_BYTES); ; length = Math.min(size, length * 8)) {
      const tail = readAt(fd, size - length, length);
      const problems = problemsAtEnd(tail);
      if (problems) return { fingerprint: stateFingerprintIn(head, tail.subarray(length - 2)), problems };
      if (length === size) throw new Error(`${file}: no problems list at its end`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The problems a state text ends with, from its last bytes; undefined when they do not hold the whole list. */
export function problemsAtEnd(tail: Buffer): Problem[] | undefined {
  // a raw newline is never inside a JSON string: the key's last occurrence is the list's start
  const at = tail.lastIndexOf(PROBLEMS_KEY);
  return at < 0 ? undefined : (JSON.parse(`{${tail.toString("utf8", at + 1)}`) as { problems: Problem[] }).problems;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let done = 0; done < length;) {
    const read = readSync(fd, bytes, done, length - done, position + done);
    if (read === 0) return bytes.subarray(0, done);
    done += read;
  }
  return bytes;
}

/** Problems as the state writes them: schema key order, sorted as `serializeState` sorts them. */
export function stateProblems(problems: readonly Problem[]): Problem[] {
  return problems.map((p) => makeProblem(p.level, p.code, p.message, p)).sort(compareProblems);
}

/** What the state's text is made of beyond its fingerprint: each builder's autoWatch flag and the problems. */
export function textIdentity(state: State): string {
  let flags = "";
  for (const name of Object.keys(state.builders)) flags += state.builders[name]!.autoWatch ? "1" : "0";
  return identityOf(state.fingerprint ?? "", flags, linesOf(state).problems);
}

/** The identity of a state's text: its fingerprint, each builder's autoWatch flag ("1"/"0", in the state's order) and its problems' lines. */
export function identityOf(fingerprint: string, flags: string, problemLines: readonly string[]): string {
  return oneShotHash("sha256", `${fingerprint}\n${flags}\n${problemLines.join("\n")}`, "base64");
}
