import { type Problem, type ProblemCode, type ProblemLevel } from "@autowatch/watchfile";
import { makeProblem, quoteValue, pyStrip } from "@autowatch/watchfile/text";
import { rawValue, readConfig, type DialectErrorKind, type RawOption, type RawSection } from "./dialect.js";
import { inheritChain, inheritCycles, type Definition } from "./inherit.js";
import { interpolateLines, interpolateOption, type InterpolatedOption, type InterpolationErrorKind, type InterpolationMemo } from "./interpolate.js";
import { DefaultsCache, MergedOptions, origin } from "./merged.js";
import { parseBoolean, parseBuildout, parseSeconds, parseWatchLines, setOwn, type ValueProblem } from "./options.js";
import type { BuildFactory, BuildoutSpec, ManifestInput, ManifestResult } from "./types.js";

/** The options this package interprets: a failure in them changes the result. */
type Interpreted = "buildout" | "watch" | "auto-watch" | "tree-stable-timer";
const INTERPRETED: ReadonlySet<string> = new Set<Interpreted>(["buildout", "watch", "auto-watch", "tree-stable-timer"]);

/** What Python's ConfigParser would raise, as a problem code. */
const DIALECT_CODES: Record<DialectErrorKind, ProblemCode> = {
  "missing-section-header": "manifest.syntax.no-section",
  parsing: "manifest.syntax.invalid",
  "duplicate-section": "manifest.section.duplicate",
  "duplicate-option": "manifest.option.duplicate",
};

const INTERPOLATION_CODES: Record<InterpolationErrorKind, ProblemCode> = {
  syntax: "manifest.interpolation.syntax",
  missing: "manifest.interpolation.missing",
  depth: "manifest.interpolation.depth",
  size: "manifest.interpolation.size",
};

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
      problems.push(makeProblem("error", "manifest.read.failed", "manifest has no text", { file: input.file }));
      continue;
    }
    const document = readConfig(input.file, input.text);
    for (const error of document.errors) {
      const problem = locate("error", DIALECT_CODES[error.kind], error.message, input.file, error.line, error.section);
      problems.push(problem);
      readErrors.push(problem);
    }
    if (document.sections.length === 0 && document.errors.length === 0) {
      // Python reads it without complaint, but merged it would unschedule every builder it
      // used to define: an empty or cut file (a failed `> MANIFEST.cfg`, a half deploy)
      problems.push(
        makeProblem("error", "manifest.empty", "manifest defines no builder (no [section] besides [DEFAULT]): an empty or cut file?", { file: input.file }),
      );
    }
    const defaultInherit = document.defaults.options.get("inherit");
    if (defaultInherit) {
      problems.push(
        locate(
          "warning",
          "manifest.inherit.default",
          "inherit in [DEFAULT] is ignored: only a section's own inherit option links it to a parent",
          input.file,
          defaultInherit.line,
        ),
      );
    }
    for (const section of document.sections) {
      const first = definitions.get(section.name);
      if (first) {
        const where = `${first.document.file}:${first.section.line}`;
        problems.push(
          locate(
            "error",
            "manifest.section.duplicate",
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

function locate(level: ProblemLevel, code: ProblemCode, message: string, file: string, line: number, builder?: string): Problem {
  return makeProblem(level, code, message, { builder, file, line });
}

/** What the readers of one section's options share: its merged options, how to expand and report. */
interface FactoryContext {
  section: RawSection;
  merged: MergedOptions;
  report: (level: ProblemLevel, code: ProblemCode, message: string, line: number, file?: string) => void;
  /** Raw values of referenced options (only read when a value holds a %(...)s reference). */
  lookup: (key: string) => string | undefined;
  /** Every option of the section sees the same options: an expansion made once serves them all. */
  memo: InterpolationMemo;
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
  const report = (level: ProblemLevel, code: ProblemCode, message: string, line: number, file = document.file) => {
    problems.push(locate(level, code, `section ${quoteValue(name)}: ${message}`, file, line, name));
  };
  // a chain cut at the limit changes what the builder inherits (its watch lines, say): the
  // manifest is then not read whole, like one Python would refuse
  const cut = (message: string, line: number) => {
    report("error", "manifest.inherit.limit", message, line);
    readErrors.push(problems[problems.length - 1]!);
  };
  const chain = inheritChain(definition, definitions, report, cut, cycles);
  const merged = new MergedOptions(chain, defaults);
  const lookup = (key: string) => {
    const option = merged.get(key);
    return option && rawValue(option);
  };
  const context: FactoryContext = { section, merged, report, lookup, memo: new Map() };

  const { options, optionOrigins, interpolated } = interpolateOptions(context);
  const buildout = readBuildout(context, interpolated.buildout);
  const { schedule, watches } = readWatch(context, interpolated.watch);
  const defaultAutoWatch = !(buildout?.frozen ?? false);
  const explicit = readAutoWatch(context, interpolated["auto-watch"], schedule, defaultAutoWatch);
  const treeStableTimer = readTreeStableTimer(context, interpolated["tree-stable-timer"]);

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

/** Every option the section sees, interpolated, with where it was written; failures reported. */
function interpolateOptions({ section, merged, report, lookup, memo }: FactoryContext) {
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
        INTERPOLATION_CODES[result.error.kind],
        `option ${quoteValue(key)}${own ? "" : ` (from ${origin(source)})`}: ${result.error.message}; the value is kept as written`,
        result.error.line,
        file,
      );
    }
    if (interpreted) interpolated[key as Interpreted] = result ?? { value: raw };
  });
  return { options, optionOrigins, interpolated };
}

/** Problems found in an option's value, reported in the file that wrote it. */
function reportValueProblems({ merged, report }: FactoryContext, option: RawOption, found: readonly ValueProblem[]): void {
  const file = merged.fileOf(option);
  for (const problem of found) report(problem.level ?? "error", problem.code, problem.message, problem.line, file);
}

// A value that failed to interpolate (already reported) counts as absent; watch keeps its good lines.

function readBuildout(context: FactoryContext, value: InterpolatedOption | undefined): BuildoutSpec | undefined {
  const option = context.merged.get("buildout");
  if (!option || !value || value.error) return undefined;
  const parsed = parseBuildout(value.value, option.line);
  reportValueProblems(context, option, parsed.problems);
  return parsed.spec;
}

function readWatch(context: FactoryContext, watch: InterpolatedOption | undefined): { schedule: boolean; watches: BuildFactory["watches"] } {
  const { merged, lookup, memo } = context;
  const option = merged.get("watch");
  if (watch && !watch.error && pyStrip(watch.value) === "") return { schedule: false, watches: [] };
  if (!watch || !option) return { schedule: true, watches: [] };
  // Each line interpolated on its own (when needed), to keep its line number; blank lines hold no watch.
  const lines = rawValue(option).includes("%") ? interpolateLines(option.lines, lookup, memo) : option.lines;
  const parsed = parseWatchLines(lines, merged.fileOf(option));
  reportValueProblems(context, option, parsed.problems);
  return { schedule: true, watches: parsed.watches };
}

/** auto-watch as written (undefined when absent or not a boolean). */
function readAutoWatch(context: FactoryContext, autoWatch: InterpolatedOption | undefined, schedule: boolean, defaultAutoWatch: boolean): boolean | undefined {
  const option = context.merged.get("auto-watch");
  if (!option || !autoWatch || autoWatch.error) return undefined;
  const explicit = parseBoolean(autoWatch.value);
  if (explicit === undefined) {
    const message = `auto-watch must be true, false, yes, no, on, off, 1 or 0, not ${quoteValue(autoWatch.value)}; the default (${defaultAutoWatch}) applies`;
    reportValueProblems(context, option, [{ line: option.line, code: "manifest.auto-watch.invalid", message }]);
  }
  if (!schedule && explicit === true && context.merged.sourceOf(option).section) {
    reportValueProblems(context, option, [
      {
        line: option.line,
        level: "warning",
        code: "manifest.auto-watch.ineffective",
        message: "auto-watch = true has no effect: watch is empty, so commits never schedule this builder",
      },
    ]);
  }
  return explicit;
}

function readTreeStableTimer(context: FactoryContext, timer: InterpolatedOption | undefined): number | undefined {
  const option = context.merged.get("tree-stable-timer");
  if (!option || !timer || timer.error) return undefined;
  const seconds = parseSeconds(timer.value);
  if (seconds === undefined) {
    reportValueProblems(context, option, [
      {
        line: option.line,
        code: "manifest.tree-stable-timer.invalid",
        message: `tree-stable-timer must be a whole number of seconds, not ${quoteValue(timer.value)}; the helper's default applies`,
      },
    ]);
  }
  return seconds;
}
