/**
 * The few Python string and path behaviours zc.buildout relies on, reproduced exactly:
 * Python's notion of whitespace differs from JavaScript's (`\x1c`-`\x1f` and `\x85` are
 * whitespace, `\uFEFF` is not), `os.path.join` does not normalise, `textwrap.dedent`
 * only looks at spaces and tabs.
 */

/** The characters for which Python's `str.isspace()` (and `re`'s `\s`) is true. */
export const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const space = new RegExp(`^[${PY_SPACE}]$`);
const leading = new RegExp(`^[${PY_SPACE}]+`);
const trailing = new RegExp(`[${PY_SPACE}]+$`);

export function isSpace(char: string | undefined): boolean {
  return char !== undefined && char !== "" && space.test(char);
}

export function strip(text: string): string {
  return rstrip(text).replace(leading, "");
}

export function rstrip(text: string, chars?: string): string {
  if (chars === undefined) return text.replace(trailing, "");
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
  if (head !== "" && !/^\/+$/.test(head)) return head.replace(/\/+$/, "");
  return head;
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
