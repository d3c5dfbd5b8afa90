// Python's notion of whitespace (str.isspace, and `\s` in `re` for str patterns) is wider
// than ECMAScript's in places (U+001C..U+001F, U+0085) and narrower in others (no U+FEFF),
// so the reader must not use String#trim or JS `\s`.
// Loops over char codes rather than regular expressions: every line of a manifest goes through them.
/** Python's `str.isspace()` for one UTF-16 code unit (none of these characters is a surrogate). */
export function isPySpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
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

/** `str.strip()` */
export function pyStrip(text: string): string {
  const start = skipSpaces(text, 0, text.length);
  const end = trimmedEnd(text, start, text.length);
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** `str.rstrip()` */
export function pyRstrip(text: string): string {
  const end = trimmedEnd(text, 0, text.length);
  return end === text.length ? text : text.slice(0, end);
}

/** Index of the first non-whitespace character of `text[from, to)`, or `to` when there is none. */
export function skipSpaces(text: string, from: number, to: number): number {
  let index = from;
  while (index < to && isPySpace(text.charCodeAt(index))) index++;
  return index;
}

/** End of `text[from, to)` without its trailing whitespace (`from` when it is all whitespace). */
export function trimmedEnd(text: string, from: number, to: number): number {
  let end = to;
  while (end > from && isPySpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Index of the first non-whitespace character (0 when there is none), like `NONSPACECRE.search`. */
export function indentOf(line: string): number {
  const index = skipSpaces(line, 0, line.length);
  return index === line.length ? 0 : index;
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

/** Python's universal newlines (`\r\n`, `\r`, `\n`) as `open()` in text mode reads them: every line break becomes `\n`. */
export function normalizeNewlines(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}
