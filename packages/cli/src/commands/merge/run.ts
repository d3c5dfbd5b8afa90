// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { MergeSetupError, runMerge, type RunMergeResult } from "@autowatch/merge";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem, printable, problemLines, relativeIn, shortPath } from "../../output.js";
import { runMergeOptions } from "./options.js";
import { mergeSummary } from "./summary.js";
import { recordInputs } from "./inputs.js";
import { progressBar } from "../../progress.js";

/** Fewer builders than this merge in well under a second: no bar. */
const PROGRESS_THRESHOLD = 1000;

export async function run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number> {
  if (options.follow) return (await import("./follow.js")).follow(options, args, context);
  if (options.reconfig !== undefined) throw new UsageError("--reconfig needs --follow");
  const mergeOptions = runMergeOptions(options, context);
  // "changed" means "differs from the state file": without one it would always say so
  if (options.exitCode && mergeOptions.output === undefined) throw new UsageError("--exit-code needs -o FILE: the state file to compare with");
  // a bar on a terminal: a large farm takes seconds
  const progress = await progressBar(context, "merging builders", PROGRESS_THRESHOLD);
  const result = await guardMerge(() => runMerge({ ...mergeOptions, onProgress: progress.update }), context.cwd).finally(() => progress.stop());
  if (result.written && mergeOptions.output !== undefined) recordInputs(mergeOptions.output, mergeOptions);
  // without -o (or with `-o -`) the state has nowhere else to go: stdout
  if (options.json || mergeOptions.output === undefined) context.stdout.write(result.stateText);
  const serious = result.problems.some((problem) => problem.level !== "info");
  if (options.quiet) {
    // cron mails whatever is printed: only what needs attention
    if (serious) context.stderr.write(`${problemLines(result.problems, context, { everything: "the state and --json list them all" }).join("\n")}\n`);
  } else {
    context.stderr.write(mergeSummary(result, context));
    if (mergeOptions.output !== undefined) {
      const state = shortPath(mergeOptions.output, context.cwd);
      const done = result.rewritten ? `state written to ${state}` : `state ${state} already up to date`;
      context.stderr.write(`autowatch merge: ${done}${result.changed ? " (pollers or change filters changed)" : " (pollers and change filters unchanged)"}\n`);
    }
  }
  if (options.strict && serious) return 1;
  return options.exitCode && result.changed ? EXIT_CHANGED : 0;
}

/** `--exit-code`: the state was written and Buildbot must be reconfigured (1 and 2 are taken by errors and usage). */
export const EXIT_CHANGED = 3;

/**
 * Operator-side failures (an unreadable manifest, a missing watch directory) become a one-line
 * error, then one `FILE:LINE: error: …` line per problem found; never a stack.
 */
export async function guardMerge<T = RunMergeResult>(merge: () => Promise<T>, cwd?: string): Promise<T> {
  try {
    return await merge();
  } catch (error) {
    throw operatorError(error, cwd);
  }
}

/** What a merge threw, as the operator is told it: a CliError when it is the operator's to fix, else as it is. */
export function operatorError(error: unknown, cwd?: string): unknown {
  if (error instanceof MergeSetupError) {
    const where = error.problems.map((problem) => `\n  ${formatProblem(problem, { cwd })}`).join("");
    return new CliError(`${printable(relativeIn(error.message, cwd))}${where}`, 1);
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && error instanceof Error) return new CliError(relativeIn(`cannot write the state: ${error.message}`, cwd), 1);
  return error;
}
