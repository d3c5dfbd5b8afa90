// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { resolveBuildout, type ResolvedSections } from "@autowatch/introspect/resolve";
import type { CliContext } from "../../context.js";
import { UsageError } from "../../errors.js";
import { jsonId } from "../../schemas.js";
import { quoteValue } from "@autowatch/watchfile/text";
import { formatProblem, printable, printableJson, shortPath } from "../../output.js";

/** `{"schema": "autowatch.resolve/1", "sections": {section: {option: value}}}`, keys sorted. */
function sortedJson(sections: ResolvedSections): string {
  // null prototype: a section named __proto__ is a key like any other (zc.buildout accepts it)
  const plain: Record<string, Record<string, string>> = Object.create(null);
  for (const section of Object.keys(sections).sort()) {
    const options = sections[section]!;
    plain[section] = Object.fromEntries(
      Object.keys(options)
        .sort()
        .map((option) => [option, options[option]!.value]),
    );
  }
  return JSON.stringify({ schema: jsonId("resolve"), sections: plain }, null, 2);
}

/** The layout of `bin/buildout annotate`, with resolved values and file:line origins. */
function annotated(sections: ResolvedSections, cwd: string): string {
  const lines = ["", "Annotated sections", "=".repeat("Annotated sections".length)];
  for (const section of Object.keys(sections).sort()) {
    lines.push("", `[${section}]`);
    const options = sections[section]!;
    for (const name of Object.keys(options).sort()) {
      const { value, origin } = options[name]!;
      const [first = "", ...rest] = value.split("\n");
      lines.push(value === "" ? `${name}=` : `${name}= ${first}`, ...rest);
      lines.push(`    ${shortPath(origin.file, cwd)}${origin.line === undefined ? "" : `:${origin.line}`}`);
    }
  }
  return lines.map((line) => printable(line)).join("\n");
}

export async function run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number> {
  const config = String(options.config ?? "buildout.cfg");
  for (const arg of args) {
    if (!arg.includes("=")) throw new UsageError(`${quoteValue(arg)} is not a section:option=value assignment`);
  }
  const result = await resolveBuildout({
    config,
    cwd: context.cwd,
    overrides: args,
    env: context.env,
    noUserDefaults: options.userDefaults === false,
  });
  for (const problem of result.problems) {
    context.stderr.write(`${formatProblem(problem, { cwd: context.cwd, color: context.color })}\n`);
  }
  if (!result.ok) {
    context.stderr.write(`${formatProblem(result.error, { cwd: context.cwd, level: false })}\n`);
    return 1;
  }
  context.stdout.write(`${options.json ? printableJson(sortedJson(result.sections)) : annotated(result.sections, context.cwd)}\n`);
  return 0;
}
