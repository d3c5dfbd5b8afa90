import path from "node:path";
import { quoteValue } from "@autowatch/watchfile";
import { introspect, serializeWatchFile, writeWatchFile } from "@autowatch/introspect";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem, plural, shortPath } from "../../output.js";
import { progressBar } from "../../progress.js";

/** Fewer checkouts than this and a progress bar would only flicker. */
const PROGRESS_THRESHOLD = 5;

export async function run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number> {
  const config = options.config as string | undefined;
  if (config === undefined) throw new UsageError("-c, --config FILE is required (the buildout configuration)");
  for (const assignment of args) {
    if (!assignment.includes("=")) {
      throw new UsageError(`${quoteValue(assignment)} is not a section:option=value assignment`);
    }
  }
  const progress = progressBar(context, "inspecting checkouts", PROGRESS_THRESHOLD);
  let result;
  try {
    result = await introspect({
      config,
      cwd: context.cwd,
      env: context.env,
      overrides: args,
      part: options.part as string | undefined,
      builder: options.builder as string | undefined,
      noUserDefaults: options.userDefaults === false,
      onProgress: ({ done, total }) => progress.update(done, total),
    });
  } finally {
    progress.stop();
  }
  if (!result.ok) throw new CliError(formatProblem(result.error, { cwd: context.cwd, level: false }));

  // `-o -` is stdout, like no -o
  const output = options.output === "-" ? undefined : (options.output as string | undefined);
  if (output) await writeWatchFile(path.resolve(context.cwd, output), result.watchFile);
  else context.stdout.write(serializeWatchFile(result.watchFile));

  for (const problem of result.problems) {
    if (problem.level !== "info") context.stderr.write(`${formatProblem(problem, { cwd: context.cwd, color: context.color })}\n`);
  }
  const { watches, pinned, problems } = result.watchFile;
  if (!options.quiet) {
    context.stderr.write(
      `autowatch introspect: ${watches.length} watched, ${pinned.length} pinned, ${plural(problems.length, "problem")}${output ? ` → ${shortPath(path.resolve(context.cwd, output), context.cwd)}` : ""}\n`,
    );
  }
  return 0;
}
