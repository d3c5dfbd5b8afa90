import { explainBuilder, formatExplanation, runMerge, safeJson } from "@autowatch/merge";
import type { CliContext } from "../../context.js";
import { guardMerge } from "../merge/run.js";
import { runMergeOptions } from "../merge/options.js";

export async function run(options: Record<string, unknown>, _args: string[], context: CliContext): Promise<number> {
  const mergeOptions = runMergeOptions(options, context);
  // explaining must not change anything on disk: no state, and the last-good store is only read
  const lastGoodDir = mergeOptions.lastGoodDir ?? (mergeOptions.output === undefined ? undefined : `${mergeOptions.output}.lastgood`);
  const result = await guardMerge(() => runMerge({ ...mergeOptions, output: undefined, lastGoodDir, readOnly: true }), context.cwd);
  const explanation = explainBuilder(result.result, String(options.builder));
  if (options.json) context.stdout.write(`${safeJson(explanation)}\n`);
  else (explanation.found ? context.stdout : context.stderr).write(formatExplanation(explanation));
  return explanation.found ? 0 : 1;
}
