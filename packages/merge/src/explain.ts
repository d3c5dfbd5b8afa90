import { closeNames } from "@autowatch/watchfile/text";
import { mergeFarm } from "./core.js";
import type { BuilderDetail, MergeInput, MergeResult } from "./types.js";

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
