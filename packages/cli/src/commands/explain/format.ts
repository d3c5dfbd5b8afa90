// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { statSync } from "node:fs";
import { formatExplanation, type BuilderReport, type RunMergeOptions } from "@autowatch/merge";
import { paintLevel, printable, problemLines, relativeIn, shortPath } from "../../output.js";

interface Style {
  cwd: string;
  color: boolean;
  now: Date;
}

/**
 * Why the state file may not say what this explanation says yet: inputs written after it. Only
 * time stamps are compared (cheap); a cron merge run since then settles it.
 */
export function staleness(state: string, options: RunMergeOptions, report: BuilderReport, cwd: string): string[] {
  let stateTime: number;
  try {
    stateTime = statSync(state).mtimeMs;
  } catch {
    return [`no state file ${shortPath(state, cwd)} yet: no merge has run with these inputs`];
  }
  const newer: string[] = [];
  const inputs = [...(Array.isArray(options.manifests) ? (options.manifests as string[]) : []), ...(options.rewriteFiles ?? [])];
  for (const file of inputs) {
    try {
      if (statSync(file).mtimeMs > stateTime) newer.push(shortPath(file, cwd));
    } catch {
      // an unreadable input was reported by the merge
    }
  }
  if (report.watchFileTime && report.watchFileTime.getTime() > stateTime)
    newer.push(`${report.explanation.found ? shortPath(report.explanation.builder.watchFile.file, cwd) : "the watch file"}`);
  return newer.map((file) => `${printable(file)} changed after the state ${shortPath(state, cwd)} was written: the next merge takes it into account`);
}

/** `autowatch explain`'s text: the merge's `formatExplanation`, with paths as the operator gave them, problems as every command prints them, and the state's notes. */
export function formatReport(report: BuilderReport, stale: string[], style: Style, differ: string[] = []): string {
  if (!report.explanation.found) return `autowatch: ${formatExplanation(report)}`;
  const text = formatExplanation(report, {
    path: (file) => shortPath(file, style.cwd),
    message: (text) => relativeIn(text, style.cwd),
    // a hostile watch file can hold 1,000 refused entries: capped like merge's, --json keeps all
    problems: (problems) => problemLines(problems, style, { levels: ["error", "warning", "info"], everything: "--json lists them all" }),
    now: style.now,
  });
  const notes = [...stale.map((line) => `note: ${line}`), ...differ.map((line) => `${paintLevel("warning", style.color)}: ${printable(line)}`)];
  return text + notes.map((line) => `${line}\n`).join("");
}
