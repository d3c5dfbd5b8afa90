// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/**
 * The few Python path behaviours zc.buildout relies on, reproduced exactly: `os.path.join`
 * does not normalise, `dirname` keeps the root, `normpath` keeps a leading `//`.
 */

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
