import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { readManifests } from "@autowatch/manifest";
import { escapeControls, quoteValue, type Problem } from "@autowatch/watchfile";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw inside strings (it escapes C0 itself; its own newlines are layout). */
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Escapes control characters only: quotes and backslashes in a message stay readable. */
function printable(text: string, pattern = CONTROL): string {
  return text.replace(pattern, (ch) => escapeControls(ch));
}

/** `FILE:LINE: level: message` (`FILE: level: message` without a line). */
export function formatProblem(problem: Problem): string {
  const where = problem.file === undefined ? "" : `${problem.file}${problem.line === undefined ? "" : `:${problem.line}`}: `;
  return printable(`${where}${problem.level}: ${problem.message}`);
}

async function assertReadable(path: string, cwd: string): Promise<void> {
  let reason: string | undefined;
  try {
    if (!(await stat(resolve(cwd, path))).isFile()) reason = "not a regular file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : `${code ?? "unreadable"}`;
  }
  if (reason) throw new CliError(`check: cannot read manifest ${quoteValue(path)}: ${reason}`, 1);
}

export async function run(options: Record<string, unknown>, _args: string[], context: CliContext): Promise<number> {
  const manifests = (options.manifest as string[] | undefined) ?? [];
  if (manifests.length === 0) throw new UsageError("check: give at least one --manifest FILE");
  for (const path of manifests) await assertReadable(path, context.cwd);

  const result = await readManifests(manifests, { cwd: context.cwd });
  const problems = result.problems;
  const errors = problems.filter((p) => p.level === "error").length;
  const warnings = problems.filter((p) => p.level === "warning").length;

  if (options.json) {
    const report = { manifests, factories: result.factories.length, errors, warnings, problems };
    context.stdout.write(`${printable(JSON.stringify(report, null, 2), JSON_RAW)}\n`);
  } else {
    for (const problem of problems) context.stdout.write(`${formatProblem(problem)}\n`);
    const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    const factories = count(result.factories.length, "build factory", "build factories");
    context.stderr.write(`autowatch check: ${factories} in ${count(manifests.length, "manifest")}: ${count(errors, "error")}, ${count(warnings, "warning")}\n`);
  }
  return errors > 0 ? 1 : 0;
}
