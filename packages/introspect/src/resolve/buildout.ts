/**
 * The pure core: `Buildout.__init__` of zc.buildout 2.x (defaults, user defaults, the
 * configuration and its extends, command-line options, versions, directories), then
 * every part the way `install` reads it, then every other section. No I/O but the
 * ResolveFileSystem callback; failures come back as data.
 */
import type { Problem } from "@autowatch/watchfile";
import { comparePyStrings, quoteValue, escapeControlCharacters, makeProblem, PY_INT_SPACE } from "@autowatch/watchfile/text";
import type { ResolvedOption, ResolvedSections, ResolveResult } from "../types.js";
import { absolutizeCaches, addVersions, loadSections, NOT_A_FILE, type ResolveCoreOptions, STANDARD_DIRECTORIES } from "./inputs.js";
import { boolOption, splitWords } from "./load.js";
import { BuildoutError, OPTION_WORK, cut, COMPUTED_VALUE, type Section } from "./model.js";
import { type TrackedValue, unknownLines } from "./lines.js";
import { MAX_TOTAL_WORK, Options, TOO_DEEP, type SectionSource, type Seen } from "./options.js";
import { isUrl, normpath, pathJoin } from "./posixpath.js";

class Resolver implements SectionSource {
  raw: Map<string, Section> = new Map();
  readonly data = new Map<string, Options>();
  readonly problems: Problem[] = [];
  /** Each recipe-computed reference met, with the order it was first met in. */
  readonly recipeReferences = new Map<string, number>();
  readonly macros = new Map<string, Section>();
  private readonly noted = new Set<string>();
  private work = 0;

  charge(units: number, where: [string?, number?]): void {
    this.work += units;
    if (this.work > MAX_TOTAL_WORK) {
      throw new BuildoutError(
        "buildout.limit",
        `the configuration takes too much work to resolve (more than ${MAX_TOTAL_WORK} characters substituted, an option copied by a macro counting ${OPTION_WORK})`,
        ...where,
      );
    }
  }

  section(name: string): Options {
    const known = this.data.get(name);
    if (known) return known;
    const raw = this.raw.get(name);
    if (!raw) throw new BuildoutError("buildout.section.missing", `the referenced section ${quoteValue(name)} was not defined`);
    const options = new Options(this, name, raw);
    this.data.set(name, options);
    options.initialize();
    return options;
  }

  peek(name: string): Options | undefined {
    return this.data.get(name);
  }

  recipeComputed(reference: string, from: { section: string; option: string }): void {
    if (!this.recipeReferences.has(reference)) this.recipeReferences.set(reference, this.recipeReferences.size);
    const id = `${from.section}\0${from.option}\0${reference}`;
    if (this.noted.has(id)) return;
    this.noted.add(id);
    const key = (this.data.get(from.section)?.raw ?? this.raw.get(from.section))?.get(from.option);
    this.problems.push(
      makeProblem(
        "warning",
        "buildout.computed",
        escapeControlCharacters(`[${from.section}] ${from.option}: ${cut(reference)} is defined by no file (a recipe computes it when installing): left as is`),
        { file: key?.source, line: key?.line },
      ),
    );
  }
}

function bool(options: Options, name: string, fallback?: string): boolean {
  const value = options.get(name, fallback);
  return boolOption(new Map(value === undefined ? [] : [[name, value]]), name);
}

/** `Buildout.__init__`, up to and including the initialisation of [buildout] and the versions section. */
function initialize(resolver: Resolver, options: ResolveCoreOptions): void {
  const data = loadSections(options);
  const buildout = data.get("buildout")!;
  const versionsName = addVersions(data, options.buildoutVersion);
  absolutizeCaches(buildout, options);

  resolver.raw = data;
  const directory = buildout.get("directory");
  if (directory) {
    for (const name of STANDARD_DIRECTORIES) {
      const key = buildout.get(`${name}-directory`)!;
      if (!key.value.includes("${")) key.rewrite(pathJoin(directory.value, key.value));
    }
  }
  const raw = new Map([...buildout].map(([name, key]) => [name, key.value]));
  const offline = located(buildout, "offline", () => boolOption(raw, "offline"));
  if (!offline) located(buildout, "newest", () => boolOption(raw, "newest"));

  const section = resolver.section("buildout");
  const buildoutDirectory = section.item("directory");
  for (const name of STANDARD_DIRECTORIES) {
    const value = section.item(`${name}-directory`);
    section.set(`${name}-directory`, value.includes("${") ? value : pathJoin(buildoutDirectory, value));
  }
  const installed = section.item("installed");
  if (installed) section.set("installed", pathJoin(section.item("directory"), installed));

  const level = section.item("log-level");
  if (!["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].includes(level) && !isPythonInt(level)) {
    throw new BuildoutError("buildout.option.invalid", `invalid logging level ${quoteValue(level)}`, ...origin(buildout, "log-level"));
  }
  const verbosity = section.get("verbosity");
  if (verbosity !== undefined && !isPythonInt(verbosity))
    throw new BuildoutError("buildout.option.invalid", `invalid verbosity ${quoteValue(verbosity)}`, ...origin(buildout, "verbosity"));

  if (versionsName) resolver.section(versionsName);
  section.item("versions");
  for (const name of ["prefer-final", "use-dependency-links", "allow-picked-versions", "show-picked-versions"]) {
    located(buildout, name, () => bool(section, name));
  }
  section.item("update-versions-file");
  if (located(buildout, "abi-tag-eggs", () => bool(section, "abi-tag-eggs", "false"))) {
    const [major, minor] = options.python.pythonVersion.split(".");
    section.set("eggs-directory", pathJoin(section.item("eggs-directory"), `cp${major}${minor}`));
  }
  if (located(buildout, "install-from-cache", () => bool(section, "install-from-cache")) && offline) {
    throw new BuildoutError("buildout.option.invalid", "install-from-cache can't be used with offline mode", ...origin(buildout, "install-from-cache"));
  }
}

/** `int(text)` would take it (ASCII digits only here), with the whitespace `int` skips: not `\s`. */
const PYTHON_INT = new RegExp(`^[${PY_INT_SPACE}]*[+-]?\\d+(_\\d+)*[${PY_INT_SPACE}]*$`);

function isPythonInt(text: string): boolean {
  return PYTHON_INT.test(text);
}

function origin(section: Section, option: string): [string?, number?] {
  const key = section.get(option);
  return key && !NOT_A_FILE.has(key.source) ? [key.source, key.line] : [];
}

/** Runs `check`, giving a BuildoutError without location the location of `option`. */
function located<T>(section: Section, option: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof BuildoutError && error.file === undefined) throw new BuildoutError(error.code, error.message, ...origin(section, option));
    throw error;
  }
}

/** The value with every reference that resolves substituted, the others left as written. */
function lenientValue(options: Options, option: string): TrackedValue {
  const key = options.raw.get(option);
  const value = key?.value ?? options.data.get(option) ?? "";
  const template = { value, lines: key?.lines ?? options.lines(option) ?? unknownLines(value) };
  // a fresh `seen` per reference: a failed lookup leaves its own entries behind
  const fresh = (): Seen => [[options.name, option]];
  try {
    return options.substitute(template, fresh(), (reference) => {
      try {
        return options.reference(reference, fresh());
      } catch {
        return reference;
      }
    });
  } catch {
    // over a limit even so: the value as written
    return template;
  }
}

function problemOf(error: unknown, fallbackFile: string): Problem {
  if (error instanceof BuildoutError) {
    return makeProblem("error", error.code, error.message, { file: error.file ?? fallbackFile, line: error.line });
  }
  if (error instanceof RangeError) return makeProblem("error", "buildout.limit", TOO_DEEP, { file: fallbackFile });
  throw error;
}

function resolvedOption(resolver: Resolver, options: Options, option: string, { value, lines }: TrackedValue): ResolvedOption {
  const key = options.raw.get(option);
  const unresolved = recipeReferencesIn(value, resolver.recipeReferences);
  const known = lines.length === value.split("\n").length && lines.some((line) => line !== undefined);
  return {
    value,
    origin: key ? { file: key.source, ...(key.line !== undefined ? { line: key.line } : {}) } : { file: COMPUTED_VALUE },
    ...(known ? { lines } : {}),
    ...(unresolved.length ? { unresolved } : {}),
  };
}

/**
 * The recipe-computed references left in a value, in the order of the set (looked up per
 * reference found in the value, not per known reference: linear in the value).
 */
function recipeReferencesIn(value: string, known: ReadonlyMap<string, number>): string[] {
  if (known.size === 0 || !value.includes("${")) return [];
  const found = new Set<string>();
  // a reference left as written never holds "$$" (it came from one `$$` piece)
  for (const piece of value.split("$$")) {
    for (let open = piece.indexOf("${"); open >= 0; open = piece.indexOf("${", open + 2)) {
      const close = piece.indexOf("}", open + 2);
      if (close < 0) break;
      const reference = piece.slice(open, close + 1);
      if (known.has(reference)) found.add(reference);
    }
  }
  return [...found].sort((a, b) => known.get(a)! - known.get(b)!);
}

function itemOf(options: Options, option: string): TrackedValue {
  const value = options.item(option);
  return { value, lines: options.lines(option) ?? unknownLines(value) };
}

/** Resolves a configuration as zc.buildout does before installing; never throws for bad input. */
export function resolveSections(options: ResolveCoreOptions): ResolveResult {
  const resolver = new Resolver();
  const configFile = isUrl(options.config) ? options.config : normpath(pathJoin(options.cwd, options.config));
  try {
    initialize(resolver, options);
    const buildout = resolver.section("buildout");
    const partsKey = buildout.raw.get("parts");
    for (const part of splitWords(buildout.item("parts"))) {
      try {
        resolver.section(part).item("recipe");
      } catch (error) {
        if (error instanceof BuildoutError && error.file === undefined && partsKey) {
          throw new BuildoutError(error.code, `part ${quoteValue(part)}: ${error.message}`, partsKey.source, partsKey.line);
        }
        throw error;
      }
    }
  } catch (error) {
    return { ok: false, error: problemOf(error, configFile), problems: resolver.problems };
  }

  // null prototypes: a section or option named __proto__ is a key like any other (zc.buildout accepts it)
  const sections: ResolvedSections = Object.create(null);
  for (const name of [...resolver.raw.keys()].sort(comparePyStrings)) {
    const resolved: ResolvedSections[string] = Object.create(null);
    sections[name] = resolved;
    try {
      const options = resolver.section(name);
      for (const option of options.keys()) resolved[option] = resolvedOption(resolver, options, option, itemOf(options, option));
      continue;
    } catch (error) {
      problemOf(error, configFile);
    }
    // zc.buildout never evaluates a section nothing uses: report, keep what resolves
    for (const key of Object.keys(resolved)) delete resolved[key];
    const options = new Options(resolver, name, resolver.raw.get(name)!);
    try {
      options.raw = options.extendRaw(name, options.raw, []);
    } catch (error) {
      const problem = problemOf(error, configFile);
      const message = escapeControlCharacters(`[${name}] (unused, so zc.buildout would not fail): ${problem.message}`);
      resolver.problems.push(makeProblem("warning", problem.code, message, problem));
      continue;
    }
    for (const option of options.keys()) {
      try {
        resolved[option] = resolvedOption(resolver, options, option, itemOf(options, option));
      } catch (error) {
        const problem = problemOf(error, configFile);
        const message = escapeControlCharacters(`[${name}] ${option} (unused, so zc.buildout would not fail): ${problem.message}`);
        resolver.problems.push(makeProblem("warning", problem.code, message, problem));
        resolved[option] = { ...resolvedOption(resolver, options, option, lenientValue(options, option)), error: problem.message };
      }
    }
  }
  return { ok: true, sections, problems: resolver.problems };
}
