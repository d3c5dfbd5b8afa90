import type { PinnedEntry, Problem } from "@autowatch/watchfile";
import { escapeControlCharacters, quoteValue } from "@autowatch/watchfile/text";
import { noControls } from "./state.js";
import type { Explanation } from "./explain.js";
import type { BuilderReport } from "./explainone.js";
import type { BuilderDetail, ExplainedWatch, WatchReason } from "./types.js";

/** How `formatExplanation` shows file names and problems; by default as the merge names them. */
export interface ExplanationStyle {
  /** A file name as shown (default: as the merge names it); its control characters are escaped after. */
  path?: (file: string) => string;
  /** A sentence of the merge's that may name files (default: as it is); escaped after, as a path. */
  message?: (text: string) => string;
  /** The lines that list the problems, indented after (default: `level FILE:LINE: message`, every one). */
  problems?: (problems: readonly Problem[]) => string[];
  /** Now, for the age of the watch file (default: the time of the call). */
  now?: Date;
}

interface Shown {
  path: (file: string) => string;
  message: (text: string) => string;
}

/**
 * Human text for `autowatch explain`, the same from the library and the CLI; every value from a
 * watch file is quoted or escaped. A `BuilderReport` (`explainOne`) adds what the merge does not
 * keep: the watch file's age, its pinned sources and the problems of the operator's inputs.
 */
export function formatExplanation(source: Explanation | BuilderReport, style: ExplanationStyle = {}): string {
  const report: BuilderReport = "explanation" in source ? source : { explanation: source, pinned: [], problems: [], from: "merge" };
  const { explanation } = report;
  if (!explanation.found) {
    const close = explanation.suggestions.length > 0 ? `; did you mean ${explanation.suggestions.map((s) => quoteValue(s)).join(" or ")}?` : "";
    return `unknown builder ${quoteValue(explanation.name)}${close}\n`;
  }
  const { builder, nothing } = explanation;
  const shown: Shown = { path: (file) => printable((style.path ?? same)(file)), message: (text) => printable((style.message ?? same)(text)) };
  const lines = [headline(builder, nothing, shown), watchFileLine(builder, report.watchFileTime, style.now ?? new Date(), shown)];
  if (nothing.length > 0) lines.push("watches nothing:", ...nothing.map((reason) => `  - ${shown.message(reason)}`));
  else {
    lines.push(`watches ${count(builder.watches.length, "branch", "branches")}:`);
    for (const watch of builder.watches) lines.push(...watchLines(watch, shown));
  }
  if (report.pinned.length > 0) {
    lines.push(`pinned, not watched (${count(report.pinned.length, "source")}):`);
    lines.push(...report.pinned.map(pinLine));
  }
  const problems = [...builder.problems, ...report.problems];
  if (problems.length > 0) {
    lines.push(`${count(problems.length, "problem")}:`);
    lines.push(...(style.problems ?? problemLines)(problems).map((line) => `  ${line}`));
  }
  return `${lines.join("\n")}\n`;
}

function headline(builder: BuilderDetail, nothing: string[], shown: Shown): string {
  const scheduling = !builder.schedule
    ? "no scheduler: `watch =` is empty, builds only when forced"
    : nothing.length > 0
      ? "scheduled by commits, but no commit can trigger it"
      : "scheduled by commits";
  return `builder ${quoteValue(builder.name)} (${shown.path(builder.file)}:${builder.line}): ${scheduling}, auto-watch ${builder.autoWatch ? "on" : "off"}`;
}

function watchFileLine(builder: BuilderDetail, time: Date | undefined, now: Date, shown: Shown): string {
  const written = time ? `, written ${time.toISOString().replace(/\.\d+Z$/, "Z")} (${age(time, now)})` : "";
  return `watch file: ${shown.path(builder.watchFile.file)} (${fileStatus(builder)})${written}`;
}

function watchLines(watch: ExplainedWatch, shown: Shown): string[] {
  const rewritten = watch.original === watch.url ? "" : ` (rewritten from ${printable(watch.original)})`;
  const branch = watch.branch === "" ? "" : ` branch ${printable(watch.branch)}`;
  return [`  ${watch.vcs} ${printable(watch.url)}${branch}${rewritten}`, ...watch.reasons.map((reason) => `    ${describeReason(reason, shown.path)}`)];
}

function pinLine(pin: PinnedEntry): string {
  const origin = pin.origin ? `, declared at ${quoteValue(pin.origin.file)}${pin.origin.line === undefined ? "" : `:${pin.origin.line}`}` : "";
  return `  ${pin.vcs} ${printable(pin.url)} at ${printable(pin.revspec)}: ${pinReason(pin.why)}${origin}`;
}

function problemLines(problems: readonly Problem[]): string[] {
  return problems.map((problem) => {
    const where = problem.file === undefined ? "" : ` ${printable(problem.file)}${problem.line === undefined ? "" : `:${problem.line}`}`;
    return `${problem.level}${where}: ${printable(problem.message)}`;
  });
}

/** What became of the builder's watch file, in words. */
function fileStatus(builder: BuilderDetail): string {
  const watchFile = builder.watchFile;
  switch (watchFile.status) {
    case "accepted":
      return "accepted";
    case "missing":
      if (watchFile.lastGood) return `gone; last good watches from ${watchFile.lastGood} used`;
      return builder.autoWatch ? "not uploaded yet" : "none";
    case "ignored":
      return `ignored: ${noControls(watchFile.reason)}`;
    case "rejected":
      return `rejected: ${noControls(watchFile.reason)}${watchFile.lastGood ? `; last good watches from ${watchFile.lastGood} used` : ""}`;
  }
}

/** Why one repository is watched; `path` shows a file name. */
function describeReason(reason: WatchReason, path: (file: string) => string): string {
  switch (reason.kind) {
    case "auto": {
      const origin = reason.origin ? `, declared at ${quoteValue(reason.origin.file)}${reason.origin.line === undefined ? "" : `:${reason.origin.line}`}` : "";
      const old = reason.lastGood ? ` (last good version from ${reason.lastGood})` : "";
      return `auto: watch file ${path(reason.watchFile)}${old}${origin}`;
    }
    case "manual":
      return `manual: watch line at ${path(reason.file)}:${reason.line}`;
    case "buildout":
      return `buildout: the buildout itself, ${path(reason.file)}${reason.line === undefined ? "" : `:${reason.line}`}`;
  }
}

function pinReason(why: PinnedEntry["why"]): string {
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
    case "unknown":
      return "not a branch the worker could confirm";
  }
}

/** `3 hours ago`, `2 days ago`: how old a file is, at a glance. */
function age(time: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - time.getTime()) / 1000));
  if (seconds < 90) return count(seconds, "second") + " ago";
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return count(minutes, "minute") + " ago";
  const hours = Math.round(minutes / 60);
  if (hours < 48) return count(hours, "hour") + " ago";
  return count(Math.round(hours / 24), "day") + " ago";
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Messages and paths are ours (hostile values inside are already quoted): only controls are escaped. */
function printable(text: string): string {
  return escapeControlCharacters(text);
}

function same(text: string): string {
  return text;
}
