import { spawn } from "node:child_process";
import { watch as fsWatch } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import v8 from "node:v8";
import { watch, type FSWatcher } from "chokidar";
import { checkWatchDir, MergeSetupError } from "@autowatch/merge";
import type { State } from "@autowatch/watchfile";
import { problemCounts } from "./summary.js";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem, plural, printable } from "../../output.js";
import { runMergeOptions } from "./options.js";
import { guardMerge } from "./run.js";
import { recordInputs } from "./inputs.js";

/** What one merge gave: the state written (undefined when none could be) and a short summary. */
export interface MergeOutcome {
  state: State | undefined;
  summary: string;
  /** Errors and warnings, one safe line each: those not reported by the previous merge are logged. */
  problems?: string[];
}

export interface FollowSettings {
  /** Directories whose direct `*.json` children are watch files. */
  watchDirs: string[];
  /** Files whose change calls for a re-merge (manifests, rewrite files). */
  files: string[];
  /** Files never to react to: the state file, should it sit in a watch directory. */
  ignored?: string[];
  /** Runs one merge and writes the state. May throw: the error is logged and following goes on. */
  mergeOnce: () => Promise<MergeOutcome>;
  /** The state Buildbot is assumed to run on at start (the state file as found), if any. */
  applied: State | undefined;
  /** Tells whether Buildbot must be reconfigured to go from one state to the other. */
  differ: (a: State | undefined, b: State | undefined) => boolean;
  /** Shell command run after a merge that changed pollers or change filters. */
  reconfig?: string | undefined;
  debounceMs: number;
  /** A steady stream of events still gets a merge at least this often. */
  maxWaitMs: number;
  signal: AbortSignal;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Where the reconfig command's output goes. */
  output: NodeJS.WritableStream;
}

export const DEFAULT_DEBOUNCE_MS = 2000;
export const DEFAULT_MAX_WAIT_MS = 30_000;

/**
 * Merges once, then again after each burst of changes in the watch directories or the
 * manifests, until the signal aborts. The reconfig command runs only when the merged state
 * differs from the one Buildbot last loaded (pollers or change filters); a failed reconfig is
 * retried after the next merge. Merges and reconfigs never overlap.
 */
export async function followLoop(settings: FollowSettings): Promise<void> {
  const { signal, log } = settings;
  let applied = settings.applied;
  let reported = new Set<string>();
  // set when the debounce timer fires (and for the first merge): a merge is due
  let due = true;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt: number | undefined;

  const cycle = async (): Promise<void> => {
    while (due && !signal.aborted) {
      due = false;
      let outcome: MergeOutcome;
      try {
        outcome = await settings.mergeOnce();
      } catch (error) {
        log(`re-merge failed: ${error instanceof Error ? error.message : String(error)}; still following`);
        continue;
      }
      const problems = outcome.problems ?? [];
      const fresh = problems.filter((line) => !reported.has(line));
      reported = new Set(problems);
      const changed = outcome.state !== undefined && settings.differ(applied, outcome.state);
      const verdict = !outcome.state
        ? "no state written"
        : !changed
          ? "pollers and change filters unchanged"
          : settings.reconfig
            ? "pollers or change filters changed, running the reconfig command"
            : "pollers or change filters changed";
      log(`re-merged: ${outcome.summary}; ${verdict}`);
      for (const line of fresh) log(`  new problem: ${line}`);
      if (!changed || !outcome.state) continue;
      if (!settings.reconfig) {
        applied = outcome.state;
        continue;
      }
      const code = await runShell(settings.reconfig, settings);
      if (code === 0) applied = outcome.state;
      else log(`reconfig command failed (exit ${code}): it runs again after the next merge`);
    }
  };

  const kick = (): void => {
    if (running) return; // the running cycle loops while a merge is due
    running = cycle().finally(() => {
      running = undefined;
    });
  };

  const schedule = (): void => {
    const now = Date.now();
    firstEventAt ??= now;
    if (timer) clearTimeout(timer);
    const delay = Math.max(0, Math.min(settings.debounceMs, firstEventAt + settings.maxWaitMs - now));
    timer = setTimeout(() => {
      timer = undefined;
      firstEventAt = undefined;
      due = true;
      kick();
    }, delay);
  };

  const watchDirs = settings.watchDirs.map((dir) => resolve(settings.cwd, dir));
  const files = new Set(settings.files.map((file) => resolve(settings.cwd, file)));
  const ignored = new Set((settings.ignored ?? []).map((file) => resolve(settings.cwd, file)));
  const relevant = (path: string): boolean => {
    const absolute = resolve(settings.cwd, path);
    if (ignored.has(absolute)) return false;
    if (files.has(absolute)) return true;
    const name = basename(absolute);
    // Buildbot uploads to a temporary file, then renames it to the watch file
    return watchDirs.includes(dirname(absolute)) && name.endsWith(".json") && !name.startsWith(".");
  };

  // not created when missing: a mistyped --watch-dir would otherwise follow an empty directory
  // and unwatch the whole farm (`follow` checks them before starting)
  const failed = (error: unknown): void => log(`watching failed: ${error instanceof Error ? error.message : String(error)}`);
  // A watch directory is one fs.watch (one inotify watch): any change to a `*.json` in it
  // calls for a re-merge, which lists the directory itself. chokidar would track each of the
  // 10,000 files (an inotify watch each) and re-read the directory on changes; under a busy
  // merge its directory reads piled up unfinished, each holding a listing (about 0.8 MB a
  // re-merge at 10,000 builders, measured).
  const dirWatchers = watchDirs.map((dir) =>
    fsWatch(dir, { persistent: true }, (_event, name) => {
      // no name (some platforms): something changed, merge again
      if (name === null || relevant(join(dir, name))) schedule();
    }).on("error", failed),
  );
  // manifests and rewrite files: few, and replaced by editors in many ways chokidar knows
  const watcher: FSWatcher = watch([...files], { ignoreInitial: true, persistent: true });
  watcher.on("all", (_event, path) => {
    if (typeof path === "string" && relevant(path)) schedule();
  });
  watcher.on("error", failed);
  await new Promise<void>((done) => watcher.once("ready", () => done()));

  kick();
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener("abort", () => done(), { once: true });
  });
  if (timer) clearTimeout(timer);
  for (const dirWatcher of dirWatchers) dirWatcher.close();
  await watcher.close();
  await running;
}

/** Runs operator configuration through the shell, its output on ours; resolves to the exit code. */
function runShell(command: string, settings: FollowSettings): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, { shell: true, cwd: settings.cwd, env: settings.env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(settings.output, { end: false });
    child.stderr.pipe(settings.output, { end: false });
    child.on("error", (error) => {
      settings.log(`reconfig command could not start: ${error.message}`);
      done(127);
    });
    child.on("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** An AbortSignal that fires on SIGTERM or SIGINT; `dispose` removes the handlers. */
export function processStopSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    },
  };
}

export interface FollowOptions {
  signal?: AbortSignal;
  debounceMs?: number;
  maxWaitMs?: number;
}

function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`${name} must be a number of milliseconds`);
  return number;
}

/**
 * `autowatch merge --follow`: the merge command's options, plus `reconfig`. Stops on SIGTERM
 * or SIGINT, or when `hooks.signal` aborts (in-process callers); returns the exit code.
 */
/** Errors and warnings as single escaped lines (messages may quote what workers sent), never coloured: this is a log. */
function problemLines(state: State, cwd: string): string[] {
  return state.problems.filter((p) => p.level !== "info").map((p) => formatProblem(p, { cwd }));
}

/** A one-line account of a merge for the follow log (the full summary is `autowatch merge`'s). */
function oneLine(state: State): string {
  return `${plural(Object.keys(state.builders).length, "builder")}, ${plural(state.pollers.length, "poller")}, ${problemCounts(state)}`;
}

/** The merge step, from the merge command's options: the same inputs as a one-shot merge. */
async function mergeAdapter(options: Record<string, unknown>, context: CliContext) {
  const mergeOptions = runMergeOptions(options, context);
  const output = mergeOptions.output;
  if (output === undefined) throw new UsageError("merge --follow: -o STATE is required (the file Buildbot reads)");
  const { runMerge, parseState, statesDiffer, MergeMemo } = await import("@autowatch/merge");
  const applied = await readFile(output, "utf8").then(parseState, () => undefined);
  // one memo for the whole run: a re-merge only redoes the builders whose inputs changed
  const memo = new MergeMemo();
  return {
    mergeOnce: async (): Promise<MergeOutcome> => {
      const result = await guardMerge(() => runMerge({ ...mergeOptions, memo }), context.cwd);
      if (result.written) recordInputs(output, mergeOptions);
      return { state: result.written ? result.state : undefined, summary: oneLine(result.state), problems: problemLines(result.state, context.cwd) };
    },
    applied,
    differ: statesDiffer,
    watchDirs: [mergeOptions.watchDir],
    files: [...(mergeOptions.manifests as string[]), ...(mergeOptions.rewriteFiles ?? [])],
    ignored: [output],
  };
}

/**
 * A follow process keeps every builder's last result (its MergeMemo: about 100 MB at 10,000
 * builders), and V8's default heap growth then lets each re-merge's garbage pile up to about
 * three times that before a full collection (390 MB after ten re-merges there). Sized for memory
 * rather than speed, the heap stays near what is live (the process peaks at about 215 MB) for
 * re-merges about 10% slower. A heuristic flag, read as the heap grows: setting it now is safe, and it only makes
 * collections more frequent.
 */
function sizeHeapForMemory(): void {
  v8.setFlagsFromString("--optimize-for-size");
}

/** A watch directory the merge could not list is a configuration error: following it would unwatch the farm. */
function checkWatchDirs(dirs: readonly string[]): void {
  try {
    for (const dir of dirs) checkWatchDir(dir);
  } catch (error) {
    if (error instanceof MergeSetupError) throw new CliError(printable(`${error.message}: not following`), 1);
    throw error;
  }
}

export async function follow(options: Record<string, unknown>, _args: string[], context: CliContext, hooks: FollowOptions = {}): Promise<number> {
  sizeHeapForMemory();
  const { mergeOnce, applied, differ, watchDirs, files, ignored } = await mergeAdapter(options, context);
  checkWatchDirs(watchDirs);
  const stop = hooks.signal ? undefined : processStopSignal();
  const log = (line: string): void => {
    context.stderr.write(`autowatch: ${new Date().toISOString()} ${line}\n`);
  };
  try {
    log(`following ${[...watchDirs, ...files].join(", ")}${typeof options.reconfig === "string" ? `; reconfig: ${options.reconfig}` : ""}`);
    await followLoop({
      watchDirs,
      files,
      ignored,
      mergeOnce,
      applied,
      differ,
      reconfig: typeof options.reconfig === "string" && options.reconfig.trim() !== "" ? options.reconfig : undefined,
      debounceMs: hooks.debounceMs ?? numberOption(options.debounce, "--debounce") ?? DEFAULT_DEBOUNCE_MS,
      maxWaitMs: hooks.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      signal: hooks.signal ?? stop!.signal,
      cwd: context.cwd,
      env: context.env,
      log,
      output: context.stderr,
    });
    log("stopped");
    return 0;
  } finally {
    stop?.dispose();
  }
}
