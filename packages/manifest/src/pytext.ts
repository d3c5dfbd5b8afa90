// Python's notion of whitespace (str.isspace, and `\s` in `re` for str patterns) is wider
// than ECMAScript's in places (U+001C..U+001F, U+0085) and narrower in others (no U+FEFF),
// so the reader must not use String#trim or JS `\s`.
const WHITESPACE = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const LEADING = new RegExp(`^[${WHITESPACE}]+`);
const TRAILING = new RegExp(`[${WHITESPACE}]+$`);
const NON_SPACE = new RegExp(`[^${WHITESPACE}]`);
const RUNS = new RegExp(`[${WHITESPACE}]+`);

/** `str.strip()` */
export function pyStrip(text: string): string {
  return pyRstrip(text.replace(LEADING, ""));
}

/** `str.rstrip()` */
export function pyRstrip(text: string): string {
  return text.replace(TRAILING, "");
}

/** Index of the first non-whitespace character (0 when there is none), like `NONSPACECRE.search`. */
export function indentOf(line: string): number {
  const match = NON_SPACE.exec(line);
  return match ? match.index : 0;
}

/** `str.split()` without arguments: whitespace-separated tokens, no empty ones. */
export function pySplit(text: string): string[] {
  const stripped = pyStrip(text);
  return stripped === "" ? [] : stripped.split(RUNS);
}

/** Python's universal-newlines line splitting (`\r\n`, `\r`, `\n`) as `open()` in text mode does it. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
