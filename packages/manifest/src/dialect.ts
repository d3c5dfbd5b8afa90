import { quoteValue, normalizeNewlines, pyRstrip, pyTrimmedEnd, skipPySpaces } from "@autowatch/watchfile/text";

/** One physical line of an option value, stripped as ConfigParser strips it ("" for a blank line). */
export interface ValueLine {
  text: string;
  line: number;
}

export interface RawOption {
  /** Lower-cased, as `optionxform` does. */
  name: string;
  /** Line of the key. */
  line: number;
  /** The first line (after the delimiter) and every continuation or blank line that followed. */
  lines: ValueLine[];
}

export interface RawSection {
  name: string;
  /** Line of the (first) header. */
  line: number;
  /** In file order. */
  options: Map<string, RawOption>;
}

/** What Python's strict `ConfigParser.read` raises for (the first error aborts the file there). */
export type DialectErrorKind = "missing-section-header" | "parsing" | "duplicate-section" | "duplicate-option";

export interface DialectError {
  kind: DialectErrorKind;
  line: number;
  message: string;
  /** The section the line belongs to (absent outside sections and in DEFAULT). */
  section?: string;
}

/** One file read with Python 3 `configparser.ConfigParser()` default settings, without interpolation. */
export interface ConfigDocument {
  file: string;
  /** `[DEFAULT]` (empty, line 0, when the file has none). */
  defaults: RawSection;
  /** Every other section, in file order (first definition only). */
  sections: RawSection[];
  errors: DialectError[];
}

export const DEFAULT_SECTION = "DEFAULT";

/** A value as ConfigParser stores it: lines joined with `\n`, trailing blank lines dropped. */
export function rawValue(option: RawOption): string {
  const { lines } = option;
  // Trailing blank lines would be stripped anyway: a single line with blanks after it needs no join.
  let last = lines.length - 1;
  while (last > 0 && lines[last]!.text === "") last--;
  if (last <= 0) return lines.length === 0 ? "" : pyRstrip(lines[0]!.text);
  return pyRstrip(lines.map((l) => l.text).join("\n"));
}

const HASH = 0x23;
const SEMICOLON = 0x3b;
const OPEN_BRACKET = 0x5b;

/** `SECTCRE`: `\[(?P<header>.+)\]` matched at the start of the stripped line `text[first, last)` (trailing text ignored). */
function sectionHeader(text: string, first: number, last: number): string | undefined {
  if (text.charCodeAt(first) !== OPEN_BRACKET) return undefined;
  const close = text.lastIndexOf("]", last - 1);
  return close >= first + 2 ? text.slice(first + 1, close) : undefined;
}

/**
 * Reads a configuration the way Python 3's `ConfigParser()` does (delimiters `=` and `:`,
 * full-line `#`/`;` comments, no inline comments, indented continuation lines, blank lines
 * kept inside values, lower-cased option names, case-sensitive section names, strict).
 * Where Python would abort, this records an error and goes on: a duplicate section or option
 * keeps the first definition, a line Python cannot parse is skipped.
 */
export function readConfig(file: string, text: string): ConfigDocument {
  // Lines are read as index ranges of the text: only the pieces kept become strings.
  const reader = new ConfigReader(normalizeNewlines(text));
  const { source } = reader;
  let lineNo = 0;
  for (let lineStart = 0, lineEnd = 0; lineStart < source.length; lineStart = lineEnd + 1) {
    lineEnd = source.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = source.length;
    lineNo++;
    reader.line(lineStart, lineEnd, lineNo);
  }
  reader.endOption();
  return { file, defaults: reader.defaults, sections: reader.sections, errors: reader.errors };
}

/** The state of readConfig between lines: the section and option being read, and what was found. */
class ConfigReader {
  readonly defaults: RawSection = { name: DEFAULT_SECTION, line: 0, options: new Map() };
  readonly sections: RawSection[] = [];
  readonly errors: DialectError[] = [];
  private readonly byName = new Map<string, RawSection>();
  private current: RawSection | undefined;
  private option: RawOption | undefined;
  private indent = 0;
  private outsideReported = false;
  // Continuation and blank lines are gathered here and added once, exactly sized, when the option ends
  // (pushing them one by one onto the option's own array would over-allocate most of them).
  private readonly following: ValueLine[] = [];

  constructor(readonly source: string) {}

  /** The physical line `source[lineStart, lineEnd)`. */
  line(lineStart: number, lineEnd: number, lineNo: number): void {
    const { source } = this;
    // The stripped line is source[first, last).
    const first = skipPySpaces(source, lineStart, lineEnd);
    if (first === lineEnd) {
      if (this.current && this.option) this.following.push({ text: "", line: lineNo });
      return;
    }
    const lead = source.charCodeAt(first);
    if (lead === HASH || lead === SEMICOLON) return;
    const last = pyTrimmedEnd(source, first, lineEnd);
    const level = first - lineStart;
    if (this.current && this.option && level > this.indent) {
      this.following.push({ text: source.slice(first, last), line: lineNo });
      return;
    }
    this.indent = level;
    const header = sectionHeader(source, first, last);
    if (header !== undefined) {
      this.endOption();
      this.openSection(header, lineNo);
    } else if (!this.current) {
      if (!this.outsideReported) {
        this.report("missing-section-header", lineNo, `text before the first [section] header: ${quoteValue(source.slice(first, last))}`);
        this.outsideReported = true;
      }
    } else {
      this.optionLine(this.current, first, last, lineNo);
    }
  }

  endOption(): void {
    const { option, following } = this;
    if (option && following.length > 0) {
      option.lines = option.lines.concat(following);
      following.length = 0;
    }
    this.option = undefined;
  }

  private report(kind: DialectErrorKind, line: number, message: string): void {
    const section = this.current && this.current !== this.defaults ? this.current.name : undefined;
    this.errors.push(section === undefined ? { kind, line, message } : { kind, line, message, section });
  }

  private openSection(header: string, lineNo: number): void {
    if (header === DEFAULT_SECTION) {
      if (this.defaults.line === 0) this.defaults.line = lineNo;
      this.current = this.defaults;
      return;
    }
    const firstDefinition = this.byName.get(header);
    // The later copy is read into a section nobody sees, so its lines are still checked.
    this.current = { name: header, line: lineNo, options: new Map() };
    if (firstDefinition) {
      this.report(
        "duplicate-section",
        lineNo,
        `section ${quoteValue(header)} is defined twice in this file (first at line ${firstDefinition.line}); this one is ignored`,
      );
    } else {
      this.byName.set(header, this.current);
      this.sections.push(this.current);
    }
  }

  /** `name = value` or `name: value` at `source[first, last)`, in `current`. */
  private optionLine(current: RawSection, first: number, last: number, lineNo: number): void {
    const { source } = this;
    const delimiter = firstDelimiter(source, first, last);
    if (delimiter < 0) {
      // Like Python, the previous option stays open for deeper-indented lines.
      this.report("parsing", lineNo, `not an option line ("name = value" or "name: value") nor a [section] header: ${quoteValue(source.slice(first, last))}`);
      return;
    }
    const name = source.slice(first, pyTrimmedEnd(source, first, delimiter)).toLowerCase();
    if (name === "") {
      this.report("parsing", lineNo, `option without a name: ${quoteValue(source.slice(first, last))}`);
      this.endOption();
      return;
    }
    const valueStart = skipPySpaces(source, delimiter + 1, last);
    const fresh: RawOption = { name, line: lineNo, lines: [{ text: source.slice(valueStart, last), line: lineNo }] };
    const firstOption = current.options.get(name);
    if (firstOption) {
      const where = current === this.defaults ? "[DEFAULT]" : `section ${quoteValue(current.name)}`;
      this.report(
        "duplicate-option",
        lineNo,
        `option ${quoteValue(name)} is set twice in ${where} (first at line ${firstOption.line}); the later value is ignored`,
      );
    } else {
      current.options.set(name, fresh);
    }
    this.endOption();
    this.option = fresh;
  }
}

/** Index of the first `=` or `:` (Python's delimiters) in `text[from, to)`, or -1. */
function firstDelimiter(text: string, from: number, to: number): number {
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x3d || code === 0x3a) return index;
  }
  return -1;
}

/** The exception class Python's `ConfigParser.read` raises for this document, or undefined when it reads it. */
export function pythonReadError(document: ConfigDocument): string | undefined {
  const names: Record<DialectErrorKind, string> = {
    "missing-section-header": "MissingSectionHeaderError",
    parsing: "ParsingError",
    "duplicate-section": "DuplicateSectionError",
    "duplicate-option": "DuplicateOptionError",
  };
  // Parsing errors are collected to the end of the file; the others abort at once.
  const fatal = document.errors.find((e) => e.kind !== "parsing") ?? document.errors[0];
  return fatal ? names[fatal.kind] : undefined;
}
