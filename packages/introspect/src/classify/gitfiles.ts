// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import { readFileSync, readdirSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import { refNameProblem } from "@autowatch/watchfile/text";
import { addRefName, type GitRefs } from "./git.js";

// Fast path: a checkout's refs read from git's "files" ref backend (gitrepository-layout(5),
// git-pack-refs(1)) without spawning git. `git for-each-ref` stays the authority: anything this
// reader does not fully understand makes it answer undefined, and the caller asks git.

/** What a loose ref file or HEAD holds. */
export type RefValue = { oid: string } | { symref: string };

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** git treats a ref holding the null object id as broken and skips it. */
const NULL_OID = /^0+$/;
/** A remote's default branch pointer, which for-each-ref lists and the classifier ignores. */
const REMOTE_HEAD = /^refs\/remotes\/[^/]+\/HEAD$/;
/** Environment variables that make git read refs from elsewhere or treat them differently. */
const OVERRIDES = new Set(["GIT_DIR", "GIT_COMMON_DIR", "GIT_NAMESPACE"]);

/** Whether git-check-ref-format(1) accepts a full ref name (`refs/...`); U+FFFD: a name that was not UTF-8 on disk. */
export function isValidRefName(name: string): boolean {
  return name.includes("/") && !name.includes("\ufffd") && refNameProblem(name) === undefined;
}

function isOid(text: string): boolean {
  return OID.test(text) && !NULL_OID.test(text);
}

/** A loose ref file or HEAD: exactly `<oid>\n` or `ref: <name>\n`, else undefined (pure). */
export function parseRefFile(text: string): RefValue | undefined {
  if (!text.endsWith("\n")) return undefined;
  const body = text.slice(0, -1);
  if (body.startsWith("ref: ")) {
    const target = body.slice("ref: ".length);
    return isValidRefName(target) ? { symref: target } : undefined;
  }
  return isOid(body) ? { oid: body } : undefined;
}

/**
 * The ref names of a packed-refs file (pure): an optional `# pack-refs with:` header, then
 * `<oid> <name>` lines, each optionally followed by one `^<oid>` peeled line. Undefined for
 * any other line (git never writes CRLF: a `\r` makes the name invalid).
 */
export function parsePackedRefs(text: string): string[] | undefined {
  if (text === "") return [];
  if (!text.endsWith("\n")) return undefined;
  const names: string[] = [];
  let afterRef = false;
  for (const [index, line] of text.slice(0, -1).split("\n").entries()) {
    if (index === 0 && line.startsWith("# pack-refs with:")) continue;
    if (line.startsWith("^")) {
      if (!afterRef || !OID.test(line.slice(1))) return undefined;
      afterRef = false;
      continue;
    }
    const space = line.indexOf(" ");
    const name = line.slice(space + 1);
    if (space < 0 || !isOid(line.slice(0, space)) || !isValidRefName(name)) return undefined;
    names.push(name);
    afterRef = true;
  }
  return names;
}

class AskGit extends Error {}

/**
 * The refs `git for-each-ref` would list for a checkout (without `upstream`, which lives in the
 * configuration), read from the files under `.git`; undefined whenever git should be asked:
 * `.git` is not a plain directory of a repository of ours, reftable, an unusual HEAD or ref file,
 * a name git would refuse, an unparsable packed-refs, environment overrides, any I/O error.
 */
export function readGitRefsFromFiles(checkoutDir: string, env: NodeJS.ProcessEnv = process.env): GitRefs | undefined {
  if (Object.keys(env).some((key) => OVERRIDES.has(key) || key.startsWith("GIT_REF"))) return undefined;
  const gitDir = path.join(checkoutDir, ".git");
  try {
    if (!ownedByUs(checkoutDir) || !ownedByUs(gitDir)) return undefined; // git may refuse it (safe.directory)
    const entries = new Map(readdirSync(gitDir, { withFileTypes: true }).map((entry) => [entry.name, entry]));
    const is = (name: string, kind: "file" | "dir") => (kind === "file" ? entries.get(name)?.isFile() : entries.get(name)?.isDirectory()) === true;
    // commondir: a linked worktree's own git directory; reftable: the other ref backend
    if (!is("HEAD", "file") || !is("refs", "dir") || !is("objects", "dir") || entries.has("commondir") || entries.has("reftable")) return undefined;
    if (entries.has("packed-refs") && !is("packed-refs", "file")) return undefined;

    const head = parseRefFile(readFileSync(path.join(gitDir, "HEAD"), "utf8"));
    // a reftable repository's HEAD is `ref: refs/heads/.invalid`, which parseRefFile refuses
    if (!head || ("symref" in head && !head.symref.startsWith("refs/heads/"))) return undefined;

    // loose before packed, as git does: a concurrent pack-refs moves refs the other way
    const names: string[] = [];
    for (const top of ["refs/heads", "refs/remotes", "refs/tags"]) readLooseRefs(gitDir, top, names, true);
    if (entries.has("packed-refs")) {
      const packed = parsePackedRefs(readFileSync(path.join(gitDir, "packed-refs"), "utf8"));
      if (!packed) return undefined;
      names.push(...packed);
    }

    const refs: GitRefs = { branches: new Set(), remoteBranches: new Map(), tags: new Set() };
    for (const name of [...new Set(names)].sort()) addRefName(refs, name);
    const current = "symref" in head ? head.symref.slice("refs/heads/".length) : undefined;
    if (current !== undefined && refs.branches.has(current)) refs.current = current; // not on an unborn branch
    return refs;
  } catch {
    return undefined;
  }
}

function ownedByUs(file: string): boolean {
  const uid = process.getuid?.();
  return uid === undefined || statSync(file).uid === uid;
}

/** Appends the loose refs under `dir` (relative to gitDir) to `names`; throws AskGit on anything unusual. */
function readLooseRefs(gitDir: string, dir: string, names: string[], top = false): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(gitDir, dir), { withFileTypes: true });
  } catch (error) {
    if (top && (error as NodeJS.ErrnoException).code === "ENOENT") return; // no tags, no remotes yet
    throw error;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name.endsWith(".lock")) continue; // git skips these too
    const name = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      readLooseRefs(gitDir, name, names);
    } else if (REMOTE_HEAD.test(name)) {
      continue;
    } else if (entry.isFile() && isValidRefName(name) && holdsOid(path.join(gitDir, name))) {
      names.push(name);
    } else {
      throw new AskGit(name); // a symbolic link, a symbolic ref, a refused name, unexpected content
    }
  }
}

function holdsOid(file: string): boolean {
  const value = parseRefFile(readFileSync(file, "utf8"));
  return value !== undefined && "oid" in value;
}
