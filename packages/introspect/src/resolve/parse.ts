// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/**
 * The buildout file dialect, as `zc.buildout.configparser.parse` reads it: `name = value`
 * only (no `:` separator), `name +=` / `name -=`, `<= macro`, `=> deps`, comments only at
 * column 0, no inline comments in values, continuation lines, blank lines kept inside a
 * value that starts on the next line (then dedented), `[name: expression]` headers.
 */
import { pyDedent, isPySpace, quoteValue, pyRstrip, skipPySpaces, pyStrip, pyTrimmedEnd } from "@autowatch/watchfile/text";
import { ConditionError, evaluateCondition, type PyValue } from "./condition/index.js";
import { BuildoutError, Key, type Section, type Sections } from "./model.js";

/** A `[name: expression] # comment` line, as zc.buildout's `section_header` regex splits it. */
interface Header {
  name: string;
  /** `expression` (undefined without a colon). */
  expression?: string;
  /** `tail`: the closing "]" and what follows it (spaces, the comment, the newline). */
  tail: string;
}

const NAME_STOP = new Set(["#", "[", "]", ":", ";", "{", "}"]);
const OPTION_NAME_STOP = new Set(["{", "}", "[", "]", "=", ":"]);

/**
 * `section_header`: `\[\s*(?P<name>[^\s#[\]:;{}]+)\s*(:(?P<expression>[^#;]*))?\s*(?P<tail>]\s*([#;].*)?$)`
 * matched by a scanner (the pattern backtracks quadratically on long runs of spaces). The
 * name cannot give characters back to what follows it, and the greedy expression ends at
 * the last "]" before the first "#" or ";" with only spaces between them.
 */
function sectionHeader(line: string): Header | undefined {
  if (line.charCodeAt(0) !== 0x5b) return undefined;
  const nameStart = skipPySpaces(line, 1);
  let nameEnd = nameStart;
  while (nameEnd < line.length && !NAME_STOP.has(line[nameEnd]!) && !isPySpace(line.charCodeAt(nameEnd))) nameEnd++;
  if (nameEnd === nameStart) return undefined;
  const name = line.slice(nameStart, nameEnd);
  const after = skipPySpaces(line, nameEnd);
  let close: number;
  let expression: string | undefined;
  if (line[after] === ":") {
    let stop = after + 1;
    while (stop < line.length && line[stop] !== "#" && line[stop] !== ";") stop++;
    close = pyTrimmedEnd(line, after + 1, stop) - 1;
    if (close <= after || line[close] !== "]") return undefined;
    expression = line.slice(after + 1, close);
  } else {
    close = after;
    if (line[close] !== "]") return undefined;
  }
  // after "]": spaces (the line's newline among them), or spaces and a comment (lines hold no other newline)
  const rest = skipPySpaces(line, close + 1);
  if (rest === line.length) return { name, tail: line.slice(close), ...(expression !== undefined ? { expression } : {}) };
  if (line[rest] !== "#" && line[rest] !== ";") return undefined;
  // `.*$` stops before the line's newline
  const tail = line.slice(close, line.endsWith("\n") ? -1 : undefined);
  return { name, tail, ...(expression !== undefined ? { expression } : {}) };
}

/** `option_start`: `(?P<name>[^\s{}[\]=:]+\s*[-+]?)=(?P<value>.*)$`, scanned. */
function optionStart(line: string): { name: string; value: string } | undefined {
  let end = 0;
  while (end < line.length && !OPTION_NAME_STOP.has(line[end]!) && !isPySpace(line.charCodeAt(end))) end++;
  if (end === 0) return undefined;
  let equals = skipPySpaces(line, end);
  if (line[equals] === "-" || line[equals] === "+") equals++;
  if (line[equals] !== "=") return undefined;
  // lines hold no newline but their last: `.*$` is the rest of the line
  return { name: line.slice(0, equals), value: line.slice(equals + 1, line.endsWith("\n") ? -1 : undefined) };
}

export interface ParseOptions {
  /** The globals of conditional section expressions; called at most once, on the first expression. */
  globals: () => Map<string, PyValue>;
}

/** Lines as Python's `readline` returns them from a text file (universal newlines). */
function readLines(text: string): string[] {
  const normalized = text.replace(/\r\n?/g, "\n");
  const lines = normalized.split("\n").map((line) => `${line}\n`);
  const last = lines.pop()!;
  if (last !== "\n") lines.push(last.slice(0, -1));
  return lines;
}

/**
 * Parses one file. `file` names it in errors and in every value's origin.
 * Throws BuildoutError on what zc.buildout refuses (parse errors, bad expressions).
 */
export function parseSections(text: string, file: string, options: ParseOptions): Sections {
  const sections: Sections = new Map();
  let condition = true;
  let globals: Map<string, PyValue> | undefined;
  let current: Section | undefined;
  let blockMode = false;
  let optionName: string | undefined;
  const bogus: { line: number; text: string }[] = [];

  const lines = readLines(text);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    let line = lines[index]!;
    if (line[0] === "#" || line[0] === ";") continue;

    if (isPySpace(line.charCodeAt(0)) && current && optionName) {
      if (!condition) continue;
      if (blockMode) {
        line = pyRstrip(line);
      } else {
        line = pyStrip(line);
        if (!line) continue;
      }
      current.get(optionName)!.appendLine(line, lineNumber);
      continue;
    }

    const header = sectionHeader(line);
    if (header) {
      condition = true;
      const { name, expression } = header;
      if (expression) {
        globals ??= options.globals();
        condition = sectionCondition(name, expression, header.tail, globals, file, lineNumber);
        if (!condition) continue;
      }
      current = sections.get(name);
      if (!current) sections.set(name, (current = new Map()));
      optionName = undefined;
      continue;
    }
    if (!current) {
      if (!pyStrip(line)) continue;
      throw new BuildoutError(
        "buildout.syntax",
        `option outside of any section (no section header before it): ${quoteValue(pyRstrip(line))}`,
        file,
        lineNumber,
      );
    }
    if (line.startsWith("=>")) line = `<part-dependencies> = ${line.slice(2)}`;
    const option = optionStart(line);
    if (option) {
      if (!condition) continue;
      optionName = pyRstrip(option.name);
      const value = pyStrip(option.value);
      current.set(optionName, new Key(value, file, lineNumber));
      blockMode = !value;
    } else if (!(optionName || pyStrip(line))) {
      continue;
    } else {
      bogus.push({ line: lineNumber, text: pyRstrip(line) });
    }
  }

  refuseBogusLines(bogus, file);

  for (const section of sections.values()) {
    for (const key of section.values()) {
      if (isPySpace(key.value.charCodeAt(0))) dedentValue(key);
    }
  }
  return sections;
}

/** The truth of a section header's condition, evaluated on what zc.buildout passes to `eval`. */
function sectionCondition(name: string, expression: string, tail: string, globals: Map<string, PyValue>, file: string, lineNumber: number): boolean {
  const source = `[${expression.replace(/\\x23/g, "#").replace(/\\x3b/g, ";")}${tail.replace(/;/g, "#")}`;
  try {
    return evaluateCondition(source, globals);
  } catch (error) {
    const reason = error instanceof ConditionError ? error.message : String(error);
    throw new BuildoutError(
      "buildout.condition",
      `cannot evaluate the condition of section [${name}]: ${reason} (in ${quoteValue(pyStrip(expression))})`,
      file,
      lineNumber,
    );
  }
}

/** Bad lines are refused after the whole file is read (as zc.buildout does): the first named, the others counted. */
function refuseBogusLines(bogus: readonly { line: number; text: string }[], file: string): void {
  const [first] = bogus;
  if (!first) return;
  const more = bogus.length > 1 ? ` (and ${bogus.length - 1} more bad line${bogus.length > 2 ? "s" : ""})` : "";
  throw new BuildoutError(
    "buildout.syntax",
    `parse error: ${quoteValue(first.text)} is neither "name = value", a section header nor a continuation line${more}`,
    file,
    first.line,
  );
}

/** A value starting on the line after its name: right-stripped, dedented, leading blank lines dropped. */
function dedentValue(key: Key): void {
  const dedented = pyDedent(pyRstrip(key.value));
  // `^(\s*\n)+`: the leading spaces up to the last newline among them
  const blank = dedented.slice(0, dedented.lastIndexOf("\n", skipPySpaces(dedented) - 1) + 1);
  const dropped = blank.split("\n").length - 1;
  key.value = dedented.slice(blank.length);
  key.lines = key.lines.slice(dropped, dropped + key.value.split("\n").length);
}
