// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { dirname, resolve } from "node:path";
import { parse } from "ini";
import type { Problem } from "@autowatch/watchfile";
import { makeProblem, quoteValue, readRegularFileSync, type ProblemCode } from "@autowatch/watchfile/text";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";
import { formatProblem } from "./output.js";
import { closeName } from "./suggest.js";

/** The operator's file, found in the working directory when `--config` does not name one. */
export const CONFIG_FILE = "autowatch.ini";

type Kind = "path" | "paths" | "text" | "texts" | "count";

/** Each key, what it holds, and the option (camelCase, as commander names it) it stands for. */
const KEYS: Record<string, { kind: Kind; option: string }> = {
  manifest: { kind: "paths", option: "manifest" },
  "watch-dir": { kind: "path", option: "watchDir" },
  state: { kind: "path", option: "output" },
  "last-good": { kind: "path", option: "lastGood" },
  rewrite: { kind: "texts", option: "rewrite" },
  "rewrite-file": { kind: "paths", option: "rewriteFile" },
  "allow-host": { kind: "texts", option: "allowHost" },
  "allow-scheme": { kind: "texts", option: "allowScheme" },
  "max-bytes": { kind: "count", option: "maxBytes" },
  "max-entries": { kind: "count", option: "maxEntries" },
  "max-age": { kind: "text", option: "maxAge" },
  reconfig: { kind: "text", option: "reconfig" },
};

export const CONFIG_KEYS = Object.keys(KEYS);

export interface Config {
  /** The file as the operator named it (or `autowatch.ini`). */
  file: string;
  /** Option values by commander's option name; paths resolved against the file's directory. */
  options: Record<string, string | string[]>;
}

/**
 * Reads `--config FILE`, or `autowatch.ini` in the working directory when there is one. npm-style
 * INI (the `ini` package): `key = value`, `key[] = value` once per item of a list, `;` or `#`
 * comments. Unknown keys, sections and bad values are refused, each reported at file:line.
 */
export function loadConfig(given: string | undefined, context: Pick<CliContext, "cwd" | "color" | "stderr">): Config | undefined {
  const file = given ?? CONFIG_FILE;
  const path = resolve(context.cwd, file);
  // a regular file only: a FIFO would block a plain read, a device never end
  const read = readRegularFileSync(path);
  if (!("bytes" in read)) {
    if (given === undefined && read.code === "ENOENT") return undefined;
    throw new CliError(`cannot read config file ${quoteValue(file)}: ${read.error}`, 2);
  }
  const text = read.bytes.toString("utf8");
  const problems: Problem[] = [];
  const lines = keyLines(text);
  const report = (key: string, code: ProblemCode, message: string) => problems.push(makeProblem("error", code, message, { file, line: lines.get(key) }));
  const parsed = parse(text) as Record<string, unknown>;
  const options: Record<string, string | string[]> = {};
  const base = dirname(path);
  for (const [key, value] of Object.entries(parsed)) {
    const spec = Object.hasOwn(KEYS, key) ? KEYS[key]! : undefined;
    if (spec === undefined) {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        report(`[${key}]`, "config.section.unknown", `unknown section ${quoteValue(key)}: the keys of ${CONFIG_FILE} have no section`);
      } else {
        const close = closeName(key, CONFIG_KEYS);
        report(
          key,
          "config.key.unknown",
          `unknown key ${quoteValue(key)}${close ? ` (did you mean ${quoteValue(close)}?)` : `; known keys: ${CONFIG_KEYS.join(", ")}`}`,
        );
      }
      continue;
    }
    const many = spec.kind === "paths" || spec.kind === "texts";
    const items = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && !many) {
      report(key, "config.value.invalid", `${quoteValue(key)} takes one value, not a list (write \`${key} = VALUE\`)`);
      continue;
    }
    const bad = items.find((item) => typeof item !== "string" || item.trim() === "");
    if (bad !== undefined) {
      report(key, "config.value.invalid", `${quoteValue(key)} needs a value (\`${key} = VALUE\`)`);
      continue;
    }
    const strings = (items as string[]).map((item) => item.trim());
    if (spec.kind === "count" && !/^[1-9][0-9]*$/.test(strings[0]!)) {
      report(key, "config.value.invalid", `${quoteValue(key)} must be a positive whole number, got ${quoteValue(strings[0])}`);
      continue;
    }
    const resolved = spec.kind === "path" || spec.kind === "paths" ? strings.map((item) => resolve(base, item)) : strings;
    options[spec.option] = many ? resolved : resolved[0]!;
  }
  if (problems.length > 0) {
    for (const problem of problems) context.stderr.write(`${formatProblem(problem, { cwd: context.cwd, color: context.color })}\n`);
    throw new CliError(`config file ${quoteValue(file)} refused (${problems.length === 1 ? "1 problem" : `${problems.length} problems`})`, 2);
  }
  return { file, options };
}

/** The line of each key's first appearance (and `[section]` lines), for problems at file:line. */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const section = /^\s*\[([^\]]*)\]/.exec(line);
    const key = section ? `[${section[1]!.trim()}]` : /^\s*([^=;#\s][^=]*?)\s*(?:\[\])?\s*(?:=|$)/.exec(line)?.[1];
    if (key !== undefined && !lines.has(key)) lines.set(key, index + 1);
  });
  return lines;
}
