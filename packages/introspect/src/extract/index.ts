import path from "node:path";
import type { ResolvedSections } from "../types.js";
import { extractDevelopSources } from "./develop.js";
import { findRecipePart } from "./part.js";
import { extractRecipeSources } from "./recipe.js";
import type { ExtractOptions, ExtractResult } from "./types.js";

export type { ExtractOptions, ExtractResult, SourceKind, SourceSpec } from "./types.js";
export { findRecipePart, isOdooRecipe } from "./part.js";
export { extractRecipeSources, isRemoteName } from "./recipe.js";
export { extractDevelopSources, parseVcsUrl } from "./develop.js";
export { optionLines, stripInlineComment } from "./lines.js";

/**
 * Pure: the VCS sources of a resolved buildout (the recipe part and gp.vcsdevelop's
 * vcs-extend-develop), each with its checkout directory and origin, plus problems.
 */
export function extractSources(sections: ResolvedSections, config: string, options: ExtractOptions): ExtractResult {
  const choice = findRecipePart(sections, config, options.part);
  if (!choice.ok) return { ok: false, error: choice.error, problems: [] };
  const directory = path.resolve(options.directory, sections.buildout?.directory?.value ?? ".");
  const recipe = extractRecipeSources(sections, choice.part, directory);
  const develop = extractDevelopSources(sections, { directory, home: options.home });
  return {
    ok: true,
    part: choice.part,
    directory,
    sources: [...recipe.sources, ...develop.sources],
    problems: [...recipe.problems, ...develop.problems],
  };
}
