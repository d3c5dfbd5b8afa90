import { relative, sep } from "node:path";
import type { Problem } from "@autowatch/watchfile";
import { escapeControlCharacters, escapeJsonText } from "@autowatch/watchfile/text";

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

/**
 * `FILE:LINE: level: message` (`FILE: …` without a line, no prefix without a file): the form
 * editors and CI logs link; always one line, whatever the values quoted in it.
 */
export function formatProblem(problem: Problem, options: { cwd?: string; level?: boolean } = {}): string {
  const where =
    problem.file === undefined ? "" : `${shortPath(problem.file, options.cwd)}${problem.line === undefined ? "" : `:${problem.line}`}: `;
  const level = options.level === false ? "" : `${problem.level}: `;
  return printable(`${where}${level}${problem.message}`);
}
