import { quoteValue, type Problem, type ProblemLevel } from "@autowatch/watchfile";
import { DEFAULT_SECTION, rawValue, readConfig, type ConfigDocument, type RawOption, type RawSection } from "./dialect.js";
import { interpolateLines, interpolateOption, type InterpolatedOption, type InterpolationMemo } from "./interpolate.js";
import { parseBoolean, parseBuildout, parseSeconds, parseWatchLines, setOwn, type ValueProblem } from "./options.js";
import { pyStrip } from "./pytext.js";
import type { BuildFactory, BuildoutSpec, ManifestInput, ManifestResult } from "./types.js";

interface Definition {
  document: ConfigDocument;
  section: RawSection;
}

/** Where an option of a section's merged set was written. */
interface OptionSource {
  file: string;
  /** The section that supplied it; undefined for `[DEFAULT]`. */
  section?: RawSection;
}

/** The options this package interprets: a failure in them changes the result. */
type Interpreted = "buildout" | "watch" | "auto-watch" | "tree-stable-timer";
const INTERPRETED: ReadonlySet<string> = new Set<Interpreted>(["buildout", "watch", "auto-watch", "tree-stable-timer"]);

/**
 * Turns MANIFEST.cfg texts into build factories. Pure; never throws: everything wrong
 * in the input is a problem with file and line. Factories come in file order (files in
 * the order given, sections as written); a section defined again later is ignored.
 */
export function parseManifests(inputs: ManifestInput[], options: { only?: string } = {}): ManifestResult {
  const problems: Problem[] = [];
  const readErrors: Problem[] = [];
  const definitions = new Map<string, Definition>();
  const fileRank = new Map<string, number>();
  for (const input of inputs) {
    if (!fileRank.has(input.file)) fileRank.set(input.file, fileRank.size);
    if (typeof input.text !== "string") {
      problems.push({ level: "error", message: "manifest has no text", file: input.file });
      continue;
    }
    const document = readConfig(input.file, input.text);
    for (const error of document.errors) {
      const problem = locate("error", error.message, input.file, error.line, error.section);
      problems.push(problem);
      readErrors.push(problem);
    }
    if (document.sections.length === 0 && document.errors.length === 0) {
      // Python reads it without complaint, but merged it would unschedule every builder it
      // used to define: an empty or cut file (a failed `> MANIFEST.cfg`, a half deploy)
      problems.push({ level: "error", message: "manifest defines no builder (no [section] besides [DEFAULT]): an empty or cut file?", file: input.file });
    }
    const defaultInherit = document.defaults.options.get("inherit");
    if (defaultInherit) {
      problems.push(
        locate("warning", "inherit in [DEFAULT] is ignored: only a section's own inherit option links it to a parent", input.file, defaultInherit.line),
      );
    }
    for (const section of document.sections) {
      const first = definitions.get(section.name);
      if (first) {
        const where = `${first.document.file}:${first.section.line}`;
        problems.push(
          locate(
            "error",
            `section ${quoteValue(section.name)} is already defined at ${quoteValue(where)}; this definition is ignored`,
            input.file,
            section.line,
            section.name,
          ),
        );
        continue;
      }
      definitions.set(section.name, { document, section });
    }
  }
  const defaults = new DefaultsCache();
  const factories: BuildFactory[] = [];
  // one builder (explain): every file is still read (dialect errors, sections defined twice),
  // but only that section and the ones it inherits from are resolved
  const wanted = options.only === undefined ? definitions.values() : [definitions.get(options.only)].filter((d) => d !== undefined);
  const cycles = inheritCycles(definitions);
  for (const definition of wanted) factories.push(resolveFactory(definition, definitions, defaults, problems, cycles, readErrors));
  const rank = (problem: Problem) => fileRank.get(problem.file ?? "") ?? -1;
  const order = (a: Problem, b: Problem) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0);
  problems.sort(order);
  return readErrors.length === 0 ? { factories, problems } : { factories, problems, readErrors: readErrors.sort(order) };
}

function locate(level: ProblemLevel, message: string, file: string, line: number, builder?: string): Problem {
  return builder === undefined ? { level, message, file, line } : { level, message, builder, file, line };
}

/**
 * How many sections one section's options may come from (itself and its inherit parents): a
 * longer chain is cut there, with an error. Each section of a chain of thousands would
 * otherwise read (and list in `inherits`) thousands of parents: quadratic work and output.
 */
export const MAX_INHERIT_CHAIN = 64;

/** A section's inherit parent, when it names a known one. */
function parentOf(definition: Definition, definitions: Map<string, Definition>): Definition | undefined {
  const link = definition.section.options.get("inherit");
  return link && definitions.get(pyStrip(rawValue(link)));
}

/**
 * The sections on an inherit cycle, with the cycle's length: each section has at most one
 * parent, so one walk from each section not yet seen finds every cycle, in linear time.
 */
function inheritCycles(definitions: Map<string, Definition>): Map<Definition, number> {
  const cycles = new Map<Definition, number>();
  const walked = new Map<Definition, number>();
  let walk = 0;
  for (const start of definitions.values()) {
    if (walked.has(start)) continue;
    walk++;
    const path: Definition[] = [];
    let current: Definition | undefined = start;
    while (current && !walked.has(current)) {
      walked.set(current, walk);
      path.push(current);
      current = parentOf(current, definitions);
    }
    // back at a section of this walk: the path from it on is a cycle
    if (current && walked.get(current) === walk) {
      const members = path.slice(path.indexOf(current));
      for (const member of members) cycles.set(member, members.length);
    }
  }
  return cycles;
}

/** Section names of a chain for a message: the first few and a count of the others. */
function chainText(chain: readonly Definition[]): string {
  const names = chain.map((d) => quoteValue(d.section.name));
  return names.length <= 8 ? names.join(" -> ") : `${names.slice(0, 8).join(" -> ")} -> ... (${names.length - 8} more)`;
}

/** The section itself, then its `inherit` parents, nearest first (stops at an unknown parent, a cycle or MAX_INHERIT_CHAIN). */
function inheritChain(
  definition: Definition,
  definitions: Map<string, Definition>,
  report: (level: ProblemLevel, message: string, line: number) => void,
  cut: (message: string, line: number) => void,
  cycles: ReadonlyMap<Definition, number>,
): Definition[] {
  const chain = [definition];
  // Most chains are short: a list search then costs less than a Set per section.
  let visited: Set<Definition> | undefined;
  for (let current = definition; ;) {
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
    if (chain.length < 8 ? chain.includes(parent) : (visited ??= new Set(chain)).has(parent)) {
      if (parent === definition) {
        report(
          "error",
          `inherit cycle ${chainText([...chain, parent])}: each section of the cycle is used once`,
          definition.section.options.get("inherit")?.line ?? link.line,
        );
      }
      return chain;
    }
    if (chain.length >= MAX_INHERIT_CHAIN) {
      const first = definition.section.options.get("inherit")!;
      const cycle = cycles.get(definition);
      const what = cycle === undefined ? `inherit chain longer than ${MAX_INHERIT_CHAIN} sections` : `inherit cycle of ${cycle} sections`;
      cut(`${what} (${chainText(chain)} -> ...): options are inherited from the first ${MAX_INHERIT_CHAIN} only`, first.line);
      return chain;
    }
    chain.push(parent);
    visited?.add(parent);
    current = parent;
  }
}

type Origin = BuildFactory["optionOrigins"][string];

/** A `[DEFAULT]` option with its origin, made once per file and shared by every section that takes the option. */
interface DefaultOption {
  option: RawOption;
  origin: Origin;
}

class DefaultsCache {
  private readonly byDocument = new Map<ConfigDocument, DefaultOption[]>();

  of(document: ConfigDocument): DefaultOption[] {
    let entries = this.byDocument.get(document);
    if (entries === undefined) {
      entries = [];
      for (const option of document.defaults.options.values())
        if (option.name !== "inherit") entries.push({ option, origin: { file: document.file, line: option.line } });
      this.byDocument.set(document, entries);
    }
    return entries;
  }
}

/**
 * The options a section sees, the first found winning: its own, its inherit parents', then the
 * `[DEFAULT]` of each file of the chain (DEFAULT comes last: a parent's explicit value beats a default).
 * Read through the sections' own maps: most sections have no inherit, and a merged copy would cost more than it saves.
 */
class MergedOptions {
  /** The documents of the chain, each once, in chain order. */
  readonly documents: ConfigDocument[];

  constructor(
    private readonly chain: Definition[],
    private readonly defaults: DefaultsCache,
  ) {
    this.documents = chain.length === 1 ? [chain[0]!.document] : [...new Set(chain.map((d) => d.document))];
  }

  get(name: string): RawOption | undefined {
    for (const { section } of this.chain) {
      const option = section.options.get(name);
      if (option) return option;
    }
    if (name === "inherit") return undefined;
    for (const document of this.documents) {
      const option = document.defaults.options.get(name);
      if (option) return option;
    }
    return undefined;
  }

  /** Visits each option that wins, in the order its name first appears (the section's own first); a default comes with its shared origin. */
  forEach(visit: (option: RawOption, defaultOrigin?: Origin) => void): void {
    const { chain } = this;
    if (chain.length === 1) {
      for (const option of chain[0]!.section.options.values()) visit(option);
      for (const document of this.documents) {
        for (const { option, origin } of this.defaults.of(document)) if (this.get(option.name) === option) visit(option, origin);
      }
      return;
    }
    // the first of a name in chain order wins (what get() finds): one pass, names remembered
    const seen = new Set<string>();
    for (const { section } of chain) {
      for (const option of section.options.values()) {
        if (seen.has(option.name)) continue;
        seen.add(option.name);
        visit(option);
      }
    }
    for (const document of this.documents) {
      for (const { option, origin } of this.defaults.of(document)) {
        if (seen.has(option.name)) continue;
        seen.add(option.name);
        visit(option, origin);
      }
    }
  }

  /** Where an option was written: looked up only when a message or a chain across files needs it. */
  sourceOf(option: RawOption): OptionSource {
    for (const { section, document } of this.chain) if (section.options.get(option.name) === option) return { file: document.file, section };
    const document = this.documents.find((d) => d.defaults.options.get(option.name) === option) ?? this.documents[0]!;
    return { file: document.file };
  }

  fileOf(option: RawOption): string {
    return this.documents.length === 1 ? this.documents[0]!.file : this.sourceOf(option).file;
  }
}

/** Where a merged option came from, for messages. */
function origin({ section, file }: OptionSource): string {
  return section ? quoteValue(section.name) : `[${DEFAULT_SECTION}] of ${quoteValue(file)}`;
}

function resolveFactory(
  definition: Definition,
  definitions: Map<string, Definition>,
  defaults: DefaultsCache,
  problems: Problem[],
  cycles: ReadonlyMap<Definition, number>,
  readErrors: Problem[],
): BuildFactory {
  const { section, document } = definition;
  const name = section.name;
  const report = (level: ProblemLevel, message: string, line: number, file = document.file) => {
    problems.push(locate(level, `section ${quoteValue(name)}: ${message}`, file, line, name));
  };
  // a chain cut at the limit changes what the builder inherits (its watch lines, say): the
  // manifest is then not read whole, like one Python would refuse
  const cut = (message: string, line: number) => {
    report("error", message, line);
    readErrors.push(problems[problems.length - 1]!);
  };
  const chain = inheritChain(definition, definitions, report, cut, cycles);
  const merged = new MergedOptions(chain, defaults);
  // Only referenced options are needed raw, and only when a value holds a %(...)s reference.
  const lookup = (key: string) => {
    const option = merged.get(key);
    return option && rawValue(option);
  };
  // every option of the section sees the same options: an expansion made once serves them all
  const memo: InterpolationMemo = new Map();

  const options: Record<string, string> = {};
  const optionOrigins: Record<string, { file: string; line: number }> = {};
  const interpolated: Partial<Record<Interpreted, InterpolatedOption>> = {};
  merged.forEach((option, defaultOrigin) => {
    const key = option.name;
    const raw = rawValue(option);
    const interpreted = INTERPRETED.has(key);
    // A value without "%" is its own interpolation.
    const result = raw.includes("%") ? interpolateOption(raw, option.lines, option.line, lookup, memo) : undefined;
    const file = defaultOrigin?.file ?? merged.fileOf(option);
    setOwn(options, key, result ? result.value : raw);
    setOwn(optionOrigins, key, defaultOrigin ?? { file, line: option.line });
    if (result?.error) {
      const source = merged.sourceOf(option);
      const own = source.section === section;
      // Python fails only when an option is read; one nobody here reads, written elsewhere, is a warning.
      const level = interpreted || own ? "error" : "warning";
      report(
        level,
        `option ${quoteValue(key)}${own ? "" : ` (from ${origin(source)})`}: ${result.error.message}; the value is kept as written`,
        result.error.line,
        file,
      );
    }
    if (interpreted) interpolated[key as Interpreted] = result ?? { value: raw };
  });
  const valueProblems = (option: RawOption, found: readonly ValueProblem[]) => {
    const file = merged.fileOf(option);
    for (const problem of found) report(problem.level ?? "error", problem.message, problem.line, file);
  };

  let buildout: BuildoutSpec | undefined;
  // A value that failed to interpolate (already reported) counts as absent; watch keeps its good lines.
  const buildoutOption = merged.get("buildout");
  if (buildoutOption && interpolated.buildout && !interpolated.buildout.error) {
    const parsed = parseBuildout(interpolated.buildout.value, buildoutOption.line);
    buildout = parsed.spec;
    valueProblems(buildoutOption, parsed.problems);
  }

  let schedule = true;
  let watches: BuildFactory["watches"] = [];
  const watch = interpolated.watch;
  const watchOption = merged.get("watch");
  if (watch && !watch.error && pyStrip(watch.value) === "") {
    schedule = false;
  } else if (watch && watchOption) {
    // Each line interpolated on its own (when needed), to keep its line number; blank lines hold no watch.
    const lines = rawValue(watchOption).includes("%") ? interpolateLines(watchOption.lines, lookup, memo) : watchOption.lines;
    const parsed = parseWatchLines(lines, merged.fileOf(watchOption));
    watches = parsed.watches;
    valueProblems(watchOption, parsed.problems);
  }

  const defaultAutoWatch = !(buildout?.frozen ?? false);
  let explicit: boolean | undefined;
  const autoWatchOption = merged.get("auto-watch");
  const autoWatch = interpolated["auto-watch"];
  if (autoWatchOption && autoWatch && !autoWatch.error) {
    explicit = parseBoolean(autoWatch.value);
    if (explicit === undefined) {
      const message = `auto-watch must be true, false, yes, no, on, off, 1 or 0, not ${quoteValue(autoWatch.value)}; the default (${defaultAutoWatch}) applies`;
      valueProblems(autoWatchOption, [{ line: autoWatchOption.line, message }]);
    }
    if (!schedule && explicit === true && merged.sourceOf(autoWatchOption).section) {
      valueProblems(autoWatchOption, [
        { line: autoWatchOption.line, level: "warning", message: "auto-watch = true has no effect: watch is empty, so commits never schedule this builder" },
      ]);
    }
  }

  let treeStableTimer: number | undefined;
  const timerOption = merged.get("tree-stable-timer");
  const timer = interpolated["tree-stable-timer"];
  if (timerOption && timer && !timer.error) {
    treeStableTimer = parseSeconds(timer.value);
    if (treeStableTimer === undefined) {
      valueProblems(timerOption, [
        {
          line: timerOption.line,
          message: `tree-stable-timer must be a whole number of seconds, not ${quoteValue(timer.value)}; the helper's default applies`,
        },
      ]);
    }
  }

  const inherits: string[] = [];
  for (let index = 1; index < chain.length; index++) inherits.push(chain[index]!.section.name);
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
    inherits,
  };
  if (buildout) factory.buildout = buildout;
  if (treeStableTimer !== undefined) factory.treeStableTimer = treeStableTimer;
  return factory;
}
