import type { WatchFileProblem } from "./schema.js";

/** Locale-independent comparison (UTF-16 code units), the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// the order of problemLevelSchema, kept here so that sorting needs no zod
const LEVELS: readonly string[] = ["error", "warning", "info"];

/** The order problems are written in: builder, file, line, level, message, code. */
export function compareProblems(a: WatchFileProblem, b: WatchFileProblem): number {
  return (
    compareText(a.builder ?? "", b.builder ?? "") ||
    compareText(a.file ?? "", b.file ?? "") ||
    (a.line ?? -1) - (b.line ?? -1) ||
    LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) ||
    compareText(a.message, b.message) ||
    compareText(a.code ?? "", b.code ?? "")
  );
}
