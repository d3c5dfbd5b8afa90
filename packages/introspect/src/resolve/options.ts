// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/**
 * Substitution and macros, as zc.buildout's `Options` class does them: `_initialize`
 * (macros, then every option holding `${` in sorted order), `get` (memoised, circular
 * references detected through `seen`), `_sub` (reference syntax checks, `${:option}`,
 * `_buildout_section_name_`) and `_do_extend_raw` (`<=` macros, chained, with `+=`/`-=`).
 * Recipes are never loaded: an option that only a recipe computes is left as written.
 */
import { comparePyStrings, LIMITS, quoteValue, pyStrip } from "@autowatch/watchfile/text";
import { type LineOrigins, type TrackedValue, ValueTooLong, rewrittenLines, substituteLines, unknownLines } from "./lines.js";
import { BuildoutError, type Key, MAX_TOTAL_WORK, OPTION_WORK, type Section, cloneSection, cut, listed } from "./model.js";
import { updateSection, splitWords } from "./load.js";

const SIMPLE = /^[-a-zA-Z0-9 ._]+\n?$/;
const VALID = /^\$\{[-a-zA-Z0-9 ._]*:[-a-zA-Z0-9 ._]+\}$/;

/**
 * Limits on what a configuration can make the resolver do (zc.buildout has none but Python's
 * stack and memory). A value may not grow past MAX_VALUE_LENGTH characters once substituted
 * (doubling `${:a}` twenty times would); all substituted values and macro copies together
 * may not pass MAX_TOTAL_WORK (characters, an option copied counting OPTION_WORK); substitutions may not nest
 * deeper than MAX_SUBSTITUTION_DEPTH (zc.buildout runs out of stack at about 170 to 330) nor
 * macros deeper than MAX_MACRO_DEPTH (zc.buildout: about 500 to 1,000). Past a limit the
 * resolution stops with an error at the file and line being resolved.
 */
export const MAX_VALUE_LENGTH = LIMITS.buildoutValueLength;
export { MAX_TOTAL_WORK };
export const MAX_SUBSTITUTION_DEPTH = LIMITS.substitutionDepth;
export const MAX_MACRO_DEPTH = LIMITS.macroDepth;

/** The message of every "too deep" failure, an explicit limit or the JavaScript stack. */
export const TOO_DEEP = "substitutions or macros nested too deeply";

/** What Options needs from the buildout: sections by name, and a place to note recipe-computed references. */
export interface SectionSource {
  raw: Map<string, Section>;
  section(name: string): Options;
  /** The section if it was initialised already (no side effect). */
  peek(name: string): Options | undefined;
  recipeComputed(reference: string, from: { section: string; option: string }): void;
  /** Counts work against MAX_TOTAL_WORK; throws (at `where`) past it. */
  charge(units: number, where: [string?, number?]): void;
  /** The results of the sections used as macros, each computed once. */
  readonly macros: Map<string, Section>;
}

export type Seen = [string, string][];

function includes(seen: Seen, section: string, option: string): boolean {
  return seen.some(([s, o]) => s === section && o === option);
}

export class Options {
  readonly cooked = new Map<string, TrackedValue>();
  readonly data = new Map<string, string>();
  /** Per-line origins of the values in `data`. */
  private readonly dataLines = new Map<string, LineOrigins>();

  constructor(
    readonly buildout: SectionSource,
    readonly name: string,
    public raw: Section,
  ) {}

  /** `_initialize`, without loading the recipe. */
  initialize(): void {
    if (this.raw.has("<")) this.raw = this.extendRaw(this.name, this.raw, []);
    for (const [option, key] of [...this.raw].sort(([a], [b]) => comparePyStrings(a, b))) {
      if (key.value.includes("${")) this.dosub(option, key);
    }
    if (this.name === "buildout") return;
    for (const dependency of splitWords(this.get("<part-dependencies>", "") ?? "")) this.buildout.section(dependency);
  }

  /** `_do_extend_raw`: the options of the `<` sections, then this section's own on top. */
  extendRaw(name: string, data: Section, doing: string[]): Section {
    const result = this.extendRawOnce(name, data, doing);
    // the top result becomes a section's own: a copy, the memoised one stays as it is
    return result === data ? data : new Map(result);
  }

  private extendRawOnce(name: string, data: Section, doing: string[]): Section {
    if (name === "buildout") return data;
    if (doing.includes(name)) {
      throw new BuildoutError(
        "buildout.macro",
        `infinite macro loop: [${quoteValue(name)}] extends itself through ${listed(
          doing.map((d) => `[${quoteValue(d)}]`),
          " <= ",
        )}`,
        ...this.where(data, "<"),
      );
    }
    const todo = data.get("<");
    if (todo === undefined) return data;
    // a macro's result depends only on the raw sections: computed once, however often it is used
    const shared = data === this.buildout.raw.get(name);
    const known = shared ? this.buildout.macros.get(name) : undefined;
    if (known) return known;
    if (doing.length >= MAX_MACRO_DEPTH)
      throw new BuildoutError("buildout.limit", `${TOO_DEEP} (macros more than ${MAX_MACRO_DEPTH} deep)`, todo.source, todo.line);
    doing.push(name);
    try {
      const result: Section = new Map();
      for (const line of todo.value.split("\n")) {
        const macro = pyStrip(line);
        if (!macro) continue;
        const raw = this.buildout.raw.get(macro);
        if (!raw)
          throw new BuildoutError("buildout.macro", `no section named ${quoteValue(macro)} (used as a macro by [${quoteValue(name)}])`, todo.source, todo.line);
        const extended = this.extendRawOnce(macro, raw, doing);
        this.buildout.charge(OPTION_WORK * extended.size, [todo.source, todo.line]);
        for (const [option, key] of extended) result.set(option, key.clone());
      }
      updateSection(result, cloneSection(data));
      result.delete("<");
      if (shared) this.buildout.macros.set(name, result);
      return result;
    } catch (error) {
      if (error instanceof RangeError) throw new BuildoutError("buildout.limit", TOO_DEEP, todo.source, todo.line);
      throw error;
    } finally {
      doing.pop();
    }
  }

  private where(section: Section, option: string): [string?, number?] {
    const key = section.get(option);
    return [key?.source, key?.line];
  }

  private dosub(option: string, key: Key): void {
    const seen: Seen = [[this.name, option]];
    this.cooked.set(option, this.substitute(key, seen));
  }

  /** `_sub` of every `$$` piece of a value, line origins kept; `replace` may catch what `_sub` throws. */
  substitute(template: TrackedValue, seen: Seen, replace = (reference: string) => this.reference(reference, seen)): TrackedValue {
    const [section, option] = seen[seen.length - 1] ?? [this.name, ""];
    let result: TrackedValue;
    try {
      result = substituteLines(template, replace, MAX_VALUE_LENGTH);
    } catch (error) {
      if (error instanceof ValueTooLong) {
        throw new BuildoutError(
          "buildout.limit",
          `the value of ${quoteValue(`${section}:${option}`)} grows past ${MAX_VALUE_LENGTH} characters once substituted`,
          ...this.locateIn(section, option),
        );
      }
      // the JavaScript stack ran out first: the innermost frame that can still build an error names its option
      if (error instanceof RangeError) throw new BuildoutError("buildout.limit", TOO_DEEP, ...this.locateIn(section, option));
      throw error;
    }
    this.buildout.charge(result.value.length, this.locateIn(section, option));
    return result;
  }

  get(option: string, fallback?: string, seen?: Seen): string | undefined {
    const known = this.data.get(option);
    if (known !== undefined) return known;
    let tracked: TrackedValue | undefined = this.cooked.get(option) ?? this.raw.get(option);
    if (tracked === undefined) return fallback;
    if (tracked.value.includes("${")) {
      if (!seen) {
        seen = [[this.name, option]];
      } else if (includes(seen, this.name, option)) {
        const chain = listed(
          [...seen, [this.name, option]].map(([s, o]) => quoteValue(`${s}:${o}`)),
          " -> ",
        );
        const [from] = seen.slice(-1);
        const [file, line] = from ? this.locateIn(from[0], from[1]) : [];
        throw new BuildoutError("buildout.substitution", `circular reference in substitutions: ${chain}`, file, line);
      } else {
        if (seen.length >= MAX_SUBSTITUTION_DEPTH) {
          const [file, line] = this.locateIn(...seen[seen.length - 1]!);
          throw new BuildoutError("buildout.limit", `${TOO_DEEP} (substitutions more than ${MAX_SUBSTITUTION_DEPTH} deep)`, file, line);
        }
        seen.push([this.name, option]);
      }
      tracked = this.substitute(tracked, seen);
      seen.pop();
    }
    this.data.set(option, tracked.value);
    this.dataLines.set(option, tracked.lines);
    return tracked.value;
  }

  /** The `${section:option}` reference `ref` of `_sub`, looked up (or left as written when a recipe computes it). */
  reference(ref: string, seen: Seen): string {
    const [fromSection, fromOption] = seen[seen.length - 1] ?? [this.name, ""];
    const where = (): [string?, number?] => this.locateIn(fromSection, fromOption);
    const parts = ref.slice(2, -1).split(":");
    if (!VALID.test(ref)) {
      if (parts.length < 2) throw new BuildoutError("buildout.substitution", `the substitution ${quoteValue(ref)} doesn't contain a colon`, ...where());
      if (parts.length > 2) throw new BuildoutError("buildout.substitution", `the substitution ${quoteValue(ref)} has too many colons`, ...where());
      if (!SIMPLE.test(parts[0]!))
        throw new BuildoutError("buildout.substitution", `the section name in substitution ${quoteValue(ref)} has invalid characters`, ...where());
      if (!SIMPLE.test(parts[1]!))
        throw new BuildoutError("buildout.substitution", `the option name in substitution ${quoteValue(ref)} has invalid characters`, ...where());
    }
    const section = parts[0] || this.name;
    const option = parts[1]!;
    let target: Options;
    try {
      target = this.buildout.section(section);
    } catch (error) {
      if (error instanceof BuildoutError && error.file === undefined) throw new BuildoutError(error.code, error.message, ...where());
      throw error;
    }
    const value = target.get(option, undefined, seen);
    if (value !== undefined) return value;
    if (option === "_buildout_section_name_") return this.name;
    if (target.raw.has("recipe")) {
      const reference = `\${${section}:${option}}`;
      this.buildout.recipeComputed(reference, { section: fromSection, option: fromOption });
      return reference;
    }
    throw new BuildoutError("buildout.substitution", `referenced option does not exist: ${cut(`\${${section}:${option}}`)}`, ...where());
  }

  /** Where option `option` of section `section` (one being substituted) was written. */
  locateIn(section: string, option: string): [string?, number?] {
    const options = section === this.name ? this : this.buildout.peek(section);
    const key = options?.raw.get(option) ?? this.buildout.raw.get(section)?.get(option);
    return [key?.source, key?.line];
  }

  /** `__getitem__`. */
  item(option: string): string {
    const known = this.data.get(option);
    if (known !== undefined) return known;
    const value = this.get(option);
    if (value === undefined) throw new BuildoutError("buildout.option.missing", `missing option: ${cut(`${this.name}:${option}`)}`);
    return value;
  }

  /** Sets a value computed from the current one (its line origins kept only when exact). */
  set(option: string, value: string): void {
    const lines = this.lines(option);
    const previous = this.data.get(option);
    this.dataLines.set(option, lines && previous !== undefined ? rewrittenLines({ value: previous, lines }, value) : unknownLines(value));
    this.data.set(option, value);
  }

  /** Per-line origins of the value `get` or `set` gave `option`. */
  lines(option: string): LineOrigins | undefined {
    return this.dataLines.get(option);
  }

  keys(): string[] {
    return [...this.raw.keys(), ...[...this.data.keys()].filter((k) => !this.raw.has(k))];
  }
}
