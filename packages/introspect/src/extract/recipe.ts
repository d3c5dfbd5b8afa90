// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";
import type { Problem, ProblemCode } from "@autowatch/watchfile";
import { makeProblem, pyStrip, quoteValue } from "@autowatch/watchfile/text";
import type { ResolvedOption, ResolvedSections } from "../types.js";
import { absoluteIn, isVcs, originOf, problemAt } from "./common.js";
import { lineOptions, numberedOptionLines, stripInlineComment, tokens } from "./lines.js";
import type { SourceSpec } from "./types.js";

/** Version types that download or point at a local directory: not VCS sources. */
const NON_VCS_VERSION_TYPES = new Set(["local", "path", "url", "nightly"]);

/** Key of the main software among the recipe's sources (addons are keyed by their directory). */
const MAIN = Symbol("main software");
type SourceKey = string | typeof MAIN;

/** A recipe source: a VCS spec, or a local/downloaded one that `revisions` may not touch. */
type Entry = { spec: SourceSpec } | { spec: null; what: string };

export interface RecipeSources {
  sources: SourceSpec[];
  problems: Problem[];
}

type Report = (level: Problem["level"], code: ProblemCode, option: ResolvedOption, message: string, index?: number) => void;

/** Sources of an anybox.recipe.odoo part: `version`, `addons`, `revisions` applied, `merges`. */
export function extractRecipeSources(sections: ResolvedSections, part: string, directory: string): RecipeSources {
  const options = sections[part] ?? {};
  const problems: Problem[] = [];
  const entries = new Map<SourceKey, Entry>();
  const report: Report = (level, code, option, message, index) => problems.push(problemAt(level, code, option, `[${part}] ${message}`, index));

  const partsDirectory = absoluteIn(directory, sections.buildout?.["parts-directory"]?.value ?? "parts");

  // The recipe parses addons first, then the version, then revisions, then merges.
  if (options.addons) readAddons(options.addons, part, directory, entries, report);
  if (options.version) readVersion(options.version, part, partsDirectory, entries, report);
  else problems.push(makeProblem("error", "introspect.recipe.version", `[${part}] has no version option`));
  if (options.revisions) applyRevisions(options.revisions, part, entries, report);

  const sources: SourceSpec[] = [];
  const main = entries.get(MAIN);
  if (main?.spec) sources.push(main.spec);
  for (const [key, entry] of entries) if (key !== MAIN && entry.spec) sources.push(entry.spec);
  if (options.merges) sources.push(...readMerges(options.merges, part, directory, report));
  return { sources, problems };
}

function readAddons(addons: ResolvedOption, part: string, directory: string, entries: Map<SourceKey, Entry>, report: Report): void {
  for (const { text: line, index } of numberedOptionLines(addons.value)) {
    const addon = parseAddonsLine(line);
    if ("error" in addon) {
      report("error", "introspect.recipe.addons", addons, `addons line ${quoteValue(line)}: ${addon.error}; line ignored`, index);
      continue;
    }
    if (addon.vcs === null) {
      entries.set(addon.directory, { spec: null, what: "a local addons directory" });
      continue;
    }
    entries.set(addon.directory, {
      spec: {
        kind: "addons",
        vcs: addon.vcs,
        url: addon.url,
        revision: addon.revision,
        checkout: absoluteIn(directory, addon.directory),
        origin: originOf(addons, part, "addons", index),
      },
    });
  }
}

function readVersion(version: ResolvedOption, part: string, partsDirectory: string, entries: Map<SourceKey, Entry>, report: Report): void {
  const words = tokens(stripInlineComment(version.value));
  // the line the version starts on (a version written across lines is read as one)
  const index = numberedOptionLines(version.value)[0]?.index;
  const type = words[0];
  if (type === undefined) {
    report("error", "introspect.recipe.version", version, "empty version", index);
  } else if (words.length === 1 || NON_VCS_VERSION_TYPES.has(type)) {
    entries.set(MAIN, { spec: null, what: "a released, downloaded or local main software" });
  } else if (!isVcs(type)) {
    report("error", "introspect.recipe.version", version, `version ${quoteValue(pyStrip(version.value))}: unknown type ${quoteValue(type)}`, index);
  } else if (words.length < 4 || lineOptions(words.slice(4)) === null) {
    report(
      "error",
      "introspect.recipe.version",
      version,
      `version ${quoteValue(pyStrip(version.value))}: expected TYPE URL DIRECTORY REVISION [option=value...]`,
      index,
    );
  } else {
    entries.set(MAIN, {
      spec: {
        kind: "version",
        vcs: type,
        url: words[1] as string,
        revision: words[3] as string,
        checkout: absoluteIn(partsDirectory, words[2] as string),
        origin: originOf(version, part, "version", index),
      },
    });
  }
}

function applyRevisions(revisions: ResolvedOption, part: string, entries: Map<SourceKey, Entry>, report: Report): void {
  for (const { text: line, index } of numberedOptionLines(revisions.value)) {
    const words = tokens(line);
    if (words.length > 2) {
      report("error", "introspect.recipe.revisions", revisions, `revisions line ${quoteValue(line)}: expected [DIRECTORY] REVISION; line ignored`, index);
      continue;
    }
    const key: SourceKey = words.length === 2 ? (words[0] as string) : MAIN;
    const entry = entries.get(key);
    const what = key === MAIN ? "the main software" : quoteValue(key);
    if (!entry) {
      report(
        "warning",
        "introspect.recipe.revisions",
        revisions,
        `revisions line ${quoteValue(line)}: no source at ${what}; ignored (as the recipe does)`,
        index,
      );
      continue;
    }
    if (entry.spec === null) {
      report(
        "error",
        "introspect.recipe.revisions",
        revisions,
        `revisions line ${quoteValue(line)}: ${what} is ${entry.what}, not a VCS source; ignored`,
        index,
      );
      continue;
    }
    entry.spec = { ...entry.spec, revision: words[words.length - 1] as string, origin: originOf(revisions, part, "revisions", index) };
  }
}

function readMerges(merges: ResolvedOption, part: string, directory: string, report: Report): SourceSpec[] {
  const sources: SourceSpec[] = [];
  for (const { text: line, index } of numberedOptionLines(merges.value)) {
    const words = tokens(line);
    const type = words[0] as string;
    if (type !== "git" && type !== "bzr") {
      report("error", "introspect.recipe.merges", merges, `merges line ${quoteValue(line)}: only git and bzr merges are supported; line ignored`, index);
      continue;
    }
    if (words.length < 4 || lineOptions(words.slice(4)) === null) {
      report(
        "error",
        "introspect.recipe.merges",
        merges,
        `merges line ${quoteValue(line)}: expected TYPE URL DIRECTORY REVISION [option=value...]; line ignored`,
        index,
      );
      continue;
    }
    const url = words[1] as string;
    const spec: SourceSpec = {
      kind: "merge",
      vcs: type,
      url,
      revision: words[3] as string,
      checkout: absoluteIn(directory, stripTrailingSlashes(words[2] as string)),
      origin: originOf(merges, part, "merges", index),
    };
    if (isRemoteName(url)) spec.remote = true;
    sources.push(spec);
  }
  return sources;
}

type AddonsLine = { vcs: null; directory: string } | { vcs: SourceSpec["vcs"]; url: string; revision: string; directory: string } | { error: string };

/** `local DIR [opts]` or `TYPE URL DIR REV [opts]`; `group=` moves the checkout one level down. */
function parseAddonsLine(line: string): AddonsLine {
  const words = tokens(line);
  const type = words[0] as string;
  const specLength = type === "local" ? 2 : 4;
  const options = words.length < specLength ? null : lineOptions(words.slice(specLength));
  if (options === null) {
    return { error: type === "local" ? "expected local DIRECTORY" : "expected TYPE URL DIRECTORY REVISION [option=value...]" };
  }
  const rawDirectory = type === "local" ? (words[1] as string) : (words[2] as string);
  let directory = stripTrailingSlashes(rawDirectory);
  const group = options.group;
  if (group) directory = pythonJoin(pythonDirname(directory), group, path.posix.basename(directory));
  if (type === "local") return { vcs: null, directory };
  if (!isVcs(type)) return { error: `unknown type ${quoteValue(type)}` };
  return { vcs: type, url: words[1] as string, revision: words[3] as string, directory };
}

function stripTrailingSlashes(value: string): string {
  return value.replace(/\/+$/, "");
}

/** `os.path.split(p)[0]`: the head without its trailing slashes (unless it is only slashes). */
function pythonDirname(value: string): string {
  const cut = value.lastIndexOf("/") + 1;
  const head = value.slice(0, cut);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, "");
}

/** `os.path.join`: an empty head adds nothing, an absolute component restarts. */
function pythonJoin(...parts: string[]): string {
  let result = "";
  for (const part of parts) {
    if (part.startsWith("/")) result = part;
    else if (result === "" || result.endsWith("/")) result += part;
    else result += `/${part}`;
  }
  return result;
}

/** A merge "URL" such as `origin`: a remote of the target checkout, not a location. */
export function isRemoteName(url: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(url);
}
