// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { relative, sep } from "node:path";
import { createColors } from "picocolors";
import type { Problem } from "@autowatch/watchfile";
import { escapeControlCharacters, escapeJsonText, LIMITS, quoteValue } from "@autowatch/watchfile/text";
import type { CliContext } from "./context.js";

/** Escapes control characters only: quotes and backslashes in a message stay readable. */
export function printable(text: string): string {
  return escapeControlCharacters(text);
}

/** JSON text safe for a terminal or log: what JSON.stringify leaves raw is escaped too. */
export function printableJson(json: string): string {
  return escapeJsonText(json);
}

/** A path under `cwd` shown relative to it; anything else as given. */
export function shortPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined || !file.startsWith("/")) return file;
  const path = relative(cwd, file);
  return path === "" || path === ".." || path.startsWith(`..${sep}`) ? file : path;
}

/** Messages of the merge name files by absolute path: those under `cwd` are shown relative to it, as given. */
export function relativeIn(message: string, cwd: string | undefined): string {
  return cwd === undefined || cwd === "/" ? message : message.split(`${cwd}/`).join("");
}

/** `1 error`, `2 errors`, `1 build factory`, `3 build factories`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

type Level = Problem["level"];

/** Colours for levels, and only for them: none off a TTY, with NO_COLOR or TERM=dumb. */
export function paintLevel(level: Level, color: boolean): string {
  if (!color) return level;
  const colors = createColors(true);
  return level === "error" ? colors.red(colors.bold(level)) : level === "warning" ? colors.yellow(level) : colors.cyan(level);
}

export interface ProblemFormat {
  /** Paths under it are shown relative to it (as the operator gave them). */
  cwd?: string;
  /** Print `level: ` (default true). */
  level?: boolean;
  color?: boolean;
}

/**
 * `FILE:LINE: level: message` (`FILE: …` without a line, no prefix without a file): the form
 * editors and CI logs link; always one line, whatever the values quoted in it. A builder's
 * problem without a file names the builder in the message.
 */
export function formatProblem(problem: Problem, options: ProblemFormat = {}): string {
  const where = problem.file === undefined ? "" : `${printable(shortPath(problem.file, options.cwd))}${problem.line === undefined ? "" : `:${problem.line}`}: `;
  const level = options.level === false ? "" : `${paintLevel(problem.level, options.color === true)}: `;
  const builder = problem.file === undefined && problem.builder !== undefined ? `builder ${quoteValue(problem.builder)}: ` : "";
  return `${where}${level}${printable(`${builder}${problem.message}`)}`;
}

/** Problems printed per level before the rest is only counted: 1,000 broken files must not mail 2,000 lines. */
export const PROBLEM_CAP = LIMITS.problemsListed;

export interface ProblemListOptions {
  levels?: readonly Level[];
  cap?: number;
  /** Where every problem can still be found, for the line that counts those not printed. */
  everything?: string;
}

/**
 * The problems as `FILE:LINE: level: message` lines, at most `cap` of each level (in their
 * order), then one line counting those left out and saying where they all are.
 */
export function problemLines(problems: readonly Problem[], context: Pick<CliContext, "cwd" | "color">, options: ProblemListOptions = {}): string[] {
  const levels = options.levels ?? ["error", "warning"];
  const cap = options.cap ?? PROBLEM_CAP;
  const shown = new Map<Level, number>();
  const left = new Map<Level, number>();
  const lines: string[] = [];
  for (const problem of problems) {
    if (!levels.includes(problem.level)) continue;
    const count = shown.get(problem.level) ?? 0;
    if (count >= cap) {
      left.set(problem.level, (left.get(problem.level) ?? 0) + 1);
      continue;
    }
    shown.set(problem.level, count + 1);
    lines.push(formatProblem(problem, { cwd: context.cwd, color: context.color }));
  }
  if (left.size > 0) {
    const counts = levels
      .filter((level) => left.has(level))
      .map((level) => `${plural(left.get(level)!, `more ${level}`, level === "info" ? "more info" : `more ${level}s`)}`);
    lines.push(`... ${counts.join(" and ")} not shown (${cap} of each level printed)${options.everything ? `; ${options.everything}` : ""}`);
  }
  return lines;
}
