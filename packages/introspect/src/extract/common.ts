// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";
import type { Origin, Problem, ProblemCode, Vcs } from "@autowatch/watchfile";
import { makeProblem } from "@autowatch/watchfile/text";
import type { ResolvedOption, ValueOrigin } from "../types.js";

export const VCS_TYPES: readonly Vcs[] = ["git", "hg", "bzr", "svn"];

export function isVcs(value: string): value is Vcs {
  return (VCS_TYPES as readonly string[]).includes(value);
}

/**
 * Where line `index` of the option's value (`value.split("\n")`) was written when the resolver
 * knows it, else the option's assignment.
 */
export function lineOrigin(option: ResolvedOption, index?: number): ValueOrigin {
  return (index === undefined ? undefined : option.lines?.[index]) ?? option.origin;
}

/** Origin of a source declared by an option of a section (by line `index` of its value). */
export function originOf(option: ResolvedOption, section: string, name: string, index?: number): Origin {
  const at = lineOrigin(option, index);
  const origin: Origin = { file: at.file, section, option: name };
  if (at.line !== undefined) origin.line = at.line;
  return origin;
}

/** A problem attributed to the option that caused it (to line `index` of its value). */
export function problemAt(level: Problem["level"], code: ProblemCode, option: ResolvedOption, message: string, index?: number): Problem {
  const at = lineOrigin(option, index);
  return makeProblem(level, code, message, { file: at.file, line: at.line });
}

/** A path of the buildout made absolute the way the recipe does: relative to the buildout directory. */
export function absoluteIn(base: string, target: string): string {
  return path.resolve(base, target);
}
