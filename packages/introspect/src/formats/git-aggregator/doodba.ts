// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";
import { isMap, LineCounter, parseAllDocuments, parseDocument } from "yaml";
import type { Problem } from "@autowatch/watchfile";
import { makeProblem, quoteValue } from "@autowatch/watchfile/text";
import type { SourceSpec } from "../../extract/types.js";

/** doodba's build arguments' defaults (its Dockerfile's ONBUILD ARG lines). */
export const DOODBA_DEFAULTS = {
  DEFAULT_REPO_PATTERN: "https://github.com/OCA/{}.git",
  DEFAULT_REPO_PATTERN_ODOO: "https://github.com/OCA/OCB.git",
};

const SKIPPED = new Set(["private", "ONLY", "ENV"]);
const CORE = "odoo/addons";

export interface DoodbaInput {
  /** Directory of repos.yaml and addons.yaml (doodba's odoo/custom/src). */
  srcDir: string;
  reposText: string | undefined;
  addonsFile: string | undefined;
  addonsText: string | undefined;
  env: Record<string, string | undefined>;
  /** Whether a path exists, and whether it is a git checkout (doodba skips plain local folders). */
  exists: (target: string) => boolean;
  isGitCheckout: (target: string) => boolean;
}

/**
 * The repositories doodba's autoaggregate adds to repos.yaml (pure): every repository named in
 * addons.yaml (`odoo/addons` is the core; `private`, `ONLY`, `ENV` are not repositories), and the
 * core `odoo` itself, that repos.yaml does not define, unless it is a local folder without
 * `.git`. Each is `origin $ODOO_VERSION` from `DEFAULT_REPO_PATTERN` (`DEFAULT_REPO_PATTERN_ODOO`
 * for `odoo`), with the environment of its addons.yaml document (`ENV` overrides the process's).
 */
export function doodbaGeneratedRepos(input: DoodbaInput): { sources: SourceSpec[]; problems: Problem[] } {
  const sources: SourceSpec[] = [];
  const problems: Problem[] = [];
  const odooDir = path.join(input.srcDir, "odoo");
  const defined = new Set<string>();
  if (input.reposText !== undefined) {
    const document = parseDocument(input.reposText, { version: "1.1", uniqueKeys: false });
    if (isMap(document.contents)) {
      for (const pair of document.contents.items) defined.add(path.resolve(input.srcDir, String((pair.key as { value?: unknown })?.value ?? pair.key)));
    }
  }
  const expected = new Map<string, { env: Record<string, string | undefined>; file: string; line?: number }>();
  const reposFile = path.join(input.srcDir, "repos.yaml");
  expected.set(odooDir, { env: input.env, file: input.addonsFile ?? reposFile });
  if (input.addonsText !== undefined && input.addonsFile !== undefined) {
    const lines = new LineCounter();
    for (const document of parseAllDocuments(input.addonsText, { version: "1.1", lineCounter: lines, uniqueKeys: false })) {
      if (document.errors.length > 0) {
        const error = document.errors[0];
        const message = `not valid YAML: ${error?.message.split("\n")[0] ?? ""}; repositories doodba would add from it are not watched`;
        problems.push(makeProblem("error", "introspect.aggregator.yaml", message, { file: input.addonsFile, line: error && lines.linePos(error.pos[0]).line }));
        continue;
      }
      const root = document.contents;
      if (!isMap(root)) continue;
      const envPair = root.items.find((pair) => scalar(pair.key) === "ENV");
      const docEnv = { ...input.env };
      if (envPair && isMap(envPair.value)) {
        for (const item of envPair.value.items) {
          const key = scalar(item.key);
          if (key !== undefined) docEnv[key] = scalar(item.value);
        }
      }
      for (const pair of root.items) {
        const repo = scalar(pair.key);
        if (repo === undefined || SKIPPED.has(repo)) continue;
        const repoPath = repo === CORE ? odooDir : path.resolve(input.srcDir, repo);
        if (input.exists(repoPath) && !input.isGitCheckout(repoPath)) continue;
        const line =
          pair.key && typeof pair.key === "object" && "range" in pair.key && pair.key.range
            ? lines.linePos((pair.key.range as number[])[0] as number).line
            : undefined;
        expected.set(repoPath, { env: docEnv, file: input.addonsFile, ...(line === undefined ? {} : { line }) });
      }
    }
  }
  for (const [repoPath, { env, file, line }] of [...expected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (defined.has(repoPath)) continue;
    const name = path.basename(repoPath);
    const version = env.ODOO_VERSION;
    const where = { file, ...(line === undefined ? {} : { line }) };
    if (!version) {
      problems.push(
        makeProblem(
          "error",
          "introspect.aggregator.doodba",
          `doodba would clone ${quoteValue(name)} on $ODOO_VERSION, which is not defined; not watched`,
          where,
        ),
      );
      continue;
    }
    const pattern =
      name === "odoo"
        ? (env.DEFAULT_REPO_PATTERN_ODOO ?? DOODBA_DEFAULTS.DEFAULT_REPO_PATTERN_ODOO)
        : (env.DEFAULT_REPO_PATTERN ?? DOODBA_DEFAULTS.DEFAULT_REPO_PATTERN);
    sources.push({
      kind: "aggregate",
      vcs: "git",
      url: pattern.replaceAll("{}", name),
      revision: version,
      checkout: repoPath,
      declared: { remoteName: "origin" },
      origin: { ...where, section: name, option: "doodba default", format: "git-aggregator" },
    });
  }
  return { sources, problems };
}

function scalar(node: unknown): string | undefined {
  if (node && typeof node === "object" && "value" in node) {
    const value = (node as { value: unknown }).value;
    return value === null || value === undefined ? undefined : String(value);
  }
  return undefined;
}
