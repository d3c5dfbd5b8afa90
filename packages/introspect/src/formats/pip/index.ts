// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Problem } from "@autowatch/watchfile";
import { makeProblem, quoteValue } from "@autowatch/watchfile/text";
import type { SourceSpec } from "../../extract/types.js";
import type { FormatInput, FormatResult, SourceFormat } from "../types.js";
import { CREDENTIALS_REMOVED, userInfoFromVariable, withoutCredentials } from "../credentials.js";
import { parseRequirementsText } from "./parse.js";

/** pip requirement files (and the `-r`/`-c` files they include) with VCS URLs. */
export const pipFormat: SourceFormat = {
  id: "pip",
  // doodba installs odoo/custom/dependencies/pip.txt
  defaultFiles: ["requirements.txt", "odoo/custom/dependencies/pip.txt"],
  // requirements*.txt, pip-tools' *.in, doodba's pip.txt
  matches: (file) => /\.(txt|in|pip)$/i.test(file),
  extract: async (input) => extractRequirements(input),
};

/** PEP 503 normalisation: the directory pip checks an editable requirement out in, under `src/`. */
export function canonicalName(name: string): string {
  return name
    .replace(/\[.*$/, "")
    .toLowerCase()
    .replace(/[-_.]+/g, "-");
}

/**
 * Reads the file and its includes the way pip does (`-r`/`-c` relative to the including file);
 * `-e` requirements are looked for in `src/NAME` of `$VIRTUAL_ENV` when set, else of the build
 * directory (pip's `--src` default), where pip checks them out.
 */
export function extractRequirements(input: FormatInput): FormatResult {
  const top = path.resolve(input.cwd, input.file);
  const problems: Problem[] = [];
  const sources: SourceSpec[] = [];
  const env = input.env as Record<string, string | undefined>;
  const srcDirectory = path.join(env.VIRTUAL_ENV ? path.resolve(input.cwd, env.VIRTUAL_ENV) : input.cwd, "src");
  const reading = new Set<string>();

  const read = (file: string, constraint: boolean, from?: { file: string; line: number }): boolean => {
    let text: string;
    try {
      // pip's auto_decode drops a byte-order mark (JavaScript's trim() used to, on every line)
      text = readFileSync(file, "utf8").replace(/^\ufeff/, "");
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.push(makeProblem("error", "introspect.pip.read", `could not open requirements file ${quoteValue(file)} (${why})`, from));
      return false;
    }
    if (reading.has(file)) {
      problems.push(makeProblem("error", "introspect.pip.recursion", `${quoteValue(file)} includes itself (through -r/-c); not read again`, from));
      return true;
    }
    reading.add(file);
    // pip resolves `-e PATH` against the directory it runs in
    const isDirectory = (target: string) => statSync(path.resolve(input.cwd, target), { throwIfNoEntry: false })?.isDirectory() ?? false;
    const exists = (target: string) => statSync(path.resolve(input.cwd, target), { throwIfNoEntry: false }) !== undefined;
    const parsed = parseRequirementsText(text, env, isDirectory, exists);
    for (const problem of parsed.problems) problems.push(makeProblem(problem.level, problem.code, problem.message, { file, line: problem.line }));
    // in line order: an include's requirements come where its -r/-c line is, as pip yields them
    const entries = [
      ...parsed.requirements.map((requirement) => ({ line: requirement.line, requirement })),
      ...parsed.includes.map((include) => ({ line: include.line, include })),
    ];
    entries.sort((a, b) => a.line - b.line);
    for (const entry of entries) {
      if ("include" in entry) {
        const include = entry.include;
        if (/^(https?|file):/i.test(include.path)) {
          const option = include.kind === "constraint" ? "-c" : "-r";
          const message = `${option} ${quoteValue(include.path)}: a URL; not fetched, its sources are not watched`;
          problems.push(makeProblem("warning", "introspect.pip.remote", message, { file, line: include.line }));
          continue;
        }
        const nested = path.isAbsolute(include.path) ? include.path : path.join(path.dirname(file), include.path);
        read(nested, include.kind === "constraint", { file, line: include.line });
        continue;
      }
      const requirement = entry.requirement;
      const vcs = requirement.vcs;
      if (!vcs) continue;
      const origin = { file, line: requirement.line, option: requirement.editable ? "-e" : constraint ? "constraint" : "requirement", format: "pip" };
      const safe = withoutCredentials(vcs.url, userInfoFromVariable(requirement.written ?? ""));
      if (safe.removed) problems.push(makeProblem("warning", "introspect.url.credentials", CREDENTIALS_REMOVED, { file, line: requirement.line }));
      sources.push({
        kind: "requirement",
        vcs: vcs.vcs,
        url: safe.url,
        revision: vcs.revision,
        checkout: requirement.editable && requirement.name ? path.join(srcDirectory, canonicalName(requirement.name)) : undefined,
        origin: requirement.name ? { ...origin, section: requirement.name } : origin,
      });
    }
    reading.delete(file);
    return true;
  };

  if (!read(top, false)) {
    const error = problems.pop() as Problem;
    return { ok: false, error: { ...error, file: top }, problems };
  }
  return { ok: true, sources, problems, directory: path.resolve(input.cwd) };
}
