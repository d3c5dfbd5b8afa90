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
  const start = indentOf(text);
  const end = rstripEnd(text);
  return start === 0 && end === text.length ? text : end <= start ? "" : text.slice(start, end);
}

/** `str.rstrip()` */
export function pyRstrip(text: string): string {
  const end = rstripEnd(text);
  return end === text.length ? text : text.slice(0, end);
}

function rstripEnd(text: string): number {
  let end = text.length;
  while (end > 0 && isPySpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Index of the first non-whitespace character (0 when there is none), like `NONSPACECRE.search`. */
export function indentOf(line: string): number {
  for (let index = 0; index < line.length; index++) if (!isPySpace(line.charCodeAt(index))) return index;
  return 0;
}

/** `str.split()` without arguments: whitespace-separated tokens, no empty ones. */
export function pySplit(text: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let index = 0; index < text.length; index++) {
    if (isPySpace(text.charCodeAt(index))) {
      if (start >= 0) tokens.push(text.slice(start, index));
      start = -1;
    } else if (start < 0) {
      start = index;
    }
  }
  if (start >= 0) tokens.push(text.slice(start));
  return tokens;
}

/** Python's universal-newlines line splitting (`\r\n`, `\r`, `\n`) as `open()` in text mode does it. */
export function splitLines(text: string): string[] {
  const lines = text.includes("\r") ? text.split(/\r\n|\r|\n/) : text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
