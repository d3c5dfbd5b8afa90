// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import type { State } from "@autowatch/watchfile";
import type { RunMergeResult } from "@autowatch/merge";
import type { CliContext } from "../../context.js";
import { plural, problemLines } from "../../output.js";

/** How many builders watch something, nothing, or are never scheduled by commits. */
export function builderCounts({ builders, scheduled, watching }: RunMergeResult["counts"]): string {
  return `${plural(builders, "builder")}: ${watching} watching at least one branch, ${scheduled - watching} watching nothing, ${builders - scheduled} never scheduled by commits (watch =)`;
}

export function problemCounts(state: Pick<State, "problems">): string {
  const count = (level: string) => state.problems.filter((p) => p.level === level).length;
  return `${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}, ${count("info")} info`;
}

/**
 * The merge's report on stderr: errors and warnings as `FILE:LINE: level: message` (at most 20
 * of each level; the state keeps them all), then two summary lines.
 */
export function mergeSummary(result: Pick<RunMergeResult, "counts" | "problems">, context: Pick<CliContext, "cwd" | "color">): string {
  const lines = problemLines(result.problems, context, { everything: "the state and --json list them all" });
  lines.push(`autowatch merge: ${builderCounts(result.counts)}`, `autowatch merge: ${plural(result.counts.pollers, "poller")}; ${problemCounts(result)}`);
  return `${lines.join("\n")}\n`;
}
