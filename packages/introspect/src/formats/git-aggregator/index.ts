import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FormatInput, FormatResult, SourceFormat } from "../types.js";
import { extractRepos } from "./extract.js";

/** git-aggregator's repos.yaml (doodba keeps it in odoo/custom/src/). */
export const gitAggregatorFormat: SourceFormat = {
  id: "git-aggregator",
  defaultFiles: ["repos.yaml", "repos.yml", "odoo/custom/src/repos.yaml"],
  matches: (file) => /\.ya?ml$/i.test(file),
  async extract(input: FormatInput): Promise<FormatResult> {
    const file = path.resolve(input.cwd, input.file);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      return { ok: false, error: { level: "error", message: `could not read the git-aggregator configuration (${why})`, file }, problems: [] };
    }
    const extracted = extractRepos(text, file, input.env as Record<string, string | undefined>);
    if (extracted.fatal) return { ok: false, error: extracted.fatal, problems: extracted.problems };
    return { ok: true, sources: extracted.sources, problems: extracted.problems, directory: path.resolve(input.cwd) };
  },
};
