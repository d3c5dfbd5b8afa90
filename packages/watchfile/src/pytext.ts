// Python's text rules, for the two Python dialects autowatch reads by hand: ConfigParser
// (MANIFEST.cfg, @autowatch/manifest) and zc.buildout (@autowatch/introspect).
// Python's notion of whitespace (str.isspace, and `\s` in `re` for str patterns) is wider than
// ECMAScript's in places (U+001C..U+001F, U+0085) and narrower in others (no U+FEFF), so the
// readers must not use String#trim or JS `\s`.
// Loops over char codes rather than regular expressions: every line of a manifest goes through
// them, and a pattern such as `\s+$` is quadratic on long runs of spaces.

/** The characters for which Python's `str.isspace()` (and `re`'s `\s`) is true, as the body of a RegExp character class. */
export const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Python's `str.isspace()` for one UTF-16 code unit (none of these characters is a surrogate; NaN is no space). */
export function isPySpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Index of the first non-whitespace character of `text[from, to)`, or `to` when there is none. */
export function skipPySpaces(text: string, from = 0, to = text.length): number {
  let index = from;
  while (index < to && isPySpace(text.charCodeAt(index))) index++;
  return index;
}

/** End of `text[from, to)` without its trailing whitespace (`from` when it is all whitespace). */
export function pyTrimmedEnd(text: string, from = 0, to = text.length): number {
  let end = to;
  while (end > from && isPySpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** `str.strip()` */
export function pyStrip(text: string): string {
  const start = skipPySpaces(text);
  const end = pyTrimmedEnd(text, start);
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** `str.rstrip()`, or `str.rstrip(chars)`. */
export function pyRstrip(text: string, chars?: string): string {
  if (chars === undefined) {
    const end = pyTrimmedEnd(text);
    return end === text.length ? text : text.slice(0, end);
  }
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** `str.split()` without arguments: whitespace-separated tokens, no empty ones. */
export function pySplit(text: string): string[] {
  // Counted first so that the array is allocated at its size (a growing array over-allocates).
  let count = 0;
  for (let index = 0, inToken = false; index < text.length; index++) {
    const space = isPySpace(text.charCodeAt(index));
    if (!space && !inToken) count++;
    inToken = !space;
  }
  const tokens = new Array<string>(count);
  let found = 0;
  let start = -1;
  for (let index = 0; index < text.length; index++) {
    if (isPySpace(text.charCodeAt(index))) {
      if (start >= 0) tokens[found++] = text.slice(start, index);
      start = -1;
    } else if (start < 0) {
      start = index;
    }
  }
  if (start >= 0) tokens[found] = text.slice(start);
  return tokens;
}

/**
 * The whitespace `int()` allows around the digits of a string: `str.isspace()` but for
 * U+001C..U+001F (`int` goes by C's `isspace` for ASCII), as a RegExp class body.
 */
export const PY_INT_SPACE = "\\t\\n\\x0b\\x0c\\r\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** The line breaks of Python's `str.splitlines()`: `\r\n`, and each of these alone. */
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** `str.splitlines()` (without `keepends`): a final line break ends the last line, it starts no empty one. */
export function pySplitlines(text: string): string[] {
  const lines = text.split(PY_LINE_BREAK);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Python's universal newlines (`\r\n`, `\r`, `\n`) as `open()` in text mode reads them: every line break becomes `\n`. */
export function normalizeNewlines(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

/** Python's `str` ordering: by code point (JavaScript compares UTF-16 code units). */
export function comparePyStrings(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!.codePointAt(0)!;
    const y = right[i]!.codePointAt(0)!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** `textwrap.dedent` (Python 3.11): only spaces and tabs count as margin. */
export function pyDedent(text: string): string {
  const lines = text.split("\n").map((line) => (/^[ \t]+$/.test(line) ? "" : line));
  let margin: string | undefined;
  for (const line of lines) {
    const match = /^([ \t]*)[^ \t\n]/.exec(line);
    if (!match) continue;
    const indent = match[1]!;
    if (margin === undefined || indent.startsWith(margin)) {
      margin ??= indent;
    } else if (margin.startsWith(indent)) {
      margin = indent;
    } else {
      let common = 0;
      while (common < margin.length && common < indent.length && margin[common] === indent[common]) common++;
      margin = margin.slice(0, common);
    }
  }
  const cleaned = lines.join("\n");
  if (!margin) return cleaned;
  return cleaned
    .split("\n")
    .map((line) => (line.startsWith(margin) ? line.slice(margin.length) : line))
    .join("\n");
}
