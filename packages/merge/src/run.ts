import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { readManifests, type ManifestResult } from "@autowatch/manifest";
import { type Problem, type State } from "@autowatch/watchfile";
import { MAX_CONFIG_BYTES, quoteValue, readRegularFileSync, writeFileAtomicSync } from "@autowatch/watchfile/text";
import { mergeFarm } from "./core.js";
import { mergeFactories } from "./factories.js";
import { loadLastGood } from "./lastgood.js";
import { parseRewriteFile, parseRewriteRule, type RewriteRule } from "./rewrite.js";
import { linesOf, readStateFingerprint, renderState, renderStatePieces, sameLines } from "./state.js";
import { contentDigest, type MergeMemo, type WrittenState } from "./memo.js";
import { DEFAULT_POLICY, type MergePolicy, type MergeResult, type WatchFileInput } from "./types.js";
import { scanWatchDir } from "./watchdir.js";
import { MergeSetupError } from "./errors.js";
import { factoryIndexFile, isRacy, stampManifests, writeFactoryIndex, type IndexHead } from "./factoryindex.js";

export { MergeSetupError };

export interface RunMergeOptions {
  /** MANIFEST.cfg paths, or manifests already parsed. */
  manifests: readonly string[] | ManifestResult;
  watchDir: string;
  /** State file; without it nothing is written and no last-good store is kept (unless `lastGoodDir`). */
  output?: string;
  /** Last-good store directory; default `<output>.lastgood` when `output` is given. */
  lastGoodDir?: string;
  /** `FROM=TO` rules, applied after those of `rewriteFiles`. */
  rewrite?: readonly string[];
  rewriteFiles?: readonly string[];
  allowHosts?: readonly string[];
  allowSchemes?: readonly string[];
  maxBytes?: number;
  maxEntries?: number;
  now?: Date;
  /** Write nothing (neither state nor last-good store): for `explain`. */
  readOnly?: boolean;
  /** Keep why each repository is watched, for `explainBuilder(result.result, …)` (default: `readOnly`). */
  explain?: boolean;
  /**
   * For a caller that merges again and again (`merge --follow`): what this merge learns for
   * the next. Unchanged manifests are not parsed again, builders whose watch file bytes are
   * unchanged are not merged again, and a state file that would get the same bytes is left
   * as it is.
   */
  memo?: MergeMemo;
  /**
   * Report watch files not rewritten for longer than this (a warning each: the builder's
   * worker stopped building or uploading?). `text` is how the operator wrote it. Off by default.
   */
  maxAge?: { milliseconds: number; text: string };
  /** Told now and then how many builders are merged, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface RunMergeResult {
  state: State;
  stateText: string;
  /** Pollers or change filters differ from the previous state file (true when there was none). */
  changed: boolean;
  /** The state file holds this state (written now, or left as it was: the same bytes). */
  written: boolean;
  problems: Problem[];
  result: MergeResult;
}

/**
 * The I/O edge: reads manifests, rewrite files, the watch directory and the last-good store,
 * merges, then writes the last-good store and the state, each file by atomic rename.
 * Bad watch files never make it throw; operator inputs that cannot be used do
 * (`MergeSetupError`, before anything is written): an unreadable manifest or one Python's
 * ConfigParser would refuse, a watch directory that cannot be listed, an unreadable rewrite
 * file. A state computed without them would unschedule builders.
 */
export async function runMerge(options: RunMergeOptions): Promise<RunMergeResult> {
  const now = options.now ?? new Date();
  const memo = options.memo;
  // the parse is kept for explain (STATE.factories) when a state is written
  const indexing = !options.readOnly && options.output !== undefined && Array.isArray(options.manifests);
  const stamps = indexing ? stampManifests(options.manifests as readonly string[]) : undefined;
  const manifests = await loadManifests(options.manifests, memo, undefined, stamps?.onRead);
  const { rules, problems: ruleProblems } = await loadRules(options);
  const maxBytes = options.maxBytes ?? DEFAULT_POLICY.maxBytes;
  const names = manifests.factories.map((factory) => factory.name);
  const watch = scanWatchDir(options.watchDir, names, maxBytes);
  const lastGoodDir = options.lastGoodDir ?? (options.output === undefined ? undefined : `${options.output}.lastgood`);
  const store = lastGoodDir === undefined ? undefined : loadLastGood(lastGoodDir);

  const result = mergeFarm({
    factories: mergeFactories(manifests),
    watchFiles: watch.files,
    lastGood: store?.lastGood,
    rules,
    policy: policyOf(options),
    now,
    problems: [...manifests.problems, ...ruleProblems, ...watch.problems, ...(store?.problems ?? []), ...oldFiles(watch.files, options.maxAge, now)],
    explain: options.explain ?? options.readOnly === true,
    memo,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // the previous state is not parsed: its fingerprint is at the head of the file
  const changed = options.output === undefined || readStateFingerprint(options.output) !== result.state.fingerprint;
  const write = !options.readOnly;
  if (write && store) await store.lastGood.save(result.lastGood);
  // written in pieces: the 40 MB text of a large farm is never held whole
  if (write && options.output !== undefined) writeState(options.output, result.state, memo);
  if (stamps && options.output !== undefined) indexFactories(factoryIndexFile(options.output), stamps.head(), manifests, memo);
  let stateText: string | undefined;
  return {
    state: result.state,
    // rendered on demand (--json, no -o): the same bytes as the file
    get stateText() {
      return (stateText ??= renderState(result.state));
    },
    changed,
    written: write && options.output !== undefined,
    problems: result.problems,
    result,
  };
}

/** A warning for each listed watch file older than `maxAge` (one lstat per file, only when asked). */
function oldFiles(files: ReadonlyMap<string, WatchFileInput>, maxAge: RunMergeOptions["maxAge"], now: Date): Problem[] {
  if (maxAge === undefined) return [];
  const problems: Problem[] = [];
  for (const [builder, input] of files) {
    // listed regular files only: the others are reported as they are
    if (!("read" in input)) continue;
    let modified: number;
    try {
      modified = lstatSync(input.file).mtimeMs;
    } catch {
      continue;
    }
    const age = now.getTime() - modified;
    if (age <= maxAge.milliseconds) continue;
    const since = new Date(modified).toISOString().slice(0, 16);
    problems.push({
      level: "warning",
      builder,
      file: input.file,
      message: `watch file not rewritten for ${roughly(age)} (since ${since}Z; max age ${maxAge.text}): is the builder still building?`,
    });
  }
  return problems;
}

/** `40 minutes`, `30 hours`, `9 days`: rounded down, the way an operator reads an age. */
function roughly(milliseconds: number): string {
  const minutes = Math.floor(milliseconds / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return days >= 2 ? unit(days, "day") : hours >= 2 ? unit(hours, "hour") : unit(minutes, "minute");
}

/**
 * Writes the state by atomic rename, unless the memo knows the file already holds these
 * bytes: the same lines as last written, and the file still has the size and content (sha256)
 * it was written with. Time stamps are not trusted for that: a rewrite within one clock tick
 * keeps them.
 */
function writeState(output: string, state: State, memo: MergeMemo | undefined): void {
  const lines = linesOf(state);
  const before = memo?.written;
  // the head's fingerprint is computed from these lines: the same lines, the same text
  if (before && before.file === output && sameLines(before.lines, lines) && holds(output, before)) return;
  const hash = memo ? createHash("sha256") : undefined;
  writeFileAtomicSync(output, (piece) => renderStatePieces(state, piece), { onBytes: hash && ((bytes) => hash.update(bytes)) });
  if (memo && hash) memo.written = { file: output, lines, size: statSync(output).size, digest: hash.digest("base64") };
}

/** The file has the size and content it was written with. */
function holds(file: string, written: WrittenState): boolean {
  try {
    if (statSync(file).size !== written.size) return false;
    return contentDigest(readFileSync(file)) === written.digest;
  } catch {
    return false;
  }
}

/**
 * Writes STATE.factories for this parse. `merge --follow` skips it while the manifests have the
 * stamps (stat and sha256 of the bytes parsed) of the parse already written, past the racy
 * window; a one-shot merge always writes it (another version of autowatch may have written the
 * old one).
 */
function indexFactories(file: string, head: IndexHead | undefined, manifests: ManifestResult, memo: MergeMemo | undefined): void {
  if (head === undefined) return;
  const stamps = JSON.stringify(head.manifests);
  const before = memo?.indexed;
  if (before && before.file === file && before.stamps === stamps && !isRacy(before.head) && existsSync(file)) return;
  writeFactoryIndex(file, head, manifests);
  if (memo) memo.indexed = { file, stamps, head };
}

/** The operator's policy for what workers send, defaults filled in. */
export function policyOf(options: RunMergeOptions): MergePolicy {
  return {
    allowHosts: [...(options.allowHosts ?? DEFAULT_POLICY.allowHosts)],
    allowSchemes: [...(options.allowSchemes ?? DEFAULT_POLICY.allowSchemes)],
    maxBytes: options.maxBytes ?? DEFAULT_POLICY.maxBytes,
    maxEntries: options.maxEntries ?? DEFAULT_POLICY.maxEntries,
  };
}

/** Reads the manifests (only one builder's section resolved with `only`); a lost manifest is a MergeSetupError. */
export async function loadManifests(
  manifests: RunMergeOptions["manifests"],
  memo: MergeMemo | undefined,
  only?: string,
  onRead?: (file: string, bytes: Uint8Array) => void,
): Promise<ManifestResult> {
  if (!Array.isArray(manifests)) return manifests as ManifestResult;
  const paths = manifests as readonly string[];
  const result = await readManifests([...paths], {
    ...(memo ? { memo: memo.manifests } : {}),
    ...(only === undefined ? {} : { only }),
    ...(onRead ? { onRead } : {}),
  });
  return checkManifests(result, paths);
}

/** A lost or refused manifest is a MergeSetupError; otherwise the parse as it is. */
function checkManifests(result: ManifestResult, paths: readonly string[]): ManifestResult {
  // a whole manifest lost (no line: unreadable, not UTF-8) would unschedule all its builders
  const lost = result.problems.find((p) => p.level === "error" && p.line === undefined && p.file !== undefined && paths.includes(p.file));
  if (lost) throw new MergeSetupError(`${lost.file}: ${lost.message}`);
  // Python's ConfigParser would raise on these: what the rest of the file means is a guess
  // (a header typo turns a builder into options of the section above), so nothing is merged;
  // likewise an inherit chain cut at the reader's limit (its builders would lose options)
  const refused = result.readErrors ?? [];
  if (refused.length > 0) {
    const files = [...new Set(refused.map((p) => p.file))];
    throw new MergeSetupError(
      `${files.length === 1 ? "a manifest" : `${files.length} manifests`} that Python's ConfigParser would refuse or that cannot be read whole (${refused.length} ${refused.length === 1 ? "error" : "errors"}): nothing written, the previous state and last-good store are kept`,
      refused,
    );
  }
  return result;
}

export async function loadRules(options: RunMergeOptions): Promise<{ rules: RewriteRule[]; problems: Problem[] }> {
  const rules: RewriteRule[] = [];
  const problems: Problem[] = [];
  for (const file of options.rewriteFiles ?? []) {
    // a regular file only, at most MAX_CONFIG_BYTES (a FIFO or device is refused without blocking)
    const read = readRegularFileSync(file, MAX_CONFIG_BYTES);
    if ("error" in read) throw new MergeSetupError(`cannot read rewrite file ${quoteValue(file)}: ${read.error}`);
    const text = read.bytes.toString("utf8");
    const parsed = parseRewriteFile(text, file);
    rules.push(...parsed.rules);
    problems.push(...parsed.problems);
  }
  for (const text of options.rewrite ?? []) {
    const rule = parseRewriteRule(text);
    if (typeof rule === "string") throw new MergeSetupError(`--rewrite ${JSON.stringify(text)}: ${rule}`);
    rules.push(rule);
  }
  return { rules, problems };
}
