// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { hasControlCharacters, refNameProblem } from "@autowatch/watchfile/text";

/**
 * In-process equivalent of `git check-ref-format --branch NAME`, so that no branch name a
 * worker sent ever reaches a subprocess before it is known to be harmless.
 * Returns the reason for refusal, or undefined when the name is acceptable.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === "") return "empty branch name";
  if (name.length > 255) return "branch name longer than 255 characters";
  if (name.startsWith("-")) return "branch name starts with '-'";
  if (name === "@") return "branch name is '@'";
  // DEL, C1 and bidi controls too: more than git refuses, as for every worker-sent value
  if (/[\u0000-\u0020]/.test(name) || hasControlCharacters(name)) return "branch name contains a space or control character";
  return refNameProblem(name, "branch name");
}
