import path from "node:path";
import cliProgress from "cli-progress";
import { quoteValue } from "@autowatch/watchfile";
import { introspect, serializeWatchFile, writeWatchFile, type ClassifyProgress } from "@autowatch/introspect";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem } from "../../output.js";

/** Fewer checkouts than this and a progress bar would only flicker. */
const PROGRESS_THRESHOLD = 5;

export async function run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number> {
  const config = options.config as string;
  for (const assignment of args) {
    if (!assignment.includes("=")) {
      throw new UsageError(`introspect: ${quoteValue(assignment)} is not a section:option=value assignment`);
    }
  }
  const progress = context.isTTY ? progressBar(context) : undefined;
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
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } finally {
    progress?.stop();
  }
  if (!result.ok) throw new CliError(formatProblem(result.error, { level: false }));

  const output = options.output as string | undefined;
  if (output) await writeWatchFile(path.resolve(context.cwd, output), result.watchFile);
  else context.stdout.write(serializeWatchFile(result.watchFile));

  for (const problem of result.problems) {
    if (problem.level !== "info") context.stderr.write(`${formatProblem(problem)}\n`);
  }
  const { watches, pinned, problems } = result.watchFile;
  context.stderr.write(
    `autowatch introspect: ${watches.length} watched, ${pinned.length} pinned, ${problems.length} problem(s)${output ? ` → ${output}` : ""}\n`,
  );
  return 0;
}

function progressBar(context: CliContext): { update: (progress: ClassifyProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update({ done, total }) {
      if (total < PROGRESS_THRESHOLD) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: context.stderr, format: "inspecting checkouts [{bar}] {value}/{total}", clearOnComplete: true, hideCursor: true, noTTYOutput: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      } else bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
