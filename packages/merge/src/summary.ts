import type { Problem, State } from "@autowatch/watchfile";
import { noControls } from "./state.js";

/**
 * A short human summary of a merge: counts, then errors and warnings grouped by builder
 * (info messages are only counted). Every value is escaped: nothing raw reaches a terminal.
 */
export function summarizeMerge(state: State): string {
  const builders = Object.values(state.builders);
  const scheduled = builders.filter((b) => b.schedule).length;
  const watching = builders.filter((b) => b.schedule && b.watches.length > 0).length;
  const count = (level: Problem["level"]) => state.problems.filter((p) => p.level === level).length;
  const lines = [
    `${builders.length} builders: ${watching} watch at least one branch, ${scheduled - watching} watch nothing, ${builders.length - scheduled} never scheduled by commits (watch =)`,
    `${state.pollers.length} pollers; problems: ${count("error")} errors, ${count("warning")} warnings, ${count("info")} info`,
  ];
  const groups = new Map<string, Problem[]>();
  for (const problem of state.problems) {
    if (problem.level === "info") continue;
    const key = problem.builder ?? "";
    groups.set(key, [...(groups.get(key) ?? []), problem]);
  }
  for (const [builder, problems] of groups) {
    lines.push(builder === "" ? "(no builder):" : `${noControls(builder)}:`);
    for (const problem of problems) {
      const where = problem.file === undefined ? "" : ` ${noControls(problem.file)}${problem.line === undefined ? "" : `:${problem.line}`}`;
      lines.push(`  ${problem.level}${where}: ${noControls(problem.message)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
