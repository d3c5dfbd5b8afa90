/**
 * Substitution and macros, as zc.buildout's `Options` class does them: `_initialize`
 * (macros, then every option holding `${` in sorted order), `get` (memoised, circular
 * references detected through `seen`), `_sub` (reference syntax checks, `${:option}`,
 * `_buildout_section_name_`) and `_do_extend_raw` (`<=` macros, chained, with `+=`/`-=`).
 * Recipes are never loaded: an option that only a recipe computes is left as written.
 */
import { quoteValue } from "@autowatch/watchfile";
import { BuildoutError, type Section, cloneSection } from "./model.js";
import { updateSection, splitWords } from "./load.js";
import { compareStrings, strip } from "./python.js";

const TEMPLATE_SPLIT = /(\$\{[^}]*\})/;
const SIMPLE = /^[-a-zA-Z0-9 ._]+\n?$/;
const VALID = /^\$\{[-a-zA-Z0-9 ._]*:[-a-zA-Z0-9 ._]+\}$/;

/** What Options needs from the buildout: sections by name, and a place to note recipe-computed references. */
export interface SectionSource {
  raw: Map<string, Section>;
  section(name: string): Options;
  /** The section if it was initialised already (no side effect). */
  peek(name: string): Options | undefined;
  recipeComputed(reference: string, from: { section: string; option: string }): void;
}

type Seen = [string, string][];

function includes(seen: Seen, section: string, option: string): boolean {
  return seen.some(([s, o]) => s === section && o === option);
}

export class Options {
  readonly cooked = new Map<string, string>();
  readonly data = new Map<string, string>();

  constructor(
    readonly buildout: SectionSource,
    readonly name: string,
    public raw: Section,
  ) {}

  /** `_initialize`, without loading the recipe. */
  initialize(): void {
    if (this.raw.has("<")) this.raw = this.extendRaw(this.name, this.raw, []);
    for (const [option, key] of [...this.raw].sort(([a], [b]) => compareStrings(a, b))) {
      if (key.value.includes("${")) this.dosub(option, key.value);
    }
    if (this.name === "buildout") return;
    for (const dependency of splitWords(this.get("<part-dependencies>", "") ?? "")) this.buildout.section(dependency);
  }

  /** `_do_extend_raw`: the options of the `<` sections, then this section's own on top. */
  extendRaw(name: string, data: Section, doing: string[]): Section {
    if (name === "buildout") return data;
    if (doing.includes(name)) {
      throw new BuildoutError(`infinite macro loop: [${name}] extends itself through ${doing.map((d) => `[${d}]`).join(" <= ")}`, ...this.where(data, "<"));
    }
    doing.push(name);
    try {
      const todo = data.get("<");
      if (todo === undefined) return data;
      const result: Section = new Map();
      for (const line of todo.value.split("\n")) {
        const macro = strip(line);
        if (!macro) continue;
        const raw = this.buildout.raw.get(macro);
        if (!raw) throw new BuildoutError(`no section named ${quoteValue(macro)} (used as a macro by [${name}])`, todo.source, todo.line);
        for (const [option, key] of this.extendRaw(macro, raw, doing)) result.set(option, key.clone());
      }
      updateSection(result, cloneSection(data));
      result.delete("<");
      return result;
    } finally {
      doing.pop();
    }
  }

  private where(section: Section, option: string): [string?, number?] {
    const key = section.get(option);
    return [key?.source, key?.line];
  }

  private dosub(option: string, value: string): void {
    const seen: Seen = [[this.name, option]];
    this.cooked.set(option, value.split("$$").map((part) => this.sub(part, seen)).join("$$"));
  }

  get(option: string, fallback?: string, seen?: Seen): string | undefined {
    const known = this.data.get(option);
    if (known !== undefined) return known;
    let value = this.cooked.get(option) ?? this.raw.get(option)?.value;
    if (value === undefined) return fallback;
    if (value.includes("${")) {
      if (!seen) {
        seen = [[this.name, option]];
      } else if (includes(seen, this.name, option)) {
        const chain = [...seen, [this.name, option]].map(([s, o]) => `${s}:${o}`).join(" -> ");
        const [from] = seen.slice(-1);
        const [file, line] = from ? this.locateIn(from[0], from[1]) : [];
        throw new BuildoutError(`circular reference in substitutions: ${chain}`, file, line);
      } else {
        seen.push([this.name, option]);
      }
      const current = seen;
      value = value.split("$$").map((part) => this.sub(part, current)).join("$$");
      seen.pop();
    }
    this.data.set(option, value);
    return value;
  }

  /** `_sub`: substitutes the references of one `$$`-free piece of a value. */
  sub(template: string, seen: Seen): string {
    const pieces = template.split(TEMPLATE_SPLIT);
    let result = pieces[0]!;
    for (let i = 1; i < pieces.length; i += 2) {
      result += this.reference(pieces[i]!, seen) + pieces[i + 1]!;
    }
    return result;
  }

  private reference(ref: string, seen: Seen): string {
    const [fromSection, fromOption] = seen[seen.length - 1] ?? [this.name, ""];
    const where = (): [string?, number?] => this.locateIn(fromSection, fromOption);
    const parts = ref.slice(2, -1).split(":");
    if (!VALID.test(ref)) {
      if (parts.length < 2) throw new BuildoutError(`the substitution ${quoteValue(ref)} doesn't contain a colon`, ...where());
      if (parts.length > 2) throw new BuildoutError(`the substitution ${quoteValue(ref)} has too many colons`, ...where());
      if (!SIMPLE.test(parts[0]!)) throw new BuildoutError(`the section name in substitution ${quoteValue(ref)} has invalid characters`, ...where());
      if (!SIMPLE.test(parts[1]!)) throw new BuildoutError(`the option name in substitution ${quoteValue(ref)} has invalid characters`, ...where());
    }
    const section = parts[0] || this.name;
    const option = parts[1]!;
    let target: Options;
    try {
      target = this.buildout.section(section);
    } catch (error) {
      if (error instanceof BuildoutError && error.file === undefined) throw new BuildoutError(error.message, ...where());
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
    throw new BuildoutError(`referenced option does not exist: \${${section}:${option}}`, ...where());
  }

  /** Where option `option` of section `section` (one being substituted) was written. */
  private locateIn(section: string, option: string): [string?, number?] {
    const options = section === this.name ? this : this.buildout.peek(section);
    const key = options?.raw.get(option) ?? this.buildout.raw.get(section)?.get(option);
    return [key?.source, key?.line];
  }

  /** `__getitem__`. */
  item(option: string): string {
    const known = this.data.get(option);
    if (known !== undefined) return known;
    const value = this.get(option);
    if (value === undefined) throw new BuildoutError(`missing option: ${this.name}:${option}`);
    return value;
  }

  set(option: string, value: string): void {
    this.data.set(option, value);
  }

  keys(): string[] {
    return [...this.raw.keys(), ...[...this.data.keys()].filter((k) => !this.raw.has(k))];
  }
}
