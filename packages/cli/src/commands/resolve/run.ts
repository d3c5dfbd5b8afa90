import { relative, sep } from "node:path";
import { resolveBuildout, type ResolvedSections } from "@autowatch/introspect";
import { escapeControls, type Problem } from "@autowatch/watchfile";
import type { CliContext } from "../../context.js";
import { UsageError } from "../../errors.js";

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw inside strings (it escapes C0 itself; its own newlines are layout). */
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Escapes control characters only (a value's quotes and backslashes stay as they are). */
function printable(text: string, pattern = CONTROL): string {
  return text.replace(pattern, (ch) => escapeControls(ch));
}

/** A path under the working directory is shown relative to it, as `annotate` does with the buildout directory. */
function shortPath(file: string, cwd: string): string {
  if (!file.startsWith("/")) return file;
  const path = relative(cwd, file);
  return path === "" || path.startsWith(`..${sep}`) || path === ".." ? file : path;
}

function where(problem: Problem, cwd: string): string {
  if (problem.file === undefined) return "";
  return `${shortPath(problem.file, cwd)}${problem.line === undefined ? "" : `:${problem.line}`}: `;
}

function sortedJson(sections: ResolvedSections): string {
  const plain: Record<string, Record<string, string>> = {};
  for (const section of Object.keys(sections).sort()) {
    const options = sections[section]!;
    plain[section] = Object.fromEntries(Object.keys(options).sort().map((option) => [option, options[option]!.value]));
  }
  return JSON.stringify(plain, null, 2);
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
    if (!arg.includes("=")) throw new UsageError(`resolve: ${JSON.stringify(arg)} is not an assignment section:option=value`);
  }
  const result = await resolveBuildout({
    config,
    cwd: context.cwd,
    overrides: args,
    env: context.env,
    noUserDefaults: options.userDefaults === false,
  });
  for (const problem of result.problems) {
    context.stderr.write(`${printable(`${where(problem, context.cwd)}${problem.level}: ${problem.message}`)}\n`);
  }
  if (!result.ok) {
    context.stderr.write(`${printable(`${where(result.error, context.cwd)}${result.error.message}`)}\n`);
    return 1;
  }
  context.stdout.write(`${options.json ? printable(sortedJson(result.sections), JSON_RAW) : annotated(result.sections, context.cwd)}\n`);
  return 0;
}
