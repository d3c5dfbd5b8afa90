import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { readManifests } from "@autowatch/manifest";
import { quoteValue } from "@autowatch/watchfile/text";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { formatProblem, printableJson } from "../../output.js";


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
    context.stdout.write(`${printableJson(JSON.stringify(report, null, 2))}\n`);
  } else {
    for (const problem of problems) context.stdout.write(`${formatProblem(problem)}\n`);
    const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    const factories = count(result.factories.length, "build factory", "build factories");
    context.stderr.write(`autowatch check: ${factories} in ${count(manifests.length, "manifest")}: ${count(errors, "error")}, ${count(warnings, "warning")}\n`);
  }
  return errors > 0 ? 1 : 0;
}
