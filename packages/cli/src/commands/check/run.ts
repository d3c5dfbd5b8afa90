// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { readManifests } from "@autowatch/manifest";
import type { CliContext } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printable, printableJson, problemLines } from "../../output.js";
import { jsonId } from "../../schemas.js";

async function assertReadable(path: string, context: CliContext): Promise<void> {
  let reason: string | undefined;
  try {
    if (!(await stat(resolve(context.cwd, path))).isFile()) reason = "not a regular file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : `${code ?? "unreadable"}`;
  }
  // the same words as merge's for the same file
  if (reason) throw new CliError(`${printable(path)}: cannot read manifest: ${reason}`, 1);
}

export async function run(options: Record<string, unknown>, _args: string[], context: CliContext): Promise<number> {
  const manifests = (options.manifest as string[] | undefined) ?? [];
  if (manifests.length === 0) throw new UsageError("check: --manifest FILE is required (or `manifest[] = FILE` in autowatch.ini)");
  for (const path of manifests) await assertReadable(path, context);

  const result = await readManifests(manifests, { cwd: context.cwd });
  const problems = result.problems;
  const errors = problems.filter((p) => p.level === "error").length;
  const warnings = problems.filter((p) => p.level === "warning").length;

  if (options.json) {
    const report = { schema: jsonId("check"), manifests, factories: result.factories.length, errors, warnings, problems };
    context.stdout.write(`${printableJson(JSON.stringify(report, null, 2))}\n`);
  } else {
    const color = context.color && (context.stdout as { isTTY?: boolean }).isTTY === true;
    const lines = problemLines(problems, { cwd: context.cwd, color }, { levels: ["error", "warning", "info"], everything: "--json lists them all" });
    for (const line of lines) context.stdout.write(`${line}\n`);
    if (!options.quiet || errors + warnings > 0) {
      const factories = plural(result.factories.length, "build factory", "build factories");
      context.stderr.write(
        `autowatch check: ${factories} in ${plural(manifests.length, "manifest")}: ${plural(errors, "error")}, ${plural(warnings, "warning")}\n`,
      );
    }
  }
  return errors > 0 ? 1 : 0;
}
