// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { statSync } from "node:fs";
import { explainOne, type BuilderReport } from "@autowatch/merge";
import type { CliContext } from "../../context.js";
import { UsageError } from "../../errors.js";
import { jsonId } from "../../schemas.js";
import { guardMerge } from "../merge/run.js";
import { runMergeOptions } from "../merge/options.js";
import { formatReport, staleness } from "./format.js";
import { inputDifferences } from "../merge/inputs.js";
import { printableJson, shortPath } from "../../output.js";

export async function run(options: Record<string, unknown>, _args: string[], context: CliContext): Promise<number> {
  if (typeof options.builder !== "string") throw new UsageError("--builder NAME is required");
  const mergeOptions = runMergeOptions(options, context);
  const now = new Date();
  // one builder merged as the merge would, from its own inputs: always current, and cheap
  const report = await guardMerge(() => explainOne({ ...mergeOptions, readOnly: true, now }, options.builder as string), context.cwd);
  const stale = mergeOptions.output === undefined ? [] : staleness(mergeOptions.output, mergeOptions, report, context.cwd);
  // flags that differ from the merge that wrote the state: explain would answer for another farm
  const differ = mergeOptions.output === undefined ? [] : inputDifferences(mergeOptions.output, mergeOptions, (path) => shortPath(path, context.cwd));
  if (options.json) {
    context.stdout.write(`${printableJson(JSON.stringify(jsonReport(report, stale, differ, mergeOptions.output), null, 2))}\n`);
  } else {
    (report.explanation.found ? context.stdout : context.stderr).write(formatReport(report, stale, { cwd: context.cwd, color: context.color, now }, differ));
  }
  if (!report.explanation.found) return 1;
  const serious = report.explanation.builder.problems.some((problem) => problem.level !== "info");
  return options.strict && serious ? 1 : 0;
}

function jsonReport(report: BuilderReport, stale: string[], differ: string[], state: string | undefined) {
  const { explanation, pinned, watchFileTime, problems, from } = report;
  return {
    schema: jsonId("explain"),
    ...explanation,
    ...(explanation.found ? { pinned, watchFileModified: watchFileTime?.toISOString() ?? null } : {}),
    ...(state === undefined ? {} : { state: { file: state, modified: modified(state), behind: stale, differ } }),
    from,
    problems,
  };
}

function modified(file: string): string | null {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return null;
  }
}
