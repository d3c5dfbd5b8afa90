import { quoteValue, type Problem, type ProblemLevel } from "@autowatch/watchfile";
import { DEFAULT_SECTION, rawValue, readConfig, type ConfigDocument, type RawOption, type RawSection } from "./dialect.js";
import { interpolateOption, type InterpolatedOption } from "./interpolate.js";
import { parseBoolean, parseBuildout, parseWatchLines, setOwn, type ValueProblem } from "./options.js";
import { pyStrip } from "./pytext.js";
import type { BuildFactory, BuildoutSpec, ManifestInput, ManifestResult } from "./types.js";

interface Definition {
  document: ConfigDocument;
  section: RawSection;
}

interface MergedOption {
  option: RawOption;
  file: string;
  /** The section that supplied it; undefined for `[DEFAULT]`. */
  section?: RawSection;
}

/** The options this package interprets: a failure in them changes the result. */
const INTERPRETED = new Set(["buildout", "watch", "auto-watch"]);

/** Keys that would tamper with a JavaScript object if they became a builder's key in the state. */
const RESERVED_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Turns MANIFEST.cfg texts into build factories. Pure; never throws: everything wrong
 * in the input is a problem with file and line. Factories come in file order (files in
 * the order given, sections as written); a section defined again later is ignored.
 */
export function parseManifests(inputs: ManifestInput[]): ManifestResult {
  const problems: Problem[] = [];
  const definitions = new Map<string, Definition>();
  const fileRank = new Map<string, number>();
  for (const input of inputs) {
    if (!fileRank.has(input.file)) fileRank.set(input.file, fileRank.size);
    if (typeof input.text !== "string") {
      problems.push({ level: "error", message: "manifest has no text", file: input.file });
      continue;
    }
    const document = readConfig(input.file, input.text);
    for (const error of document.errors) problems.push(locate("error", error.message, input.file, error.line, error.section));
    const defaultInherit = document.defaults.options.get("inherit");
    if (defaultInherit) {
      problems.push(locate("warning", "inherit in [DEFAULT] is ignored: only a section's own inherit option links it to a parent", input.file, defaultInherit.line));
    }
    for (const section of document.sections) {
      if (RESERVED_NAMES.has(section.name)) {
        problems.push(locate("error", `section ${quoteValue(section.name)}: this name cannot be a builder (it is reserved in the JSON state); section ignored`, input.file, section.line));
        continue;
      }
      const first = definitions.get(section.name);
      if (first) {
        const where = `${first.document.file}:${first.section.line}`;
        problems.push(locate("error", `section ${quoteValue(section.name)} is already defined at ${quoteValue(where)}; this definition is ignored`, input.file, section.line, section.name));
        continue;
      }
      definitions.set(section.name, { document, section });
    }
  }
  const defaults = new DefaultsCache();
  const factories = [...definitions.values()].map((definition) => resolveFactory(definition, definitions, defaults, problems));
  const rank = (problem: Problem) => fileRank.get(problem.file ?? "") ?? -1;
  problems.sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));
  return { factories, problems };
}

function locate(level: ProblemLevel, message: string, file: string, line: number, builder?: string): Problem {
  return builder === undefined ? { level, message, file, line } : { level, message, builder, file, line };
}

/** The section itself, then its `inherit` parents, nearest first (stops at an unknown parent or a cycle). */
function inheritChain(definition: Definition, definitions: Map<string, Definition>, report: (level: ProblemLevel, message: string, line: number) => void): Definition[] {
  const chain = [definition];
  // Most chains are short: a list search then costs less than a Set per section.
  let visited: Set<Definition> | undefined;
  const seen = (parent: Definition) => (chain.length < 8 ? chain.includes(parent) : (visited ??= new Set(chain)).has(parent));
  for (let current = definition; ; ) {
    const link = current.section.options.get("inherit");
    if (!link) return chain;
    // Problems of a link are reported once, for the section that writes it.
    const own = current === definition;
    const parentName = pyStrip(rawValue(link));
    if (parentName === "") {
      if (own) report("warning", "inherit is empty: nothing is inherited", link.line);
      return chain;
    }
    const parent = definitions.get(parentName);
    if (!parent) {
      if (own) report("error", `inherits from unknown section ${quoteValue(parentName)}`, link.line);
      return chain;
    }
    if (seen(parent)) {
      if (parent === definition) {
        const cycle = [...chain, parent].map((d) => quoteValue(d.section.name)).join(" -> ");
        report("error", `inherit cycle ${cycle}: each section of the cycle is used once`, definition.section.options.get("inherit")?.line ?? link.line);
      }
      return chain;
    }
    chain.push(parent);
    visited?.add(parent);
    current = parent;
  }
}

/** The `[DEFAULT]` options of each document as merged entries, built once and shared by every section. */
class DefaultsCache {
  private readonly byDocument = new Map<ConfigDocument, [string, MergedOption][]>();

  of(document: ConfigDocument): [string, MergedOption][] {
    let entries = this.byDocument.get(document);
    if (entries === undefined) {
      entries = [];
      for (const [name, option] of document.defaults.options) if (name !== "inherit") entries.push([name, { option, file: document.file }]);
      this.byDocument.set(document, entries);
    }
    return entries;
  }
}

function mergeOptions(chain: Definition[], defaults: DefaultsCache): Map<string, MergedOption> {
  const merged = new Map<string, MergedOption>();
  for (const { section, document } of chain) {
    for (const [name, option] of section.options) if (!merged.has(name)) merged.set(name, { option, file: document.file, section });
  }
  // DEFAULT comes after the whole chain: a parent's explicit value beats a default.
  const documents = chain.length === 1 ? [chain[0]!.document] : new Set(chain.map((d) => d.document));
  for (const document of documents) {
    for (const [name, entry] of defaults.of(document)) if (!merged.has(name)) merged.set(name, entry);
  }
  return merged;
}

/** Where a merged option came from, for messages. */
function origin({ section, file }: MergedOption): string {
  return section ? quoteValue(section.name) : `[${DEFAULT_SECTION}] of ${quoteValue(file)}`;
}

function resolveFactory(definition: Definition, definitions: Map<string, Definition>, defaults: DefaultsCache, problems: Problem[]): BuildFactory {
  const { section, document } = definition;
  const name = section.name;
  const report = (level: ProblemLevel, message: string, line: number, file = document.file) => {
    problems.push(locate(level, `section ${quoteValue(name)}: ${message}`, file, line, name));
  };
  const chain = inheritChain(definition, definitions, report);
  const merged = mergeOptions(chain, defaults);
  // Only referenced options are needed raw, and only when a value holds a %(...)s reference.
  const lookup = (key: string) => {
    const entry = merged.get(key);
    return entry && rawValue(entry.option);
  };

  const options: Record<string, string> = {};
  const optionOrigins: Record<string, { file: string; line: number }> = {};
  const interpolated = new Map<string, InterpolatedOption>();
  for (const [key, entry] of merged) {
    const { option, file, section: owner } = entry;
    const raw = rawValue(option);
    const interpreted = INTERPRETED.has(key);
    // Only the options read below need their lines; a value without "%" is its own interpolation.
    const result = raw.includes("%") || interpreted ? interpolateOption(raw, option.lines, option.line, lookup) : undefined;
    setOwn(options, key, result ? result.value : raw);
    setOwn(optionOrigins, key, { file, line: option.line });
    if (result?.error) {
      const source = owner === section ? "" : ` (from ${origin(entry)})`;
      // Python fails only when an option is read; one nobody here reads, written elsewhere, is a warning.
      const level = interpreted || owner === section ? "error" : "warning";
      report(level, `option ${quoteValue(key)}${source}: ${result.error.message}; the value is kept as written`, result.error.line, file);
    }
    if (result && interpreted) interpolated.set(key, result);
  }
  const valueProblems = (key: string, found: ValueProblem[]) => {
    const file = merged.get(key)?.file ?? document.file;
    for (const problem of found) report(problem.level ?? "error", problem.message, problem.line, file);
  };
  const lineOf = (key: string) => merged.get(key)?.option.line ?? section.line;

  let buildout: BuildoutSpec | undefined;
  // A value that failed to interpolate (already reported) counts as absent; watch keeps its good lines.
  const usable = (key: string) => {
    const result = interpolated.get(key);
    return result && !result.error ? result.value : undefined;
  };
  const buildoutValue = usable("buildout");
  if (buildoutValue !== undefined) {
    const parsed = parseBuildout(buildoutValue, lineOf("buildout"));
    buildout = parsed.spec;
    valueProblems("buildout", parsed.problems);
  }

  let schedule = true;
  let watches: BuildFactory["watches"] = [];
  const watch = interpolated.get("watch");
  if (watch && !watch.error && pyStrip(watch.value) === "") {
    schedule = false;
  } else if (watch) {
    const parsed = parseWatchLines(watch.lines, merged.get("watch")?.file ?? document.file);
    watches = parsed.watches;
    valueProblems("watch", parsed.problems);
  }

  const defaultAutoWatch = !(buildout?.frozen ?? false);
  let explicit: boolean | undefined;
  const autoWatchValue = usable("auto-watch");
  if (autoWatchValue !== undefined) {
    explicit = parseBoolean(autoWatchValue);
    if (explicit === undefined) {
      const message = `auto-watch must be true, false, yes, no, on, off, 1 or 0, not ${quoteValue(autoWatchValue)}; the default (${defaultAutoWatch}) applies`;
      valueProblems("auto-watch", [{ line: lineOf("auto-watch"), message }]);
    }
  }
  if (!schedule && explicit === true && merged.get("auto-watch")?.section) {
    valueProblems("auto-watch", [{ line: lineOf("auto-watch"), level: "warning", message: "auto-watch = true has no effect: watch is empty, so commits never schedule this builder" }]);
  }

  const factory: BuildFactory = {
    name,
    file: document.file,
    line: section.line,
    options,
    optionOrigins,
    watches,
    schedule,
    autoWatch: explicit ?? defaultAutoWatch,
    autoWatchExplicit: explicit !== undefined,
    inherits: chain.slice(1).map((d) => d.section.name),
  };
  if (buildout) factory.buildout = buildout;
  return factory;
}
