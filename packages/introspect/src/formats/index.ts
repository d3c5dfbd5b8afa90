import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { buildoutFormat } from "./buildout/index.js";
import { gitAggregatorFormat } from "./git-aggregator/index.js";
import { pipFormat } from "./pip/index.js";
import type { FormatId, SourceFormat } from "./types.js";

export type { FormatId, FormatInput, FormatResult, SourceFormat } from "./types.js";
export { buildoutFormat, extractBuildoutSections } from "./buildout/index.js";
export { pipFormat } from "./pip/index.js";
export { parseRequirementsText, type RequirementLine } from "./pip/parse.js";
export { parsePipVcsUrl, type PipVcsUrl } from "./pip/url.js";
export { gitAggregatorFormat } from "./git-aggregator/index.js";
export { extractRepos, expandEnv, type ReposExtraction } from "./git-aggregator/extract.js";

/** Every format, by id. */
export const FORMATS: Record<FormatId, SourceFormat> = {
  buildout: buildoutFormat,
  "git-aggregator": gitAggregatorFormat,
  pip: pipFormat,
};

export const FORMAT_IDS = Object.keys(FORMATS) as FormatId[];

/** The files of every format present in a build directory, in the formats' order. */
export function detectSourceFiles(directory: string): { format: FormatId; file: string }[] {
  const found: { format: FormatId; file: string }[] = [];
  for (const format of Object.values(FORMATS)) {
    for (const file of format.defaultFiles) {
      const full = path.join(directory, file);
      if (existsSync(full) && statSync(full).isFile()) found.push({ format: format.id, file });
    }
  }
  return found;
}

/**
 * The format of a `--source`: `FORMAT:FILE` names it, else the file's name tells
 * (`*.cfg` buildout, `*.yaml`/`*.yml` git-aggregator, requirement files pip). Undefined when
 * nothing tells.
 */
export function sourceFileFor(spec: string): { format: FormatId; file: string } | undefined {
  const colon = spec.indexOf(":");
  if (colon > 0) {
    const named = spec.slice(0, colon);
    if ((FORMAT_IDS as string[]).includes(named)) return { format: named as FormatId, file: spec.slice(colon + 1) };
  }
  const format = Object.values(FORMATS).find((candidate) => candidate.matches(spec));
  return format ? { format: format.id, file: spec } : undefined;
}
