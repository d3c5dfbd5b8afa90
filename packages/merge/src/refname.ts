import { hasControlCharacters } from "@autowatch/watchfile";

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
  if (/[\u0000-\u0020]/.test(name) || hasControlCharacters(name)) return "branch name contains a space or control character";
  if (/[~^:?*[\\]/.test(name)) return "branch name contains one of ~ ^ : ? * [ \\";
  if (name.includes("..")) return "branch name contains '..'";
  if (name.includes("@{")) return "branch name contains '@{'";
  if (name.startsWith("/") || name.endsWith("/")) return "branch name starts or ends with '/'";
  if (name.includes("//")) return "branch name contains '//'";
  if (name.endsWith(".")) return "branch name ends with '.'";
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return "a branch name component starts with '.'";
    if (component.endsWith(".lock")) return "a branch name component ends with '.lock'";
  }
  return undefined;
}
