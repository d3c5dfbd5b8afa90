/**
 * Loading a configuration with its `extends`, as `zc.buildout.buildout._open`,
 * `_update` and `_update_section` do it, through a file-system callback (no I/O here).
 */
import { createHash } from "./hash.js";
import { comparePyStrings, LIMITS, PY_SPACE, quoteValue, pyRstrip } from "@autowatch/watchfile/text";
import type { PyValue } from "./condition/index.js";
import {
  BuildoutError,
  IMPLICIT_VALUE,
  Key,
  MAX_TOTAL_WORK,
  OPTION_WORK,
  type Section,
  type Sections,
  cloneSection,
  cloneSections,
  optionCount,
} from "./model.js";
import { parseSections } from "./parse.js";
import { dirname, isUrl, normpath, pathJoin } from "./posixpath.js";

/** Everything the resolver reads goes through this. */
export interface ResolveFileSystem {
  /** The text of a file, or why it cannot be read. */
  readFile(path: string): { text: string } | { error: string };
  exists(path: string): boolean;
  realpath(path: string): string;
}

/** Where an `extends` (or the `-c` file) was asked for, to name it in errors. */
export interface Referrer {
  file?: string;
  line?: number;
}

export interface LoadContext {
  fs: ResolveFileSystem;
  globals: () => Map<string, PyValue>;
  /**
   * Each file read and merged with what it extends once per resolution (a diamond of
   * extends would otherwise be read 2^depth times), keyed by name and download options.
   */
  opened?: Map<string, { sections: Sections; height: number }>;
  /** How deep the extends under the file `openConfig` last returned go (1: it extends nothing). */
  height?: number;
  /** Options copied and merged so far, against MAX_TOTAL_WORK (`extends = a.cfg a.cfg ...` a million times). */
  work?: number;
}

function charge(context: LoadContext, sections: Sections, referrer: Referrer): void {
  context.work = (context.work ?? 0) + OPTION_WORK * optionCount(sections);
  if (context.work > MAX_TOTAL_WORK) {
    throw new BuildoutError(
      "buildout.limit",
      `the extends take too much work to merge (more than ${MAX_TOTAL_WORK / OPTION_WORK} options copied)`,
      referrer.file,
      referrer.line,
    );
  }
}

const WHITESPACE = new RegExp(`[${PY_SPACE}]+`);
const MAX_DEPTH = LIMITS.extendsDepth;

export function splitWords(text: string): string[] {
  return text.split(WHITESPACE).filter(Boolean);
}

/** `_update_section`: s2 on top of s1 (s1 is changed and returned), `+=` and `-=` applied. */
export function updateSection(s1: Section, s2Original: Section): Section {
  const s2 = cloneSection(s2Original);
  const ordered = [...s2].sort(([a], [b]) => comparePyStrings(pyRstrip(a, " +"), pyRstrip(b, " +")) || comparePyStrings(a.slice(-1), b.slice(-1)));
  for (const [name, key] of ordered) {
    const add = name.endsWith("+");
    if (!add && !name.endsWith("-")) continue;
    const target = pyRstrip(name, add ? " +" : " -");
    const existing = s2.get(target) ?? s1.get(target) ?? new Key("", IMPLICIT_VALUE);
    if (add) existing.addToValue(key);
    else existing.removeFromValue(key);
    s2.set(target, existing);
    s2.delete(name);
  }
  for (const [name, key] of s2) {
    const existing = s1.get(name);
    if (existing) existing.overrideValue(key);
    else s1.set(name, key);
  }
  return s1;
}

/** `_update`: every section of d2 on top of d1 (d1 is changed and returned). */
export function updateSections(d1: Sections, d2: Sections): Sections {
  for (const [name, section] of d2) {
    const existing = d1.get(name);
    d1.set(name, existing ? updateSection(existing, section) : section);
  }
  return d1;
}

export function boolOption(values: Map<string, string>, name: string, fallback?: string): boolean {
  const value = values.get(name) ?? fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new BuildoutError(
    "buildout.option.invalid",
    `invalid value for ${quoteValue(name)} option: ${quoteValue(value ?? "")} (zc.buildout accepts only true or false)`,
  );
}

function plain(section: Section): Map<string, string> {
  return new Map([...section].map(([name, key]) => [name, key.value]));
}

/** `zc.buildout.download.Download` for extends, never reaching the network. */
function download(url: string, dl: Map<string, string>, context: LoadContext, referrer: Referrer): { text: string; source: string } {
  const fileUrl = /^file:\/\/[^/]*(\/.*)$/.exec(url);
  if (fileUrl) return { ...readOrFail(fileUrl[1]!, context, referrer), source: url };
  const offline = dl.get("offline") === "true" || dl.get("install-from-cache") === "true";
  const cache = dl.get("extends-cache");
  if (cache) {
    const directory = context.fs.realpath(pathJoin(dl.get("directory") ?? "", cache));
    if (!context.fs.exists(directory)) {
      throw new BuildoutError("buildout.extends", `the extends-cache directory ${quoteValue(directory)} does not exist`, referrer.file, referrer.line);
    }
    const cached = pathJoin(directory, createHash("md5").update(url, "utf8").digest("hex"));
    if (context.fs.exists(cached)) return { ...readOrFail(cached, context, referrer), source: url };
    throw new BuildoutError(
      "buildout.extends",
      `${quoteValue(url)} is not in the extends-cache ${quoteValue(directory)}${offline ? " (offline mode)" : ""}, and autowatch never downloads: run bin/buildout first`,
      referrer.file,
      referrer.line,
    );
  }
  throw new BuildoutError(
    "buildout.extends",
    offline
      ? `couldn't download ${quoteValue(url)} in offline mode`
      : `cannot read ${quoteValue(url)}: autowatch never downloads and no extends-cache is set in [buildout]`,
    referrer.file,
    referrer.line,
  );
}

function readOrFail(path: string, context: LoadContext, referrer: Referrer): { text: string } {
  const read = context.fs.readFile(path);
  if ("error" in read) {
    throw new BuildoutError("buildout.read.failed", `cannot read ${quoteValue(path)}: ${read.error}`, referrer.file, referrer.line);
  }
  return read;
}

/**
 * `_open`: reads `filename` (relative to `base`), then what it extends, depth first,
 * several bases left to right, and returns the merged sections. `dlOptions` is shared
 * down the recursion and changed as zc.buildout changes it (download settings).
 */
export function openConfig(
  base: string,
  filename: string,
  seen: string[],
  dlOptions: Section,
  override: Section,
  context: LoadContext,
  referrer: Referrer,
): Sections {
  updateSection(dlOptions, override);
  const dl = plain(dlOptions);
  try {
    boolOption(dl, "newest", "false");
  } catch (error) {
    if (error instanceof BuildoutError) throw new BuildoutError(error.code, error.message, referrer.file, referrer.line);
    throw error;
  }
  const url = isUrl(filename) || (isUrl(base) && !filename.startsWith("/"));
  const name = url ? (isUrl(filename) ? filename : `${base}/${filename}`) : normpath(isUrl(base) ? filename : pathJoin(base, filename));
  const memoKey = `${name}\0${JSON.stringify([...dl])}`;
  const known = seen.includes(name) ? undefined : context.opened?.get(memoKey);
  if (known) {
    if (seen.length + known.height > MAX_DEPTH)
      throw new BuildoutError("buildout.limit", `extends nested more than ${MAX_DEPTH} deep`, referrer.file, referrer.line);
    context.height = known.height;
    charge(context, known.sections, referrer);
    // callers merge into what they get: a copy
    return cloneSections(known.sections);
  }
  const text = url ? download(name, dl, context, referrer).text : readOrFail(name, context, referrer).text;
  base = url ? name.slice(0, name.lastIndexOf("/")) : dirname(name);

  if (seen.includes(name)) {
    throw new BuildoutError(
      "buildout.extends",
      `recursive file include: ${quoteValue(name)} extends itself through ${seen.map((s) => quoteValue(s)).join(" -> ")}`,
      referrer.file,
      referrer.line,
    );
  }
  if (seen.length >= MAX_DEPTH) throw new BuildoutError("buildout.limit", `extends nested more than ${MAX_DEPTH} deep`, referrer.file, referrer.line);
  const root = seen.length === 0;
  seen.push(name);

  let result = parseSections(text, name, { globals: context.globals });
  const buildout = result.get("buildout");
  const extendsKey = buildout?.get("extends");
  buildout?.delete("extends");
  const extendedBy = buildout?.get("extended-by");
  if (extendedBy) throw new BuildoutError("buildout.extends", `the "extended-by" option is no longer supported`, name, extendedBy.line);

  if (root && buildout) updateSection(dlOptions, buildout);

  let height = 1;
  if (extendsKey) {
    const from = { file: name, line: extendsKey.line };
    const [first, ...others] = splitWords(extendsKey.value);
    if (first !== undefined) {
      const open = (file: string) => {
        const sections = openConfig(base, file, seen, dlOptions, override, context, from);
        height = Math.max(height, 1 + (context.height ?? 1));
        charge(context, sections, from);
        return sections;
      };
      const merged = open(first);
      for (const other of others) updateSections(merged, open(other));
      result = updateSections(merged, result);
    }
  }
  seen.pop();
  (context.opened ??= new Map()).set(memoKey, { sections: cloneSections(result), height });
  context.height = height;
  return result;
}
