import { quoteValue, closeNames } from "@autowatch/watchfile/text";
import { noControls } from "./state.js";
import { mergeFarm } from "./core.js";
import type { BuilderDetail, MergeInput, MergeResult, WatchReason } from "./types.js";

export type Explanation =
  | { found: true; builder: BuilderDetail; /** Why the builder watches nothing (empty when it watches something). */ nothing: string[] }
  | { found: false; name: string; suggestions: string[] };

/** Why a builder watches what it watches, from a merge result (or the inputs of one). */
export function explainBuilder(source: MergeResult | MergeInput, name: string): Explanation {
  const result = "details" in source ? source : mergeFarm(source);
  const builder = result.details.get(name);
  if (!builder) return { found: false, name, suggestions: closeNames(name, [...result.details.keys()]) };
  return { found: true, builder, nothing: builder.watches.length > 0 ? [] : whyNothing(builder) };
}

function whyNothing(builder: BuilderDetail): string[] {
  if (!builder.schedule) return ["`watch =` is empty in its manifest section: never scheduled by commits (forced by hand)"];
  const reasons = ["no manual `watch` line and no buildout of its own to watch"];
  const { watchFile } = builder;
  if (!builder.autoWatch) reasons.push("auto-watch is off");
  else if (watchFile.status === "missing") {
    reasons.push(
      watchFile.lastGood
        ? `watch file gone (${watchFile.file}); last good watches from ${watchFile.lastGood} were empty or refused`
        : `no watch file yet (${watchFile.file})`,
    );
  } else if (watchFile.status === "rejected") {
    const fallback = watchFile.lastGood ? `last good watches from ${watchFile.lastGood} were empty or refused` : "no earlier good watch file";
    reasons.push(`watch file rejected: ${watchFile.reason}; ${fallback}`);
  } else if (watchFile.status === "accepted") reasons.push("the watch file lists no usable live source");
  return reasons;
}

/** Human text for `autowatch explain`; every value from a watch file is quoted or escaped. */
export function formatExplanation(explanation: Explanation): string {
  if (!explanation.found) {
    const close = explanation.suggestions.length > 0 ? `; close names: ${explanation.suggestions.map((s) => quoteValue(s)).join(", ")}` : "";
    return `unknown builder ${quoteValue(explanation.name)}${close}\n`;
  }
  const { builder, nothing } = explanation;
  const lines = [
    `builder ${quoteValue(builder.name)} (${safe(builder.file)}:${builder.line}): ${builder.schedule ? "scheduled by commits" : "never scheduled by commits"}, auto-watch ${builder.autoWatch ? "on" : "off"}`,
    `watch file: ${safe(builder.watchFile.file)} (${fileStatus(builder)})`,
  ];
  if (nothing.length > 0) {
    lines.push("watches nothing:", ...nothing.map((reason) => `  - ${safe(reason)}`));
  } else {
    lines.push(`watches ${builder.watches.length} ${builder.watches.length === 1 ? "branch" : "branches"}:`);
    for (const watch of builder.watches) {
      const rewritten = watch.original === watch.url ? "" : ` (rewritten from ${safe(watch.original)})`;
      const branch = watch.branch === "" ? "" : ` branch ${safe(watch.branch)}`;
      lines.push(`  ${watch.vcs} ${safe(watch.url)}${branch}${rewritten}`);
      for (const reason of watch.reasons) lines.push(`    ${describeReason(reason)}`);
    }
  }
  if (builder.problems.length > 0) {
    lines.push("problems:");
    for (const problem of builder.problems) {
      const where = problem.file === undefined ? "" : ` ${safe(problem.file)}${problem.line === undefined ? "" : `:${problem.line}`}`;
      lines.push(`  ${problem.level}${where}: ${safe(problem.message)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** What became of the builder's watch file, in words. */
export function fileStatus(builder: BuilderDetail): string {
  const watchFile = builder.watchFile;
  switch (watchFile.status) {
    case "accepted":
      return "accepted";
    case "missing":
      if (watchFile.lastGood) return `gone; last good watches from ${watchFile.lastGood} used`;
      return builder.autoWatch ? "not uploaded yet" : "none";
    case "ignored":
      return `ignored: ${safe(watchFile.reason)}`;
    case "rejected":
      return `rejected: ${safe(watchFile.reason)}${watchFile.lastGood ? `; last good watches from ${watchFile.lastGood} used` : ""}`;
  }
}

/** Why one repository is watched; `path` shows a file name (default: as the merge names it). */
export function describeReason(reason: WatchReason, path: (file: string) => string = safe): string {
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

/** Messages and paths are ours (hostile values inside are already quoted): only controls are escaped. */
function safe(text: string): string {
  return noControls(text);
}
