import type { Problem } from "@autowatch/watchfile";

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Problems by builder, file, line, message (then level). */
export function compareProblems(a: Problem, b: Problem): number {
  return (
    compareText(a.builder ?? "", b.builder ?? "") ||
    compareText(a.file ?? "", b.file ?? "") ||
    (a.line ?? -1) - (b.line ?? -1) ||
    compareText(a.message, b.message) ||
    compareText(a.level, b.level)
  );
}
