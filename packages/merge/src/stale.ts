// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { lstatSync } from "node:fs";
import type { Problem } from "@autowatch/watchfile";
import { makeProblem } from "@autowatch/watchfile/text";
import type { WatchFileInput } from "./types.js";

/** A warning for each listed watch file older than `maxAge` (only when asked): its time from `modified`, else one lstat. */
export function oldFiles(
  files: ReadonlyMap<string, WatchFileInput>,
  maxAge: { milliseconds: number; text: string } | undefined,
  now: Date,
  modified?: ReadonlyMap<string, number>,
): Problem[] {
  if (maxAge === undefined) return [];
  const problems: Problem[] = [];
  for (const [builder, input] of files) {
    // listed regular files only: the others are reported as they are
    if (!("read" in input)) continue;
    const time = modified?.get(builder) ?? modifiedTime(input.file);
    if (time === undefined) continue;
    const age = now.getTime() - time;
    if (age <= maxAge.milliseconds) continue;
    const since = new Date(time).toISOString().slice(0, 16);
    const message = `watch file not rewritten for ${roughly(age)} (since ${since}Z; max age ${maxAge.text}): is the builder still building?`;
    problems.push(makeProblem("warning", "merge.watchfile.stale", message, { builder, file: input.file }));
  }
  return problems;
}

function modifiedTime(file: string): number | undefined {
  try {
    return lstatSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** `40 minutes`, `30 hours`, `9 days`: rounded down, the way an operator reads an age. */
function roughly(milliseconds: number): string {
  const minutes = Math.floor(milliseconds / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return days >= 2 ? unit(days, "day") : hours >= 2 ? unit(hours, "hour") : unit(minutes, "minute");
}
