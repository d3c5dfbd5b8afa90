// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/** What the resolver works on: zc.buildout's annotated sections (`SectionKey`). */
import { escapeControlCharacters, LIMITS, type ProblemCode } from "@autowatch/watchfile/text";
import { type LineOrigins, rewrittenLines, unknownLines } from "./lines.js";

/** How a value got its current content (zc.buildout's `HistoryItem.operation`). */
export type KeyOperation = "SET" | "OVERRIDE" | "ADD" | "REMOVE" | "DIRECTORY";

/** Sources that are not files, as zc.buildout names them in `annotate`. */
export const DEFAULT_VALUE = "DEFAULT_VALUE";
export const COMPUTED_VALUE = "COMPUTED_VALUE";
export const COMMAND_LINE_VALUE = "COMMAND_LINE_VALUE";
export const IMPLICIT_VALUE = "IMPLICIT_VALUE";

/**
 * A value and where it was last set: zc.buildout's `SectionKey`, keeping the latest history
 * item only, plus where each line of the value was written (`lines`, one per `value` line).
 */
export class Key {
  public lines: LineOrigins;

  constructor(
    public value: string,
    public source: string,
    public line?: number,
    public operation: KeyOperation = "SET",
    lines?: LineOrigins,
  ) {
    this.lines = lines ?? (line !== undefined && !value.includes("\n") ? [{ file: source, line }] : unknownLines(value));
  }

  clone(): Key {
    return new Key(this.value, this.source, this.line, this.operation, [...this.lines]);
  }

  /** A continuation line of the option, read at `line` of the same file. */
  appendLine(text: string, line: number): void {
    this.value = `${this.value}\n${text}`;
    this.lines.push({ file: this.source, line });
  }

  /** The value computed from the whole current one (a directory made absolute). */
  rewrite(value: string): void {
    this.lines = rewrittenLines(this, value);
    this.value = value;
  }

  overrideValue(other: Key): void {
    this.value = other.value;
    this.lines = [...other.lines];
    if (other.operation !== "ADD" && other.operation !== "REMOVE") {
      this.source = other.source;
      this.line = other.line;
      this.operation = "OVERRIDE";
    }
  }

  setDirectory(value: string): void {
    this.rewrite(value);
    this.operation = "DIRECTORY";
  }

  addToValue(added: Key): void {
    this.value = `${this.value}\n${added.value}`;
    this.lines = [...this.lines, ...added.lines];
    this.setSource(added, "ADD");
  }

  removeFromValue(removed: Key): void {
    const gone = new Set(removed.value.split("\n"));
    const kept = this.value.split("\n").flatMap((text, index) => (gone.has(text) ? [] : [{ text, origin: this.lines[index] }]));
    this.value = kept.map(({ text }) => text).join("\n");
    this.lines = kept.length ? kept.map(({ origin }) => origin) : [undefined];
    this.setSource(removed, "REMOVE");
  }

  private setSource(from: Key, operation: KeyOperation): void {
    this.source = from.source;
    this.line = from.line;
    this.operation = operation;
  }
}

/** Options of a section in file order (Python dicts keep insertion order). */
export type Section = Map<string, Key>;
export type Sections = Map<string, Section>;

export function cloneSection(section: Section): Section {
  return new Map([...section].map(([name, key]) => [name, key.clone()]));
}

/**
 * The work one resolution may do, in characters substituted by `${}`; an option copied or merged
 * (extends, macros) counts OPTION_WORK characters (about what it costs): 64 Mi characters, 4 Mi options.
 */
export const MAX_TOTAL_WORK = LIMITS.buildoutWork;
export const OPTION_WORK = 16;

/** The number of options in `sections` (the work of copying or merging them). */
export function optionCount(sections: Sections): number {
  let count = 0;
  for (const section of sections.values()) count += section.size;
  return count;
}

export function cloneSections(sections: Sections): Sections {
  return new Map([...sections].map(([name, section]) => [name, cloneSection(section)]));
}

/**
 * A failure zc.buildout would stop on; caught at the API boundary and turned into a Problem.
 * The message never holds a raw control character from the input (escaped as watch-file problems are).
 */
export class BuildoutError extends Error {
  constructor(
    /** What kind of failure (a `buildout.*` problem code). */
    readonly code: ProblemCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(escapeControlCharacters(message));
    this.name = "BuildoutError";
  }
}

/** A value shown bare in a message: cut to `maxLength` characters (control characters are escaped with the whole message). */
export function cut(text: string, maxLength = 120): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/** `items` joined for a message: the first few and a count of the others (a chain can be thousands long). */
export function listed(items: readonly string[], separator: string, shown = 8): string {
  if (items.length <= shown) return items.join(separator);
  return `${items.slice(0, shown).join(separator)}${separator}... (${items.length - shown} more)`;
}
