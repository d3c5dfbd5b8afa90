// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import type { Problem, ProblemCode } from "@autowatch/watchfile";
import { closeNames, makeProblem, quoteValue } from "@autowatch/watchfile/text";
import type { ResolvedSections } from "../types.js";
import { tokens } from "./lines.js";

const RECIPE_PREFIXES = ["anybox.recipe.odoo", "anybox.recipe.openerp"];

/** True when a section's `recipe` is one of anybox.recipe.odoo / anybox.recipe.openerp (any entry point). */
export function isOdooRecipe(recipe: string | undefined): boolean {
  const name = tokens(recipe ?? "")[0];
  return name !== undefined && RECIPE_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export type PartChoice = { ok: true; part: string } | { ok: false; error: Problem };

/**
 * The recipe part: the one asked for; else the only recipe part listed in `[buildout] parts`;
 * else the only recipe section anywhere (macro templates are not listed in parts).
 */
export function findRecipePart(sections: ResolvedSections, config: string, wanted?: string): PartChoice {
  const buildout = sections.buildout ?? {};
  const partsOption = buildout.parts;
  const at = partsOption ? { file: partsOption.origin.file, line: partsOption.origin.line } : { file: config };
  if (wanted !== undefined) {
    const section = sections[wanted];
    if (!section) {
      // a mistake on the command line: reported against the configuration, with the likely part
      const recipes = Object.keys(sections).filter((name) => isOdooRecipe(sections[name]?.recipe?.value));
      const close = closeNames(wanted, recipes.length > 0 ? recipes : Object.keys(sections), 3);
      const hint =
        close.length > 0
          ? `; did you mean ${close.map((name) => quoteValue(name)).join(" or ")}?`
          : recipes.length > 0
            ? `; recipe parts: ${names(recipes.sort())}`
            : "";
      return fail({ file: config }, "introspect.part.unknown", `--part ${quoteValue(wanted)}: no such section${hint}`);
    }
    if (!isOdooRecipe(section.recipe?.value)) {
      const where = section.recipe?.origin ?? at;
      return fail(where, "introspect.part.recipe", `part ${quoteValue(wanted)} does not use anybox.recipe.odoo or anybox.recipe.openerp`);
    }
    return { ok: true, part: wanted };
  }
  const listed = [...new Set(tokens(partsOption?.value ?? ""))].filter((name) => isOdooRecipe(sections[name]?.recipe?.value));
  if (listed.length === 1) return { ok: true, part: listed[0] as string };
  if (listed.length > 1) return fail(at, "introspect.part.ambiguous", `several recipe parts in [buildout] parts: ${names(listed)}; choose one with --part`);
  const anywhere = Object.keys(sections)
    .filter((name) => isOdooRecipe(sections[name]?.recipe?.value))
    .sort();
  if (anywhere.length === 1) return { ok: true, part: anywhere[0] as string };
  if (anywhere.length > 1) return fail(at, "introspect.part.ambiguous", `several sections use the recipe: ${names(anywhere)}; choose one with --part`);
  return fail(at, "introspect.part.none", "no part uses anybox.recipe.odoo or anybox.recipe.openerp");
}

function names(list: string[]): string {
  return list.map((name) => quoteValue(name)).join(", ");
}

function fail(at: { file: string; line?: number | undefined }, code: ProblemCode, message: string): PartChoice {
  return { ok: false, error: makeProblem("error", code, message, at) };
}
