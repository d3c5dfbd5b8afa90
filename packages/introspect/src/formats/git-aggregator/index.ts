// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { makeProblem } from "@autowatch/watchfile/text";
import type { FormatInput, FormatResult, SourceFormat } from "../types.js";
import { doodbaGeneratedRepos } from "./doodba.js";
import { extractRepos } from "./extract.js";

/** git-aggregator's repos.yaml (doodba keeps it in odoo/custom/src/). */
export const gitAggregatorFormat: SourceFormat = {
  id: "git-aggregator",
  defaultFiles: ["repos.yaml", "repos.yml", "odoo/custom/src/repos.yaml", "odoo/custom/src/repos.yml"],
  matches: (file) => /\.ya?ml$/i.test(file),
  async extract(input: FormatInput): Promise<FormatResult> {
    const file = path.resolve(input.cwd, input.file);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      return {
        ok: false,
        error: makeProblem("error", "introspect.aggregator.read", `could not read the git-aggregator configuration (${why})`, { file }),
        problems: [],
      };
    }
    const env = input.env as Record<string, string | undefined>;
    const extracted = extractRepos(text, file, env);
    if (extracted.fatal) return { ok: false, error: extracted.fatal, problems: extracted.problems };
    const sources = [...extracted.sources];
    const problems = [...extracted.problems];
    const doodba = doodbaLayout(file);
    if (doodba) {
      const generated = doodbaGeneratedRepos({
        srcDir: path.dirname(file),
        reposText: text,
        addonsFile: doodba.addons,
        addonsText: doodba.addons === undefined ? undefined : readFileSync(doodba.addons, "utf8"),
        env,
        exists: (target) => existsSync(target),
        isGitCheckout: (target) => existsSync(path.join(target, ".git")),
      });
      sources.push(...generated.sources);
      problems.push(...generated.problems);
    }
    return { ok: true, sources, problems, directory: path.resolve(input.cwd) };
  },
};

/**
 * A doodba project: repos.yaml in `odoo/custom/src/`, or next to an addons.yaml. Its image build
 * (autoaggregate) also clones what addons.yaml names and repos.yaml does not define.
 */
function doodbaLayout(reposFile: string): { addons: string | undefined } | undefined {
  const directory = path.dirname(reposFile);
  const addons = ["addons.yaml", "addons.yml"].map((name) => path.join(directory, name)).find((candidate) => existsSync(candidate));
  const scaffold = directory.split(path.sep).slice(-3).join("/") === "odoo/custom/src";
  return addons !== undefined || scaffold ? { addons } : undefined;
}
