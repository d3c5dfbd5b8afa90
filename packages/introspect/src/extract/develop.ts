// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";
import type { Problem, Vcs } from "@autowatch/watchfile";
import { pyStrip, quoteValue } from "@autowatch/watchfile/text";
import type { ResolvedSections } from "../types.js";
import { absoluteIn, isVcs, originOf, problemAt } from "./common.js";
import { newlinesOnly, numberedLines, tokens } from "./lines.js";
import type { SourceSpec } from "./types.js";

export interface DevelopSources {
  sources: SourceSpec[];
  problems: Problem[];
}

export interface DevelopOptions {
  directory: string;
  home?: string | undefined;
}

/**
 * `[buildout] vcs-extend-develop`, read as gp.vcsdevelop does: one `VCS+URL[@REV]#egg=NAME`
 * per line (stripped, no inline comments), checked out in `develop-dir/NAME`; lines that are not
 * VCS URLs are plain develop paths. Only when gp.vcsdevelop is a buildout extension.
 */
export function extractDevelopSources(sections: ResolvedSections, options: DevelopOptions): DevelopSources {
  const buildout = sections.buildout ?? {};
  const option = buildout["vcs-extend-develop"];
  const problems: Problem[] = [];
  const sources: SourceSpec[] = [];
  if (!option) return { sources, problems };
  // gp.vcsdevelop: `[d.strip() for d in value.split('\n') if d.strip()]`, Python's strip
  const lines = numberedLines(option.value, pyStrip, newlinesOnly);
  if (lines.length === 0) return { sources, problems };
  if (!tokens(buildout.extensions?.value ?? "").includes("gp.vcsdevelop")) {
    problems.push(
      problemAt("warning", "introspect.develop.ignored", option, "[buildout] vcs-extend-develop ignored: gp.vcsdevelop is not among [buildout] extensions"),
    );
    return { sources, problems };
  }
  const developDirectory = developDir(buildout["develop-dir"]?.value, options);
  const develop = numberedLines(buildout.develop?.value, pyStrip, newlinesOnly).map(({ text }) => text);
  for (const { text: line, index } of lines) {
    const vcs = /^([a-z]+)\+/.exec(line)?.[1];
    if (vcs === undefined || !isVcs(vcs)) continue; // a local develop path
    const pieces = line.split("#egg=");
    if (pieces.length !== 2) {
      problems.push(
        problemAt(
          "error",
          "introspect.develop.invalid",
          option,
          `vcs-extend-develop line ${quoteValue(line)}: expected VCS+URL[@REVISION]#egg=NAME; line ignored`,
          index,
        ),
      );
      continue;
    }
    const egg = pyStrip(pieces[1] as string);
    if (develop.some((entry) => entry.endsWith(egg))) {
      problems.push(
        problemAt(
          "info",
          "introspect.develop.skipped",
          option,
          `vcs-extend-develop line ${quoteValue(line)} skipped (as gp.vcsdevelop does): ${quoteValue(egg)} is already in [buildout] develop`,
          index,
        ),
      );
      continue;
    }
    const location = parseVcsUrl(vcs, pieces[0] as string);
    if (!location.url || !egg) {
      problems.push(
        problemAt("error", "introspect.develop.invalid", option, `vcs-extend-develop line ${quoteValue(line)}: no URL or no egg name; line ignored`, index),
      );
      continue;
    }
    sources.push({
      kind: "develop",
      vcs,
      url: location.url,
      revision: location.revision,
      checkout: path.join(developDirectory, egg),
      origin: originOf(option, "buildout", "vcs-extend-develop", index),
    });
  }
  return { sources, problems };
}

/** gp.vcsdevelop's `develop-dir`: default the directory buildout runs in, `~` expanded. */
function developDir(value: string | undefined, options: DevelopOptions): string {
  const raw = value === undefined ? undefined : pyStrip(value);
  if (!raw) return options.directory;
  if (options.home && (raw === "~" || raw.startsWith("~/"))) return path.join(options.home, raw.slice(1));
  return absoluteIn(options.directory, raw);
}

/**
 * A pip editable URL without its `VCS+` prefix and fragment: the revision is what follows the
 * last `@` of the path (not of the user part of the host). `git+git@host:path` has no `://`.
 */
export function parseVcsUrl(vcs: Vcs, spec: string): { url: string; revision: string | undefined } {
  const withoutPrefix = spec.slice(vcs.length + 1);
  const hash = withoutPrefix.indexOf("#");
  const location = hash === -1 ? withoutPrefix : withoutPrefix.slice(0, hash);
  const schemeEnd = location.indexOf("://");
  const pathStart = schemeEnd === -1 ? location.indexOf(":") + 1 : nextSlash(location, schemeEnd + 3);
  const at = location.lastIndexOf("@");
  if (at < pathStart) return { url: location, revision: undefined };
  const revision = location.slice(at + 1);
  return { url: location.slice(0, at), revision: revision === "" ? undefined : revision };
}

function nextSlash(text: string, from: number): number {
  const slash = text.indexOf("/", from);
  return slash === -1 ? text.length : slash;
}
