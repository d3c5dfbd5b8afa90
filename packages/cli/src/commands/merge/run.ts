import { MergeSetupError, runMerge, summarizeMerge, type RunMergeResult } from "@autowatch/merge";
import type { CliContext } from "../../context.js";
import { CliError } from "../../errors.js";
import { runMergeOptions } from "./options.js";

export async function run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number> {
  if (options.follow) return (await import("./follow.js")).follow(options, args, context);
  if (options.reconfig !== undefined) throw new CliError("--reconfig needs --follow", 2);
  const mergeOptions = runMergeOptions(options, context);
  const result = await guardMerge(() => runMerge(mergeOptions));
  // without -o the state has nowhere else to go: stdout
  if (options.json || mergeOptions.output === undefined) context.stdout.write(result.stateText);
  context.stderr.write(summarizeMerge(result.state));
  if (mergeOptions.output !== undefined) context.stderr.write(`state written to ${mergeOptions.output}${result.changed ? " (pollers or change filters changed)" : " (pollers and change filters unchanged)"}\n`);
  const serious = result.problems.some((problem) => problem.level !== "info");
  return options.strict && serious ? 1 : 0;
}

/** Operator-side failures (an unreadable manifest) become one-line errors, never a stack. */
export async function guardMerge(merge: () => Promise<RunMergeResult>): Promise<RunMergeResult> {
  try {
    return await merge();
  } catch (error) {
    if (error instanceof MergeSetupError) throw new CliError(error.message, 1);
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && error instanceof Error) throw new CliError(`cannot write the state: ${error.message}`, 1);
    throw error;
  }
}
