import type { State } from "@autowatch/watchfile";
import type { CliContext } from "../../context.js";
import { plural, problemLines } from "../../output.js";

/** How many builders watch something, nothing, or are never scheduled by commits. */
export function builderCounts(state: State): string {
  const builders = Object.values(state.builders);
  const scheduled = builders.filter((b) => b.schedule).length;
  const watching = builders.filter((b) => b.schedule && b.watches.length > 0).length;
  return `${plural(builders.length, "builder")}: ${watching} watching at least one branch, ${scheduled - watching} watching nothing, ${builders.length - scheduled} never scheduled by commits (watch =)`;
}

export function problemCounts(state: State): string {
  const count = (level: string) => state.problems.filter((p) => p.level === level).length;
  return `${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}, ${count("info")} info`;
}

/**
 * The merge's report on stderr: errors and warnings as `FILE:LINE: level: message` (at most 20
 * of each level; the state keeps them all), then two summary lines.
 */
export function mergeSummary(state: State, context: Pick<CliContext, "cwd" | "color">): string {
  const lines = problemLines(state.problems, context, { everything: "the state and --json list them all" });
  lines.push(`autowatch merge: ${builderCounts(state)}`, `autowatch merge: ${plural(state.pollers.length, "poller")}; ${problemCounts(state)}`);
  return `${lines.join("\n")}\n`;
}
