import { watch as watchDirectory } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Problem, State } from "@autowatch/watchfile";
import { runMerge, type RunMergeOptions, type RunMergeResult } from "./run.js";
import { stateFingerprint, stateFromText } from "./state.js";
import { checkWatchDir } from "./watchdir.js";
import { readRegular } from "./regular.js";

const DEFAULT_DEBOUNCE_MS = 2000;
const DEFAULT_MAX_WAIT_MS = 30_000;

/** What one merge of `watchMerge` gave: a result, or the error that stopped it (the state file is then untouched). */
export type MergeEvent =
  | {
      ok: true;
      result: RunMergeResult;
      /** Pollers or change filters differ from the state last applied: `apply` is called next. */
      changed: boolean;
      /** Errors and warnings the previous merge did not report. */
      newProblems: Problem[];
    }
  | { ok: false; error: unknown };

export interface WatchMergeOptions extends Omit<RunMergeOptions, "manifests" | "output" | "readOnly" | "explain" | "onProgress"> {
  /** MANIFEST.cfg paths: watched, with the rewrite files and the watch directory. */
  manifests: readonly string[];
  /** The state file Buildbot reads. As found at start, it is the state taken as applied. */
  output: string;
  /** Quiet time after a change before merging (default 2 s): a burst of uploads is one merge. */
  debounceMs?: number;
  /** A steady stream of changes still gets a merge at least this often (default 30 s). */
  maxWaitMs?: number;
  /** Everything is watched; the first merge starts next. */
  onReady?: (watching: readonly string[]) => void;
  /** After each merge. Awaited: merges, callbacks and `apply` never overlap. */
  onMerge?: (event: MergeEvent) => void | Promise<void>;
  /**
   * Makes Buildbot load a merged state whose pollers or change filters differ from the state
   * last applied (e.g. runs `buildbot reconfig`). Resolves to true when it did; on false it is
   * called again after the next merge. Without it, every merged state counts as applied.
   */
  apply?: (state: State) => boolean | Promise<boolean>;
  /** Watching failed, or a callback threw ("callback"): following goes on. */
  onError?: (error: unknown, source: "watch" | "callback") => void;
}

export interface MergeWatcher {
  /** The watch directory, manifests and rewrite files, as given. */
  readonly watching: readonly string[];
  /** Stops watching, then waits for a running merge (and its callbacks) to end. */
  close(): Promise<void>;
}

/**
 * `autowatch merge --follow` as a library: merges once, then again after each burst of changes
 * in the watch directory, the manifests or the rewrite files, until closed. Each merge uses
 * the merge cache beside the state, as a one-shot merge does, so a re-merge only redoes the
 * builders whose inputs changed. Throws
 * `MergeSetupError` before watching anything when the watch directory cannot be listed:
 * following it would unwatch the whole farm.
 */
export async function watchMerge(options: WatchMergeOptions): Promise<MergeWatcher> {
  checkWatchDir(options.watchDir);
  const follower = new Follower(options);
  const inputs = await watchInputs(
    { dirs: [options.watchDir], files: [...options.manifests, ...(options.rewriteFiles ?? [])], ignored: [options.output] },
    () => follower.changed(),
    (error) => options.onError?.(error, "watch"),
  );
  options.onReady?.(inputs.watching);
  follower.kick();
  return {
    watching: inputs.watching,
    close: async () => {
      await inputs.close();
      await follower.close();
    },
  };
}

/**
 * The errors and warnings of a merge that the previous merge did not report, and what to
 * compare the next merge's with. The same problem: the same level, code, builder and file —
 * not the same text (a date, an age or a byte offset in it changes from merge to merge) nor
 * line (an edit above it moves it). Counted: a second problem of a kind in one file is new.
 */
function newProblems(problems: readonly Problem[], reported: ReadonlyMap<string, number>): { fresh: Problem[]; reported: Map<string, number> } {
  const key = (problem: Problem) => JSON.stringify([problem.level, problem.code, problem.builder, problem.file]);
  const seen = new Map<string, number>();
  const fresh: Problem[] = [];
  for (const problem of problems) {
    if (problem.level === "info") continue;
    const id = key(problem);
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > (reported.get(id) ?? 0)) fresh.push(problem);
  }
  return { fresh, reported: seen };
}

/** The merges of one `watchMerge`: one at a time, each followed by its callbacks. */
class Follower {
  /** The fingerprint of the state last applied (computed from its content), undefined when none is. */
  private applied: string | undefined;
  private reported: ReadonlyMap<string, number> = new Map();
  private readonly burst: Burst;
  private readonly mergeOptions: RunMergeOptions;
  /** Set by the end of a burst of changes (and for the first merge): a merge is due. */
  private due = true;
  private running?: Promise<void>;
  private closed = false;

  constructor(private readonly options: WatchMergeOptions) {
    const { debounceMs, maxWaitMs, onReady: _ready, onMerge: _merge, apply: _apply, onError: _error, ...mergeOptions } = options;
    this.mergeOptions = mergeOptions;
    const found = stateFound(options.output);
    this.applied = found && stateFingerprint(found);
    this.burst = new Burst(debounceMs ?? DEFAULT_DEBOUNCE_MS, maxWaitMs ?? DEFAULT_MAX_WAIT_MS, () => {
      this.due = true;
      this.kick();
    });
  }

  changed(): void {
    if (!this.closed) this.burst.event();
  }

  /** Starts merging unless a merge runs: that one loops while a merge is due. */
  kick(): void {
    if (this.running || this.closed) return;
    this.running = this.cycle().finally(() => {
      this.running = undefined;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.burst.cancel();
    await this.running;
  }

  private async cycle(): Promise<void> {
    while (this.due && !this.closed) {
      this.due = false;
      await this.mergeAndApply();
    }
  }

  private async mergeAndApply(): Promise<void> {
    const { onMerge, apply } = this.options;
    let result: RunMergeResult;
    try {
      result = await runMerge(this.mergeOptions);
    } catch (error) {
      await this.call(() => onMerge?.({ ok: false, error }));
      return;
    }
    const { fresh, reported } = newProblems(result.problems, this.reported);
    this.reported = reported;
    // compared by fingerprint: the state itself is read back from its file only to be applied
    const changed = result.written && this.applied !== result.fingerprint;
    await this.call(() => onMerge?.({ ok: true, result, changed, newProblems: fresh }));
    if (!changed) return;
    // a failed apply is retried after the next merge: the state stays "not applied"
    if (!apply || (await this.call(() => apply(result.state))) === true) this.applied = result.fingerprint;
  }

  /** A callback that throws must not stop following. */
  private async call<T>(callback: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await callback();
    } catch (error) {
      this.options.onError?.(error, "callback");
      return undefined;
    }
  }
}

/** The state Buildbot is taken to run on at start: the state file as found, if readable. */
function stateFound(file: string): State | undefined {
  try {
    return stateFromText(readRegular(file).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Fires once a burst of events has been quiet for `quietMs`, or `maxWaitMs` after its first event. */
class Burst {
  private timer?: NodeJS.Timeout;
  private firstEventAt?: number;

  constructor(
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly fire: () => void,
  ) {}

  event(): void {
    const now = Date.now();
    this.firstEventAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.quietMs, this.firstEventAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.firstEventAt = undefined;
      this.fire();
    }, delay);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

interface Inputs {
  /** Directories whose direct `*.json` children are watch files. */
  dirs: string[];
  /** Files whose change calls for a merge. */
  files: string[];
  /** Never reacted to: the state file, should it sit in a watch directory. */
  ignored: string[];
}

/**
 * Watches a watch directory with one fs.watch (one inotify watch): any change to a `*.json` in
 * it calls for a merge, which lists the directory itself. chokidar would track each of the
 * 10,000 files (an inotify watch each) and re-read the directory on changes; under a busy merge
 * its directory reads piled up unfinished, each holding a listing (about 0.8 MB a re-merge at
 * 10,000 builders, measured). Manifests and rewrite files are few, and replaced by editors in
 * many ways chokidar knows.
 */
async function watchInputs(
  inputs: Inputs,
  onChange: () => void,
  onError: (error: unknown) => void,
): Promise<{ watching: string[]; close: () => Promise<void> }> {
  const relevant = relevantPath(inputs);
  const dirWatchers = inputs.dirs.map((dir) =>
    watchDirectory(dir, { persistent: true }, (_event, name) => {
      // no name (some platforms): something changed, merge again
      if (name === null || relevant(join(dir, name))) onChange();
    }).on("error", onError),
  );
  // loaded only here: a one-shot merge never needs it
  const { watch } = await import("chokidar");
  const fileWatcher = watch(inputs.files, { ignoreInitial: true, persistent: true });
  fileWatcher.on("all", (_event, path) => {
    if (typeof path === "string" && relevant(path)) onChange();
  });
  fileWatcher.on("error", onError);
  await new Promise<void>((done) => fileWatcher.once("ready", () => done()));
  return {
    watching: [...inputs.dirs, ...inputs.files],
    close: async () => {
      for (const dirWatcher of dirWatchers) dirWatcher.close();
      await fileWatcher.close();
    },
  };
}

function relevantPath(inputs: Inputs): (path: string) => boolean {
  const dirs = new Set(inputs.dirs.map((dir) => resolve(dir)));
  const files = new Set(inputs.files.map((file) => resolve(file)));
  const ignored = new Set(inputs.ignored.map((file) => resolve(file)));
  return (path) => {
    const absolute = resolve(path);
    if (ignored.has(absolute)) return false;
    if (files.has(absolute)) return true;
    const name = basename(absolute);
    // Buildbot uploads to a temporary file, then renames it to the watch file
    return dirs.has(dirname(absolute)) && name.endsWith(".json") && !name.startsWith(".");
  };
}
