/**
 * The few Python string and path behaviours zc.buildout relies on, reproduced exactly:
 * Python's notion of whitespace differs from JavaScript's (`\x1c`-`\x1f` and `\x85` are
 * whitespace, `\uFEFF` is not), `os.path.join` does not normalise, `textwrap.dedent`
 * only looks at spaces and tabs.
 */

/** The characters for which Python's `str.isspace()` (and `re`'s `\s`) is true. */
export const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** `PY_SPACE` as a test on one UTF-16 code unit (every Python space is in the BMP). */
export function isSpaceCode(code: number): boolean {
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

export function isSpace(char: string | undefined): boolean {
  return char !== undefined && char.length === 1 && isSpaceCode(char.charCodeAt(0));
}

/** Index of the first non-space at or after `from` (`text.length` when none). Scanners, not `\s+$`: that pattern is quadratic on long runs of spaces. */
export function skipSpace(text: string, from = 0): number {
  let index = from;
  while (index < text.length && isSpaceCode(text.charCodeAt(index))) index++;
  return index;
}

/** One past the last non-space before `to` (`from` when none). */
export function trimEnd(text: string, from = 0, to = text.length): number {
  let end = to;
  while (end > from && isSpaceCode(text.charCodeAt(end - 1))) end--;
  return end;
}

export function strip(text: string): string {
  const end = trimEnd(text);
  const start = end === 0 ? 0 : skipSpace(text);
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

export function rstrip(text: string, chars?: string): string {
  if (chars === undefined) {
    const end = trimEnd(text);
    return end === text.length ? text : text.slice(0, end);
  }
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** Python's `str` ordering: by code point (JavaScript compares UTF-16 code units). */
export function compareStrings(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!.codePointAt(0)!;
    const y = right[i]!.codePointAt(0)!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** `textwrap.dedent` (Python 3.11). */
export function dedent(text: string): string {
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

/** `posixpath.join` of two parts: no normalisation, an absolute second part wins. */
export function pathJoin(base: string, name: string): string {
  if (name.startsWith("/")) return name;
  if (base === "" || base.endsWith("/")) return base + name;
  return `${base}/${name}`;
}

/** `posixpath.dirname`. */
export function dirname(path: string): string {
  const head = path.slice(0, path.lastIndexOf("/") + 1);
  const end = trimSlashes(head);
  // all slashes (the root) stays as it is
  return end === 0 ? head : head.slice(0, end);
}

/** One past the last character of `text` that is not "/" (a scan: `\/+$` is quadratic on long runs). */
export function trimSlashes(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end;
}

/** `posixpath.normpath` (what `abspath` applies). */
export function normpath(path: string): string {
  if (path === "") return ".";
  const initial = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (initial === 0 && parts.length === 0) || parts[parts.length - 1] === "..") {
      parts.push(part);
    } else if (parts.length > 0) {
      parts.pop();
    }
  }
  const joined = "/".repeat(initial) + parts.join("/");
  return joined === "" ? "." : joined;
}

/** `zc.buildout.buildout._isurl`. */
export function isUrl(text: string): boolean {
  return /^[a-zA-Z0-9+.-]+:\/\//.test(text);
}
