// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { spawn } from "node:child_process";
import process from "node:process";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import type { MergeEvent, MergeWatcher, WatchMergeOptions } from "@autowatch/merge";
import type { State } from "@autowatch/watchfile";
import { problemCounts } from "./summary.js";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem, plural, printable } from "../../output.js";
import { runMergeOptions } from "./options.js";
import { operatorError } from "./run.js";
import { recordInputs } from "./inputs.js";

export interface FollowOptions {
  signal?: AbortSignal;
  debounceMs?: number;
  maxWaitMs?: number;
}

/**
 * `autowatch merge --follow`: the merge command's options, plus `reconfig`, around
 * `watchMerge` from @autowatch/merge (which watches, debounces and merges). Stops on SIGTERM or
 * SIGINT, or when `hooks.signal` aborts (in-process callers); returns the exit code.
 */
export async function follow(options: Record<string, unknown>, _args: string[], context: CliContext, hooks: FollowOptions = {}): Promise<number> {
  const afterMerge = heapSizing();
  const mergeOptions = runMergeOptions(options, context);
  const output = mergeOptions.output;
  if (output === undefined) throw new UsageError("merge --follow: -o STATE is required (the file Buildbot reads)");
  const reconfig = typeof options.reconfig === "string" && options.reconfig.trim() !== "" ? options.reconfig : undefined;
  const log = (line: string): void => {
    context.stderr.write(`autowatch: ${new Date().toISOString()} ${line}\n`);
  };
  const stop = hooks.signal ? undefined : processStopSignal();
  try {
    const watcher = await start({
      ...mergeOptions,
      manifests: mergeOptions.manifests as string[],
      output,
      debounceMs: hooks.debounceMs ?? numberOption(options.debounce, "--debounce"),
      maxWaitMs: hooks.maxWaitMs,
      onReady: (watching) => log(`following ${watching.join(", ")}${typeof options.reconfig === "string" ? `; reconfig: ${options.reconfig}` : ""}`),
      onMerge: (event) => {
        afterMerge();
        if (event.ok && event.result.written) recordInputs(output, mergeOptions);
        for (const line of mergeLog(event, reconfig !== undefined, context.cwd)) log(line);
      },
      apply: reconfig === undefined ? undefined : () => reconfigure(reconfig, context, log),
      onError: (error, source) => log(`${source === "watch" ? "watching failed" : "error"}: ${error instanceof Error ? error.message : String(error)}`),
    });
    await aborted(hooks.signal ?? stop!.signal);
    await watcher.close();
    log("stopped");
    return 0;
  } finally {
    stop?.dispose();
  }
}

/** Starts watching; a watch directory the merge could not list is a configuration error (following it would unwatch the farm). */
async function start(options: WatchMergeOptions): Promise<MergeWatcher> {
  const { watchMerge, MergeSetupError } = await import("@autowatch/merge");
  try {
    return await watchMerge(options);
  } catch (error) {
    if (error instanceof MergeSetupError) throw new CliError(printable(`${error.message}: not following`), 1);
    throw error;
  }
}

/** The follow log's lines for one merge: a one-line account, then each new error or warning (never coloured: this is a log). */
function mergeLog(event: MergeEvent, reconfig: boolean, cwd: string): string[] {
  if (!event.ok) {
    const error = operatorError(event.error, cwd);
    return [`re-merge failed: ${error instanceof Error ? error.message : String(error)}; still following`];
  }
  const verdict = !event.changed
    ? "pollers and change filters unchanged"
    : reconfig
      ? "pollers or change filters changed, running the reconfig command"
      : "pollers or change filters changed";
  return [`re-merged: ${oneLine(event.result)}; ${verdict}`, ...event.newProblems.map((problem) => `  new problem: ${formatProblem(problem, { cwd })}`)];
}

/** A one-line account of a merge for the follow log (the full summary is `autowatch merge`'s). */
function oneLine(result: { counts: { builders: number; pollers: number }; problems: State["problems"] }): string {
  // from the counts: the state itself is not read back from its file for a log line
  return `${plural(result.counts.builders, "builder")}, ${plural(result.counts.pollers, "poller")}, ${problemCounts(result)}`;
}

/** Runs the reconfig command; true when it succeeded (otherwise it runs again after the next merge). */
async function reconfigure(command: string, context: CliContext, log: (line: string) => void): Promise<boolean> {
  const code = await runShell(command, context, log);
  if (code !== 0) log(`reconfig command failed (exit ${code}): it runs again after the next merge`);
  return code === 0;
}

/** Runs operator configuration through the shell, its output on our stderr; resolves to the exit code. */
function runShell(command: string, context: CliContext, log: (line: string) => void): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, { shell: true, cwd: context.cwd, env: context.env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(context.stderr, { end: false });
    child.stderr.pipe(context.stderr, { end: false });
    child.on("error", (error) => {
      log(`reconfig command could not start: ${error.message}`);
      done(127);
    });
    child.on("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** An AbortSignal that fires on SIGTERM or SIGINT; `dispose` removes the handlers. */
function processStopSignal(): { signal: AbortSignal; dispose: () => void } {
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

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) done();
    else signal.addEventListener("abort", () => done(), { once: true });
  });
}

function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`${name} must be a number of milliseconds`);
  return number;
}

/**
 * A follow process merges again and again in one heap, and V8's default heap growth lets each
 * merge's garbage pile up to several times what is live before a full collection. Its first
 * merge is a whole one (its cache is made, or checked builder by builder): sized for memory
 * (`--optimize-for-size`), the heap stays near what that merge needs. Its garbage is then
 * collected at once (otherwise the first re-merge allocated on top of it and raised the peak
 * by up to 20 MiB). The re-merges after it splice the few builders that changed: at full speed,
 * with the heap let grow only 1% past what a collection leaves. Measured on a 10,000-builder
 * farm, 1% new each time, 8 re-merges a run, 3 runs: re-merges 0.28-0.57 s, peak RSS 231-237 MiB
 * (the first merge's); without the collection, 233-254 MiB; sized for memory throughout,
 * 0.44-0.80 s and 236-248 MiB. A whole merge after the first (a manifest edited, a new day) is
 * faster at full speed but peaks higher: 1.3 s and 288 MiB, against 2.0 s and 267 MiB sized for
 * memory. Both flags are heuristics read as the heap grows: setting them between merges is safe.
 */
function heapSizing(): () => void {
  v8.setFlagsFromString("--optimize-for-size");
  let first = true;
  return () => {
    if (!first) return;
    first = false;
    v8.setFlagsFromString("--no-optimize-for-size");
    v8.setFlagsFromString("--heap-growing-percent=1");
    collectGarbage();
  };
}

/** A full collection, now: V8 gives `gc` to the contexts made after `--expose-gc` is set. */
function collectGarbage(): void {
  try {
    v8.setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  } catch {
    // a V8 that refuses: the garbage is collected later, as it would be without this call
  }
}
