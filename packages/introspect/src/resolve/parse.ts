/**
 * The buildout file dialect, as `zc.buildout.configparser.parse` reads it: `name = value`
 * only (no `:` separator), `name +=` / `name -=`, `<= macro`, `=> deps`, comments only at
 * column 0, no inline comments in values, continuation lines, blank lines kept inside a
 * value that starts on the next line (then dedented), `[name: expression]` headers.
 */
import { quoteValue } from "@autowatch/watchfile/text";
import { ConditionError, evaluateCondition, type PyValue } from "./condition.js";
import { BuildoutError, Key, type Section, type Sections } from "./model.js";
import { PY_SPACE, dedent, isSpace, rstrip, strip } from "./python.js";

const NOT_SPACE = `[^${PY_SPACE}`;
const SPACES = `[${PY_SPACE}]*`;
const SECTION_HEADER = new RegExp(
  `^(\\[)${SPACES}(${NOT_SPACE}#[\\]:;{}]+)${SPACES}(:([^#;]*))?${SPACES}(\\]${SPACES}([#;][^\\n]*)?)\\n?$`,
);
const OPTION_START = new RegExp(`^(${NOT_SPACE}{}[\\]=:]+${SPACES}[-+]?)=([^\\n]*)\\n?$`);
const LEADING_BLANK_LINES = new RegExp(`^(${SPACES}\\n)+`);

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

    if (isSpace(line[0]) && current && optionName) {
      if (!condition) continue;
      if (blockMode) {
        line = rstrip(line);
      } else {
        line = strip(line);
        if (!line) continue;
      }
      current.get(optionName)!.appendLine(line, lineNumber);
      continue;
    }

    const header = SECTION_HEADER.exec(line);
    if (header) {
      condition = true;
      const name = header[2]!;
      const expression = header[4];
      if (expression) {
        const tail = (header[5] ?? "").replace(/;/g, "#");
        const source = `[${expression.replace(/\\x23/g, "#").replace(/\\x3b/g, ";")}${tail}`;
        globals ??= options.globals();
        try {
          condition = evaluateCondition(source, globals);
        } catch (error) {
          const reason = error instanceof ConditionError ? error.message : String(error);
          throw new BuildoutError(`cannot evaluate the condition of section [${name}]: ${reason} (in ${quoteValue(strip(expression))})`, file, lineNumber);
        }
        if (!condition) continue;
      }
      current = sections.get(name);
      if (!current) sections.set(name, (current = new Map()));
      optionName = undefined;
      continue;
    }
    if (!current) {
      if (!strip(line)) continue;
      throw new BuildoutError(`option outside of any section (no section header before it): ${quoteValue(rstrip(line))}`, file, lineNumber);
    }
    if (line.startsWith("=>")) line = `<part-dependencies> = ${line.slice(2)}`;
    const option = OPTION_START.exec(line);
    if (option) {
      if (!condition) continue;
      optionName = rstrip(option[1]!);
      const value = strip(option[2]!);
      current.set(optionName, new Key(value, file, lineNumber));
      blockMode = !value;
    } else if (!(optionName || strip(line))) {
      continue;
    } else {
      bogus.push({ line: lineNumber, text: rstrip(line) });
    }
  }

  const [first] = bogus;
  if (first) {
    const more = bogus.length > 1 ? ` (and ${bogus.length - 1} more bad line${bogus.length > 2 ? "s" : ""})` : "";
    throw new BuildoutError(`parse error: ${quoteValue(first.text)} is neither "name = value", a section header nor a continuation line${more}`, file, first.line);
  }

  for (const section of sections.values()) {
    for (const key of section.values()) {
      if (isSpace(key.value[0])) dedentValue(key);
    }
  }
  return sections;
}

/** A value starting on the line after its name: right-stripped, dedented, leading blank lines dropped. */
function dedentValue(key: Key): void {
  const dedented = dedent(rstrip(key.value));
  const blank = LEADING_BLANK_LINES.exec(dedented)?.[0] ?? "";
  const dropped = blank.split("\n").length - 1;
  key.value = dedented.slice(blank.length);
  key.lines = key.lines.slice(dropped, dropped + key.value.split("\n").length);
}
