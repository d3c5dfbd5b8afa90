import path from "node:path";
import type { ResolvedSections } from "../types.js";
import { extractDevelopSources } from "./develop.js";
import { findRecipePart } from "./part.js";
import { extractMrDeveloperSources } from "./mrdeveloper.js";
import { extractRecipeSources } from "./recipe.js";
import type { ExtractOptions, ExtractResult } from "./types.js";

export type { ExtractOptions, ExtractResult, SourceKind, SourceSpec } from "./types.js";
export { findRecipePart, isOdooRecipe } from "./part.js";
export { extractRecipeSources, isRemoteName } from "./recipe.js";
export { extractDevelopSources, parseVcsUrl } from "./develop.js";
export { extractMrDeveloperSources, type MrDeveloperSources } from "./mrdeveloper.js";
export { optionLines, stripInlineComment } from "./lines.js";

/**
 * Pure: the VCS sources of a resolved buildout (the recipe part, gp.vcsdevelop's
 * vcs-extend-develop and mr.developer's auto-checkout sources), each with its checkout
 * directory and origin, plus problems. A buildout without a recipe part is an error unless
 * mr.developer checks sources out.
 */
export function extractSources(sections: ResolvedSections, config: string, options: ExtractOptions): ExtractResult {
  const choice = findRecipePart(sections, config, options.part);
  const directory = path.resolve(options.directory, sections.buildout?.directory?.value ?? ".");
  const developer = extractMrDeveloperSources(sections, directory);
  if (!choice.ok && (options.part !== undefined || !developer.active)) return { ok: false, error: choice.error, problems: [] };
  const recipe = choice.ok ? extractRecipeSources(sections, choice.part, directory) : { sources: [], problems: [] };
  const develop = extractDevelopSources(sections, { directory, home: options.home });
  return {
    ok: true,
    ...(choice.ok ? { part: choice.part } : {}),
    directory,
    sources: [...recipe.sources, ...develop.sources, ...developer.sources],
    problems: [...recipe.problems, ...develop.problems, ...developer.problems],
  };
}
