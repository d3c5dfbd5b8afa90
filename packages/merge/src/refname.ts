// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { hasControlCharacters, refNameProblem } from "@autowatch/watchfile/text";
import type { Refusal } from "./location.js";

/**
 * In-process equivalent of `git check-ref-format --branch NAME`, so that no branch name a
 * worker sent ever reaches a subprocess before it is known to be harmless.
 * Returns the reason for refusal, or undefined when the name is acceptable.
 */
export function branchNameProblem(name: string): Refusal | undefined {
  if (name === "") return { code: "merge.branch.empty", message: "empty branch name" };
  if (name.length > 255) return { code: "merge.branch.length", message: "branch name longer than 255 characters" };
  if (name.startsWith("-")) return { code: "merge.branch.option", message: "branch name starts with '-'" };
  if (name === "@") return { code: "merge.branch.invalid", message: "branch name is '@'" };
  // DEL, C1 and bidi controls too: more than git refuses, as for every worker-sent value
  if (/[\u0000-\u0020]/.test(name) || hasControlCharacters(name))
    return { code: "merge.branch.invalid", message: "branch name contains a space or control character" };
  const refused = refNameProblem(name, "branch name");
  return refused === undefined ? undefined : { code: "merge.branch.invalid", message: refused };
}
