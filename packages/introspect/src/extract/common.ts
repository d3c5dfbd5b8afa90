import path from "node:path";
import type { Origin, Problem, Vcs } from "@autowatch/watchfile";
import type { ResolvedOption } from "../types.js";

export const VCS_TYPES: readonly Vcs[] = ["git", "hg", "bzr", "svn"];

export function isVcs(value: string): value is Vcs {
  return (VCS_TYPES as readonly string[]).includes(value);
}

/** Origin of a source declared by an option of a section. */
export function originOf(option: ResolvedOption, section: string, name: string): Origin {
  const origin: Origin = { file: option.origin.file, section, option: name };
  if (option.origin.line !== undefined) origin.line = option.origin.line;
  return origin;
}

/** A problem attributed to the option that caused it. */
export function problemAt(level: Problem["level"], option: ResolvedOption, message: string): Problem {
  const problem: Problem = { level, message, file: option.origin.file };
  if (option.origin.line !== undefined) problem.line = option.origin.line;
  return problem;
}

/** A path of the buildout made absolute the way the recipe does: relative to the buildout directory. */
export function absoluteIn(base: string, target: string): string {
  return path.resolve(base, target);
}
