import type { ProblemCode } from "@autowatch/watchfile";
import { PY_SPACE, pySplitlines, pyStrip } from "@autowatch/watchfile/text";
import { eggName, isUrl, parsePipVcsUrl, type PipVcsUrl } from "./url.js";

/**
 * pip requirement files, read as pip 23's `pip._internal.req.req_file` reads them (pure: the
 * caller reads included files). Only what decides VCS sources is kept; the conformance suite
 * compares the outcome with pip's own parser.
 */

/** One requirement of a file: a `-e` line, or a requirement (named `NAME @ URL`, or a bare URL). */
export interface RequirementLine {
  /** First physical line of the logical line (continuations joined), 1-based, as pip counts. */
  line: number;
  editable: boolean;
  /** The requirement as pip sees it after joining, comment removal and `${VAR}` expansion. */
  text: string;
  /** The whole logical line before `${VAR}` expansion. */
  written?: string;
  /** Name from `NAME @`, else the `#egg=` fragment; undefined for a bare URL without egg. */
  name: string | undefined;
  /** The VCS source, when the requirement is a VCS URL. */
  vcs?: PipVcsUrl;
  /** Environment markers (after `;`), verbatim. */
  marker?: string;
}

export interface Include {
  line: number;
  kind: "requirement" | "constraint";
  path: string;
}

export interface ParsedRequirements {
  requirements: RequirementLine[];
  includes: Include[];
  problems: { line: number; level: "error" | "warning" | "info"; code: ProblemCode; message: string }[];
}

/** pip's COMMENT_RE, `(^|\s+)#.*$`, with re's `\s` (Python's whitespace: U+001F is one, U+FEFF is not). */
const COMMENT = new RegExp(`(^|[${PY_SPACE}]+)#.*$`);
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

/** pip's preprocess: split, join `\` continuations, strip comments, expand `${VAR}`. */
export function logicalLines(text: string, env: Record<string, string | undefined>): { line: number; text: string; written: string }[] {
  const physical = pySplitlines(text);
  const joined: { line: number; text: string }[] = [];
  let pending: string[] = [];
  let first = 0;
  physical.forEach((raw, index) => {
    let line = raw;
    const comment = COMMENT.exec(line)?.index === 0;
    if (!line.endsWith("\\") || comment) {
      if (comment) line = ` ${line}`; // so that the comment is still matched once joined
      if (pending.length > 0) {
        pending.push(line);
        joined.push({ line: first, text: pending.join("") });
        pending = [];
      } else joined.push({ line: index + 1, text: line });
    } else {
      if (pending.length === 0) first = index + 1;
      pending.push(line.replace(/^\\+|\\+$/g, ""));
    }
  });
  if (pending.length > 0) joined.push({ line: first, text: pending.join("") });
  const result: { line: number; text: string; written: string }[] = [];
  for (const { line, text: raw } of joined) {
    const stripped = pyStrip(raw.replace(COMMENT, ""));
    if (stripped === "") continue;
    result.push({ line, text: stripped.replace(ENV_VAR, (whole, name: string) => env[name] || whole), written: stripped });
  }
  return result;
}

/** Long options of a requirement file, and whether each takes a value (pip 23's list). */
const LONG_OPTIONS: Record<string, boolean> = {
  "--index-url": true,
  "--extra-index-url": true,
  "--no-index": false,
  "--constraint": true,
  "--requirement": true,
  "--editable": true,
  "--find-links": true,
  "--no-binary": true,
  "--only-binary": true,
  "--prefer-binary": false,
  "--require-hashes": false,
  "--pre": false,
  "--trusted-host": true,
  "--use-feature": true,
  "--install-option": true,
  "--global-option": true,
  "--hash": true,
};
const SHORT_OPTIONS: Record<string, string> = { "-i": "--index-url", "-c": "--constraint", "-r": "--requirement", "-e": "--editable", "-f": "--find-links" };

/** The requirement file's text → its requirements and includes, with problems by line. */
export function parseRequirementsText(
  text: string,
  env: Record<string, string | undefined> = {},
  isDirectory: (target: string) => boolean = () => false,
  exists: (target: string) => boolean = isDirectory,
): ParsedRequirements {
  const parsed: ParsedRequirements = { requirements: [], includes: [], problems: [] };
  for (const { line, text: logical, written } of logicalLines(text, env)) {
    const { args, options } = breakArgsOptions(logical);
    const words = shlexSplit(options);
    if (words === undefined) {
      parsed.problems.push({
        line,
        level: "error",
        code: "introspect.pip.invalid",
        message: `could not split options ${JSON.stringify(options)} (unclosed quote); line ignored, as pip refuses it`,
      });
      continue;
    }
    const opts = parseOptions(words);
    if ("error" in opts) {
      parsed.problems.push({ line, level: "error", code: "introspect.pip.invalid", message: `${opts.error}; line ignored, as pip refuses it` });
      continue;
    }
    if (args !== "") {
      const requirement = parseRequirement(args, line, exists);
      if ("error" in requirement) parsed.problems.push({ line, level: requirement.level, code: requirement.code, message: requirement.error });
      else parsed.requirements.push({ ...requirement, written });
    } else if (opts["--editable"]) {
      const editable = parseEditable(opts["--editable"][0] as string, line, isDirectory);
      if ("error" in editable) parsed.problems.push({ line, level: editable.level, code: editable.code, message: editable.error });
      else parsed.requirements.push({ ...editable, written });
    } else if (opts["--requirement"]) {
      parsed.includes.push({ line, kind: "requirement", path: opts["--requirement"][0] as string });
    } else if (opts["--constraint"]) {
      parsed.includes.push({ line, kind: "constraint", path: opts["--constraint"][0] as string });
    }
  }
  return parsed;
}

/** pip's break_args_options: words up to the first one starting with `-` are the requirement. */
function breakArgsOptions(line: string): { args: string; options: string } {
  const tokens = line.split(" ");
  const cut = tokens.findIndex((token) => token.startsWith("-"));
  if (cut === -1) return { args: tokens.join(" "), options: "" };
  return { args: tokens.slice(0, cut).join(" "), options: tokens.slice(cut).join(" ") };
}

/** Python's `shlex.split` (POSIX mode, no comments); undefined on an unclosed quote or trailing escape. */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word = (word ?? "") + char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && (text[index + 1] === '"' || text[index + 1] === "\\")) word = (word ?? "") + text[++index];
      else word = (word ?? "") + char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
    } else if (char === "\\") {
      if (index + 1 >= text.length) return undefined;
      word = (word ?? "") + text[++index];
    } else if (char === " " || char === "\t" || char === "\r" || char === "\n") {
      // shlex's whitespace: not JavaScript's `\s` (no U+00A0, no \v)
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + char;
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

/** optparse over pip's requirement-file options: values of each option, in order. */
function parseOptions(words: string[]): Record<string, string[]> | { error: string } {
  const values: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const add = (option: string, value: string) => (values[option] ??= []).push(value);
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    if (word === "--") break; // optparse: the rest are arguments
    if (word.startsWith("--")) {
      const equals = word.indexOf("=");
      const given = equals === -1 ? word : word.slice(0, equals);
      const option = longOption(given);
      if (option === undefined) return { error: `no such option: ${given}` };
      if ("ambiguous" in option) return { error: `ambiguous option: ${given} (${option.ambiguous.join(", ")}?)` };
      if (!LONG_OPTIONS[option.name]) {
        if (equals !== -1) return { error: `${option.name} option does not take a value` };
        continue;
      }
      if (equals !== -1) add(option.name, word.slice(equals + 1));
      else if (index + 1 < words.length) add(option.name, words[++index] as string);
      else return { error: `${option.name} option requires 1 argument` };
    } else if (word.startsWith("-") && word !== "-") {
      const option = SHORT_OPTIONS[word.slice(0, 2)];
      if (option === undefined) return { error: `no such option: ${word.slice(0, 2)}` };
      if (word.length > 2) add(option, word.slice(2));
      else if (index + 1 < words.length) add(option, words[++index] as string);
      else return { error: `${word} option requires 1 argument` };
    }
    // other words are positional arguments, which pip ignores on an option line
  }
  return values;
}

/** optparse's abbreviations: a unique prefix of a long option names it. */
function longOption(given: string): { name: string } | { ambiguous: string[] } | undefined {
  if (given in LONG_OPTIONS) return { name: given };
  const candidates = Object.keys(LONG_OPTIONS).filter((name) => name.startsWith(given));
  if (candidates.length === 1) return { name: candidates[0] as string };
  return candidates.length > 1 ? { ambiguous: candidates } : undefined;
}

/**
 * A PEP 508 name, extras, then a version specifier (or nothing). Whitespace between them is
 * pyparsing's (packaging 21.3, pip 23's): space, tab, CR, LF; not JavaScript's `\s`.
 */
const SPECIFIER = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?[ \t\r\n]*(\[[^\]]*\])?[ \t\r\n]*([<>=!~(,]|$)/;
/** `NAME [extras] @ URL`: packaging 21.3's URI is `[^ ]+`, and nothing but whitespace may follow it (markers are cut off before). */
const NAMED_URL = /^([A-Za-z0-9][A-Za-z0-9._-]*)[ \t\r\n]*(\[[^\]]*\])?[ \t\r\n]*@[ \t\r\n]*([^ ]+)[ \t\r\n]*$/;

type Parsed = RequirementLine | { error: string; level: "error" | "warning" | "info"; code: ProblemCode };

/** `-e URL`: pip's parse_editable (a VCS URL with `#egg=`; local paths are no sources). */
function parseEditable(value: string, line: number, isDirectory: (target: string) => boolean): Parsed {
  const local = value.replace(/\[[^\]]*\]$/, "");
  if (isDirectory(local) || /^file:/i.test(local))
    return { error: `-e ${JSON.stringify(value)}: a local project, not a VCS source`, level: "info", code: "introspect.pip.local" };
  let url = value;
  for (const vcs of ["git", "hg", "svn", "bzr"]) {
    if (url.toLowerCase().startsWith(`${vcs}:`)) {
      url = `${vcs}+${url}`;
      break;
    }
  }
  const vcs = parsePipVcsUrl(url);
  if (vcs === undefined) {
    return {
      error: `-e ${JSON.stringify(value)}: neither a local project directory nor a VCS URL pip knows (git+, hg+, svn+, bzr+ with ://); line ignored, as pip refuses it`,
      level: "error",
      code: "introspect.pip.invalid",
    };
  }
  if ("error" in vcs) return { error: vcs.error, level: "error", code: "introspect.pip.invalid" };
  const name = eggName(url);
  if (!name)
    return {
      error: `-e ${JSON.stringify(value)}: no #egg=NAME, which pip requires of an editable VCS URL; line ignored`,
      level: "error",
      code: "introspect.pip.invalid",
    };
  return { line, editable: true, text: value, name, vcs };
}

/** A requirement line: `NAME [extras] @ URL [; markers]`, a bare URL, or a plain specifier (no source). */
function parseRequirement(text: string, line: number, exists: (target: string) => boolean): Parsed {
  const url = isUrl(text);
  const separator = url ? "; " : ";";
  const cut = text.indexOf(separator);
  const body = pyStrip(cut === -1 ? text : text.slice(0, cut));
  const marker = cut === -1 ? undefined : pyStrip(text.slice(cut + separator.length)) || undefined;
  const base = { line, editable: false, text, ...(marker === undefined ? {} : { marker }) };
  if (url) {
    const vcs = parsePipVcsUrl(body);
    if (vcs !== undefined && "error" in vcs) return { error: vcs.error, level: "error", code: "introspect.pip.invalid" };
    return { ...base, name: eggName(body), ...(vcs ? { vcs } : {}) };
  }
  const named = NAMED_URL.exec(body);
  if (!named) {
    if (SPECIFIER.test(body)) return { ...base, name: /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(body)?.[0] };
    // anything else pip reads as a local path or archive, and refuses when there is none
    if (exists(body.replace(/\[[^\]]*\]$/, ""))) return { ...base, name: undefined };
    return {
      error: `invalid requirement ${JSON.stringify(body)}: neither NAME[...] nor NAME @ URL nor an existing path; line ignored, as pip refuses it`,
      level: "error",
      code: "introspect.pip.invalid",
    };
  }
  const vcs = parsePipVcsUrl(named[3] as string);
  if (vcs !== undefined && "error" in vcs) return { error: vcs.error, level: "error", code: "introspect.pip.invalid" };
  return { ...base, name: named[1], ...(vcs ? { vcs } : {}) };
}
