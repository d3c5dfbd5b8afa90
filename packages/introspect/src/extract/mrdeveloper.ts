// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";
import type { Problem, ProblemCode, Vcs } from "@autowatch/watchfile";
import { pyStrip, quoteValue } from "@autowatch/watchfile/text";
import type { ResolvedOption, ResolvedSections } from "../types.js";
import { absoluteIn, isVcs, originOf, problemAt } from "./common.js";
import { numberedLines, tokens } from "./lines.js";
import type { SourceSpec } from "./types.js";

export interface MrDeveloperSources {
  /** mr.developer is among the extensions and auto-checkout selects at least one name. */
  active: boolean;
  sources: SourceSpec[];
  problems: Problem[];
}

/** Kinds mr.developer checks out that are no VCS autowatch polls: reported, not watched. */
const OTHER_KINDS = new Set(["gitsvn", "cvs", "darcs", "fs"]);

/**
 * mr.developer's `[sources]` (or the section `[buildout] sources` names), read as its extension
 * does: `NAME = KIND URL [key=value...]` (a bare third word is the old positional path), checked
 * out in `sources-dir/NAME` (default `src`), `path=` the parent directory, `full-path=` the exact
 * one. Only the names `[buildout] auto-checkout` selects (`*`: all), only when mr.developer is a
 * buildout extension: other sources are not checked out by bin/buildout.
 */
export function extractMrDeveloperSources(sections: ResolvedSections, directory: string): MrDeveloperSources {
  const buildout = sections.buildout ?? {};
  const result: MrDeveloperSources = { active: false, sources: [], problems: [] };
  const autoCheckout = buildout["auto-checkout"];
  const wanted = new Set(tokens(autoCheckout?.value ?? ""));
  if (!tokens(buildout.extensions?.value ?? "").includes("mr.developer")) {
    if (autoCheckout && wanted.size > 0) {
      result.problems.push(
        problemAt(
          "warning",
          "introspect.mrdeveloper.ignored",
          autoCheckout,
          "[buildout] auto-checkout ignored: mr.developer is not among [buildout] extensions",
        ),
      );
    }
    return result;
  }
  if (!autoCheckout || wanted.size === 0) return result;
  const sectionName = pyStrip(buildout.sources?.value ?? "") || "sources";
  const section = sections[sectionName];
  if (!section) {
    result.problems.push(
      problemAt("warning", "introspect.mrdeveloper.sources", autoCheckout, `[buildout] auto-checkout names sources but there is no [${sectionName}] section`),
    );
    return result;
  }
  result.active = true;
  const all = wanted.has("*");
  const sourcesDir = absoluteIn(directory, pyStrip(buildout["sources-dir"]?.value ?? "") || "src");
  for (const name of Object.keys(section).sort()) {
    if (!all && !wanted.has(name)) continue;
    const spec = parseSourceLine(name, section[name] as ResolvedOption, sectionName, sourcesDir, directory);
    if ("problem" in spec) {
      if (spec.problem) result.problems.push(spec.problem);
    } else {
      result.sources.push(spec.source);
    }
  }
  if (!all) {
    for (const name of [...wanted].sort()) {
      if (!(name in section))
        result.problems.push(
          problemAt(
            "warning",
            "introspect.mrdeveloper.sources",
            autoCheckout,
            `[buildout] auto-checkout names ${quoteValue(name)}, which [${sectionName}] does not define`,
          ),
        );
    }
  }
  return result;
}

type Parsed = { source: SourceSpec } | { problem: Problem | undefined };

function parseSourceLine(name: string, option: ResolvedOption, sectionName: string, sourcesDir: string, directory: string): Parsed {
  // the value may span continuation lines: mr.developer splits it on any whitespace
  const index = numberedLines(option.value, pyStrip)[0]?.index;
  const words = tokens(option.value);
  const report = (level: Problem["level"], code: ProblemCode, message: string): Parsed => ({
    problem: problemAt(level, code, option, `[${sectionName}] ${name}: ${message}`, index),
  });
  const [kind, rawUrl] = words;
  if (kind === undefined || rawUrl === undefined) return report("error", "introspect.mrdeveloper.invalid", "expected KIND URL [key=value...]; source ignored");
  if (OTHER_KINDS.has(kind)) return report("info", "introspect.mrdeveloper.not-polled", `kind ${quoteValue(kind)} is not polled by autowatch; not watched`);
  if (!isVcs(kind))
    return report(
      "error",
      "introspect.mrdeveloper.kind",
      `unknown kind ${quoteValue(kind)} (mr.developer knows git, hg, svn, bzr, gitsvn, cvs, darcs, fs); source ignored`,
    );
  const options: Record<string, string> = Object.create(null) as Record<string, string>;
  let positionalPath: string | undefined;
  for (const word of words.slice(2)) {
    const equals = word.indexOf("=");
    if (equals === -1) positionalPath = word;
    else options[word.slice(0, equals)] = word.slice(equals + 1);
  }
  const fullPath = options["full-path"];
  const parent = options.path ?? positionalPath;
  const checkout = fullPath ? absoluteIn(directory, fullPath) : path.join(parent ? absoluteIn(directory, parent) : sourcesDir, name);
  const { url, revision } = revisionOf(kind, rawUrl, options);
  return {
    source: {
      kind: "mr.developer",
      vcs: kind,
      url,
      revision,
      checkout,
      origin: { ...originOf(option, sectionName, name, index), format: "mr.developer" },
    },
  };
}

/**
 * What mr.developer checks out: `rev=` (or svn's `revision=`, or `URL@REV`) wins over
 * `branch=`; neither means the default branch (undefined: the checkout says which).
 */
function revisionOf(kind: Vcs, url: string, options: Record<string, string>): { url: string; revision: string | undefined } {
  const rev = options.rev ?? (kind === "svn" ? options.revision : undefined);
  if (kind === "svn") {
    const at = /@([0-9]+|HEAD)$/i.exec(url);
    if (at) return { url: url.slice(0, at.index), revision: rev ?? at[1] };
    return { url, revision: rev };
  }
  if (rev !== undefined && rev !== "") return { url, revision: rev };
  if (kind === "bzr") return { url, revision: undefined };
  const branch = options.branch;
  return { url, revision: branch === undefined || branch === "" ? undefined : branch };
}
