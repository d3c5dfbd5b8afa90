import path from "node:path";
import cliProgress from "cli-progress";
import type { Problem } from "@autowatch/watchfile";
import { escapeControls, hasControlCharacters, quoteValue } from "@autowatch/watchfile";
import { introspect, serializeWatchFile, writeWatchFile, type ClassifyProgress } from "@autowatch/introspect";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";

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
  if (!result.ok) throw new CliError(located(result.error));

  const output = options.output as string | undefined;
  if (output) await writeWatchFile(path.resolve(context.cwd, output), result.watchFile);
  else context.stdout.write(serializeWatchFile(result.watchFile));

  for (const problem of result.problems) {
    if (problem.level !== "info") context.stderr.write(`${located(problem)} (${problem.level})\n`);
  }
  const { watches, pinned, problems } = result.watchFile;
  context.stderr.write(
    `autowatch introspect: ${watches.length} watched, ${pinned.length} pinned, ${problems.length} problem(s)${output ? ` → ${output}` : ""}\n`,
  );
  return 0;
}

/** `file:line: message`, the form editors and CI logs link; one line whatever the values in it. */
function located(problem: Problem): string {
  const where = problem.file === undefined ? "" : `${problem.file}${problem.line ? `:${problem.line}` : ""}: `;
  const text = `${where}${problem.message}`;
  return hasControlCharacters(text) ? escapeControls(text) : text;
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
