import { quoteValue } from "@autowatch/watchfile";
import { normalizeNewlines, pyRstrip, skipSpaces, trimmedEnd } from "./pytext.js";

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
  const defaults: RawSection = { name: DEFAULT_SECTION, line: 0, options: new Map() };
  const sections: RawSection[] = [];
  const byName = new Map<string, RawSection>();
  const errors: DialectError[] = [];
  let current: RawSection | undefined;
  let option: RawOption | undefined;
  let indent = 0;
  let outsideReported = false;

  const report = (kind: DialectErrorKind, line: number, message: string) => {
    const section = current && current !== defaults ? current.name : undefined;
    errors.push(section === undefined ? { kind, line, message } : { kind, line, message, section });
  };

  // Continuation and blank lines are gathered here and added once, exactly sized, when the option ends
  // (pushing them one by one onto the option's own array would over-allocate most of them).
  const following: ValueLine[] = [];
  const endOption = () => {
    if (option && following.length > 0) {
      option.lines = option.lines.concat(following);
      following.length = 0;
    }
    option = undefined;
  };

  // Lines are read as index ranges of the text: only the pieces kept become strings.
  const source = normalizeNewlines(text);
  let lineNo = 0;
  for (let lineStart = 0, lineEnd = 0; lineStart < source.length; lineStart = lineEnd + 1) {
    lineEnd = source.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = source.length;
    lineNo++;
    // The stripped line is source[first, last).
    const first = skipSpaces(source, lineStart, lineEnd);
    if (first === lineEnd) {
      if (current && option) following.push({ text: "", line: lineNo });
      continue;
    }
    const lead = source.charCodeAt(first);
    if (lead === HASH || lead === SEMICOLON) continue;
    const last = trimmedEnd(source, first, lineEnd);
    const level = first - lineStart;
    if (current && option && level > indent) {
      following.push({ text: source.slice(first, last), line: lineNo });
      continue;
    }
    indent = level;
    const header = sectionHeader(source, first, last);
    if (header !== undefined) {
      endOption();
      if (header === DEFAULT_SECTION) {
        if (defaults.line === 0) defaults.line = lineNo;
        current = defaults;
        continue;
      }
      const firstDefinition = byName.get(header);
      // The later copy is read into a section nobody sees, so its lines are still checked.
      current = { name: header, line: lineNo, options: new Map() };
      if (firstDefinition) {
        report(
          "duplicate-section",
          lineNo,
          `section ${quoteValue(header)} is defined twice in this file (first at line ${firstDefinition.line}); this one is ignored`,
        );
      } else {
        byName.set(header, current);
        sections.push(current);
      }
      continue;
    }
    if (!current) {
      if (!outsideReported) {
        report("missing-section-header", lineNo, `text before the first [section] header: ${quoteValue(source.slice(first, last))}`);
        outsideReported = true;
      }
      continue;
    }
    const delimiter = firstDelimiter(source, first, last);
    if (delimiter < 0) {
      // Like Python, the previous option stays open for deeper-indented lines.
      report("parsing", lineNo, `not an option line ("name = value" or "name: value") nor a [section] header: ${quoteValue(source.slice(first, last))}`);
      continue;
    }
    const name = source.slice(first, trimmedEnd(source, first, delimiter)).toLowerCase();
    if (name === "") {
      report("parsing", lineNo, `option without a name: ${quoteValue(source.slice(first, last))}`);
      endOption();
      continue;
    }
    const valueStart = skipSpaces(source, delimiter + 1, last);
    const fresh: RawOption = { name, line: lineNo, lines: [{ text: source.slice(valueStart, last), line: lineNo }] };
    const firstOption = current.options.get(name);
    if (firstOption) {
      const where = current === defaults ? "[DEFAULT]" : `section ${quoteValue(current.name)}`;
      report("duplicate-option", lineNo, `option ${quoteValue(name)} is set twice in ${where} (first at line ${firstOption.line}); the later value is ignored`);
    } else {
      current.options.set(name, fresh);
    }
    endOption();
    option = fresh;
  }
  endOption();

  return { file, defaults, sections, errors };
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
