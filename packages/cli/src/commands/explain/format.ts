// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { statSync } from "node:fs";
import { describeReason, fileStatus, type BuilderReport, type RunMergeOptions } from "@autowatch/merge";
import { quoteValue } from "@autowatch/watchfile/text";
import { paintLevel, plural, printable, problemLines, relativeIn, shortPath } from "../../output.js";

interface Style {
  cwd: string;
  color: boolean;
  now: Date;
}

/** `3 h ago`, `2 days ago`: how old a file is, at a glance. */
export function age(time: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - time.getTime()) / 1000));
  if (seconds < 90) return plural(seconds, "second") + " ago";
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return plural(minutes, "minute") + " ago";
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, "hour") + " ago";
  return plural(Math.round(hours / 24), "day") + " ago";
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

/** Human text for `autowatch explain`; every value from a watch file is quoted or escaped. */
export function formatReport(report: BuilderReport, stale: string[], style: Style, differ: string[] = []): string {
  const { explanation } = report;
  if (!explanation.found) {
    const close = explanation.suggestions.length > 0 ? `; did you mean ${explanation.suggestions.map((s) => quoteValue(s)).join(" or ")}?` : "";
    return `autowatch: unknown builder ${quoteValue(explanation.name)}${close}\n`;
  }
  const { builder, nothing } = explanation;
  const path = (file: string) => printable(shortPath(file, style.cwd));
  const lines = [
    `builder ${quoteValue(builder.name)} (${path(builder.file)}:${builder.line}): ${
      !builder.schedule
        ? "no scheduler: `watch =` is empty, builds only when forced"
        : nothing.length > 0
          ? "scheduled by commits, but no commit can trigger it"
          : "scheduled by commits"
    }, auto-watch ${builder.autoWatch ? "on" : "off"}`,
  ];
  const watchFile = builder.watchFile;
  const written = report.watchFileTime
    ? `, written ${report.watchFileTime.toISOString().replace(/\.\d+Z$/, "Z")} (${age(report.watchFileTime, style.now)})`
    : "";
  lines.push(`watch file: ${path(watchFile.file)} (${fileStatus(builder)})${written}`);
  if (nothing.length > 0) {
    lines.push("watches nothing:", ...nothing.map((reason) => `  - ${printable(relativeIn(reason, style.cwd))}`));
  } else {
    lines.push(`watches ${plural(builder.watches.length, "branch", "branches")}:`);
    for (const watch of builder.watches) {
      const rewritten = watch.original === watch.url ? "" : ` (rewritten from ${printable(watch.original)})`;
      const branch = watch.branch === "" ? "" : ` branch ${printable(watch.branch)}`;
      lines.push(`  ${watch.vcs} ${printable(watch.url)}${branch}${rewritten}`);
      for (const reason of watch.reasons) lines.push(`    ${describeReason(reason, path)}`);
    }
  }
  if (report.pinned.length > 0) {
    lines.push(`pinned, not watched (${plural(report.pinned.length, "source")}):`);
    for (const pin of report.pinned) {
      const origin = pin.origin ? `, declared at ${quoteValue(pin.origin.file)}${pin.origin.line === undefined ? "" : `:${pin.origin.line}`}` : "";
      lines.push(`  ${pin.vcs} ${printable(pin.url)} at ${printable(pin.revspec)}: ${pinReason(pin.why)}${origin}`);
    }
  }
  const problems = [...builder.problems, ...report.problems];
  if (problems.length > 0) {
    lines.push(`${plural(problems.length, "problem")}:`);
    // a hostile watch file can hold 1,000 refused entries: capped like merge's, --json keeps all
    const listed = problemLines(problems, style, { levels: ["error", "warning", "info"], everything: "--json lists them all" });
    lines.push(...listed.map((line) => `  ${line}`));
  }
  for (const line of stale) lines.push(`note: ${line}`);
  for (const line of differ) lines.push(`${paintLevel("warning", style.color)}: ${printable(line)}`);
  return `${lines.join("\n")}\n`;
}

function pinReason(why: string): string {
  switch (why) {
    case "commit":
      return "a commit id (a commit never moves)";
    case "tag":
      return "a tag (a release never moves)";
    case "revision":
      return "a revision number";
    case "node":
      return "a Mercurial node id";
    case "revid":
      return "a Bazaar revision id";
    default:
      return "not a branch the worker could confirm";
  }
}
