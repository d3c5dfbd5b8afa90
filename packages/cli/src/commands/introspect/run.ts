// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import path from "node:path";
import { type Origin, type PinnedEntry, serializeWatchFile } from "@autowatch/watchfile";
import { quoteValue } from "@autowatch/watchfile/text";
import { detectSourceFiles, FORMATS, introspectFiles, sourceFileFor, writeWatchFile, type SourceFile } from "@autowatch/introspect";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem, plural, printable, shortPath } from "../../output.js";
import { progressBar } from "../../progress.js";

/** Fewer checkouts than this and a progress bar would only flicker. */
const PROGRESS_THRESHOLD = 5;

export async function run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number> {
  const files = sourceFiles(options, context.cwd);
  for (const assignment of args) {
    if (!assignment.includes("=")) {
      throw new UsageError(`${quoteValue(assignment)} is not a section:option=value assignment`);
    }
  }
  if ((args.length > 0 || options.part !== undefined) && !files.some((file) => file.format === "buildout")) {
    throw new UsageError(
      `${args.length > 0 ? "section:option=value assignments" : "--part"} apply to a buildout, and no buildout is read (-c, or --source FILE.cfg)`,
    );
  }
  const problemCode = problemExitCode(options.problemExitCode);
  const progress = await progressBar(context, "inspecting checkouts", PROGRESS_THRESHOLD);
  let result;
  try {
    result = await introspectFiles({
      files,
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

  let reported = 0;
  for (const problem of result.problems) {
    if (problem.level === "info") continue;
    reported += 1;
    context.stderr.write(`${formatProblem(problem, { cwd: context.cwd, color: context.color })}\n`);
  }
  const { watches, pinned, problems } = result.watchFile;
  if (options.list === true) {
    for (const watch of watches)
      context.stderr.write(`${printable(`watched ${watch.vcs} ${watch.url} ${watch.revspec}: a branch, followed${fromOrigin(watch.origin)}`)}\n`);
    for (const pin of pinned)
      context.stderr.write(`${printable(`pinned  ${pin.vcs} ${pin.url} ${pin.revspec}: ${PIN_REASONS[pin.why]}${fromOrigin(pin.origin)}`)}\n`);
  }
  if (!options.quiet) {
    context.stderr.write(
      `autowatch introspect: ${watches.length} watched, ${pinned.length} pinned, ${plural(problems.length, "problem")}${output ? ` → ${shortPath(path.resolve(context.cwd, output), context.cwd)}` : ""}\n`,
    );
  }
  return reported > 0 ? problemCode : 0;
}

const PIN_REASONS: Record<PinnedEntry["why"], string> = {
  commit: "a commit id",
  tag: "a tag",
  revision: "a revision number",
  node: "a Mercurial node",
  revid: "a Bazaar revision id",
  unknown: "not a known branch",
};

function fromOrigin(origin: Origin | undefined): string {
  if (!origin) return "";
  const where = `${origin.file}${origin.line === undefined ? "" : `:${origin.line}`}`;
  const option = origin.section === undefined ? "" : ` [${origin.section}]${origin.option === undefined ? "" : ` ${origin.option}`}`;
  return ` (${where}${option})`;
}

function problemExitCode(value: unknown): number {
  if (value === undefined) return 0;
  const code = Number(value);
  if (!Number.isInteger(code) || code < 1 || code > 125)
    throw new UsageError(`--problem-exit-code must be a whole number from 1 to 125, not ${quoteValue(String(value))}`);
  return code;
}

/** `-c` and every `--source`, in order; neither: the known files of the build directory. */
function sourceFiles(options: Record<string, unknown>, cwd: string): SourceFile[] {
  const files: SourceFile[] = [];
  if (typeof options.config === "string") files.push({ format: "buildout", file: options.config });
  for (const spec of (options.source as string[] | undefined) ?? []) {
    const file = sourceFileFor(spec);
    if (!file)
      throw new UsageError(`cannot tell the format of ${quoteValue(spec)}; write FORMAT:${spec} with FORMAT one of ${Object.keys(FORMATS).join(", ")}`);
    files.push(file);
  }
  if (files.length > 0) return files;
  const found = detectSourceFiles(cwd);
  if (found.length === 0) {
    const known = Object.values(FORMATS).flatMap((format) => format.defaultFiles);
    throw new UsageError(`no -c or --source, and none of ${known.join(", ")} here: say which files declare the sources`);
  }
  return found;
}
