// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";
import { extractSources } from "../../extract/index.js";
import { resolveBuildout } from "../../resolve/index.js";
import type { ResolvedSections } from "../../types.js";
import type { FormatInput, FormatResult, SourceFormat } from "../types.js";
import type { Problem } from "@autowatch/watchfile";

/**
 * zc.buildout configurations: the anybox.recipe.odoo/openerp part, gp.vcsdevelop's
 * vcs-extend-develop and mr.developer's auto-checkout sources, read from the configuration
 * resolved the way zc.buildout resolves it.
 */
export const buildoutFormat: SourceFormat = {
  id: "buildout",
  defaultFiles: ["buildout.cfg"],
  matches: (file) => file.endsWith(".cfg"),
  async extract(input: FormatInput): Promise<FormatResult> {
    const resolved = await resolveBuildout({
      config: input.file,
      cwd: input.cwd,
      env: input.env as Record<string, string | undefined>,
      ...(input.buildout?.overrides ? { overrides: input.buildout.overrides } : {}),
      ...(input.buildout?.noUserDefaults ? { noUserDefaults: true } : {}),
    });
    if (!resolved.ok) return { ok: false, error: resolved.error, problems: resolved.problems };
    return extractBuildoutSections(resolved.sections, input, resolved.problems);
  },
};

/** The sources of resolved sections (problems met while resolving carried along). */
export function extractBuildoutSections(sections: ResolvedSections, input: FormatInput, earlier: Problem[] = []): FormatResult {
  const configPath = path.resolve(input.cwd, input.file);
  const home = input.env.HOME;
  const extracted = extractSources(sections, configPath, {
    ...(input.buildout?.part === undefined ? {} : { part: input.buildout.part }),
    directory: path.dirname(configPath),
    ...(home ? { home } : {}),
  });
  if (!extracted.ok) return { ok: false, error: extracted.error, problems: [...earlier, ...extracted.problems] };
  return {
    ok: true,
    sources: extracted.sources,
    problems: [...earlier, ...extracted.problems],
    directory: extracted.directory,
    buildout: { config: input.file, directory: extracted.directory, ...(extracted.part === undefined ? {} : { part: extracted.part }) },
  };
}
