import path from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import type { Problem, ProblemCode } from "@autowatch/watchfile";
import { makeProblem, pySplit, quoteValue } from "@autowatch/watchfile/text";
import type { SourceSpec } from "../../extract/types.js";
import { CREDENTIALS_REMOVED, userInfoFromVariable, withoutCredentials } from "../credentials.js";

/**
 * git-aggregator 4.x `repos.yaml` (pure): a mapping of target directory to `remotes`, `merges`,
 * `target`, `defaults`, `fetch_all`, `shell_command_after`, validated as its get_repos does.
 * Each merge line is a source on the merge's remote URL. A repository that git-aggregator would
 * refuse is reported (file, line) and skipped; the others still count.
 */
export interface ReposExtraction {
  sources: SourceSpec[];
  problems: Problem[];
  /** The YAML could not be read at all. */
  fatal?: Problem;
}

/** Python's string.Template, as `gitaggregate --expand-env` applies it to the whole file. */
const PLACEHOLDER = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\}|())/gi;

/**
 * `$VAR`, `${VAR}` and `$$` expanded from `env`; undefined names (and invalid placeholders) are
 * left as written and reported with their line.
 */
export function expandEnv(
  text: string,
  env: Record<string, string | undefined>,
): { text: string; undefinedAt: { name: string; line: number }[]; invalidAt: number[] } {
  const undefinedAt: { name: string; line: number }[] = [];
  const invalidAt: number[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  const expanded = text.replace(
    PLACEHOLDER,
    (whole, escaped: string | undefined, named: string | undefined, braced: string | undefined, _invalid, offset: number) => {
      if (escaped !== undefined) return "$";
      const name = named ?? braced;
      if (name === undefined) {
        invalidAt.push(lineOf(offset));
        return whole;
      }
      const value = env[name];
      if (value === undefined) {
        undefinedAt.push({ name, line: lineOf(offset) });
        return whole;
      }
      return value;
    },
  );
  return { text: expanded, undefinedAt, invalidAt };
}

/** `pull/N/head` as git fetch understands it (`refs/<name>` is its second guess): the full ref a poller needs. */
function fullRef(ref: string): string {
  return /^(pull|merge-requests)\/[^/]+\/(head|merge)$/.test(ref) ? `refs/${ref}` : ref;
}

export function extractRepos(text: string, file: string, env: Record<string, string | undefined>): ReposExtraction {
  const result: ReposExtraction = { sources: [], problems: [] };
  const report = (level: Problem["level"], code: ProblemCode, line: number | undefined, message: string) =>
    result.problems.push(makeProblem(level, code, message, { file, line }));

  const expansion = expandEnv(text, env);
  const tainted = new Set<number>();
  for (const { name, line } of expansion.undefinedAt) {
    tainted.add(line);
    report(
      "error",
      "introspect.aggregator.env",
      line,
      `$${name} is not defined in the environment (gitaggregate --expand-env would stop); what uses it is skipped`,
    );
  }
  for (const line of expansion.invalidAt) {
    tainted.add(line);
    report("error", "introspect.aggregator.env", line, "invalid $ placeholder (write $$ for a dollar sign); what uses it is skipped");
  }

  const lines = new LineCounter();
  // YAML 1.1 as PyYAML reads it (8.0 is a float, yes a boolean)
  const document = parseDocument(expansion.text, { version: "1.1", lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const lineAt = (node: Node | null | undefined): number | undefined => (node?.range ? lines.linePos(node.range[0]).line : undefined);
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const line = error ? lines.linePos(error.pos[0]).line : undefined;
    result.fatal = makeProblem("error", "introspect.aggregator.yaml", `not valid YAML: ${error?.message.split("\n")[0] ?? "unknown error"}`, { file, line });
    return result;
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return result;
  if (!isMap(root)) {
    result.fatal = makeProblem("error", "introspect.aggregator.yaml", "expected a mapping of directories to repositories", { file, line: lineAt(root) });
    return result;
  }
  const base = path.dirname(file);
  const written = text.split("\n");
  const cleaned = new Set<number | undefined>();
  const anchors = new Anchors(document);
  for (const pair of anchors.pairs(root)) {
    const directory = scalarText(pair.key);
    const at = lineAt(pair.key as Node) ?? lineAt(pair.value as Node);
    if (directory === undefined) {
      report("error", "introspect.aggregator.invalid", at, "a repository's directory must be a string; skipped");
      continue;
    }
    const repo = readRepository(directory, pair, lineAt, tainted, anchors);
    for (const problem of repo.problems) report(problem.level, problem.code, problem.line ?? at, `${quoteValue(directory)}: ${problem.message}`);
    const checkout = path.resolve(base, directory);
    for (const merge of repo.merges) {
      const safe = withoutCredentials(merge.url, userInfoFromVariable(merge.urlLine === undefined ? "" : (written[merge.urlLine - 1] ?? "")));
      if (safe.removed && !cleaned.has(merge.urlLine)) {
        cleaned.add(merge.urlLine);
        report("warning", "introspect.url.credentials", merge.urlLine, `${quoteValue(directory)}: remote ${quoteValue(merge.remote)}: ${CREDENTIALS_REMOVED}`);
      }
      result.sources.push({
        kind: "aggregate",
        vcs: "git",
        url: safe.url,
        revision: fullRef(merge.ref),
        checkout,
        declared: { remoteName: merge.remote },
        origin: { file, ...(merge.line === undefined ? {} : { line: merge.line }), section: directory, option: "merges", format: "git-aggregator" },
      });
    }
  }
  return result;
}

type Problems = { level: Problem["level"]; code: ProblemCode; message: string; line?: number }[];

interface Merge {
  remote: string;
  ref: string;
  url: string;
  line: number | undefined;
  /** Line of the remote's URL. */
  urlLine: number | undefined;
}

/**
 * Aliases (`*name`) and merge keys (`<<: *name`, PyYAML's YAML 1.1 reading: keys written in the
 * mapping win, then the merged mappings in order), which repos.yaml files use to share remotes.
 */
class Anchors {
  constructor(private readonly document: Document) {}

  node(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.document) as Node | undefined) ?? null;
    return (node as Node | null) ?? null;
  }

  pairs(map: YAMLMap, depth = 0): Pair[] {
    const own = map.items.filter((pair) => !isMergeKey(pair.key));
    if (own.length === map.items.length || depth > 32) return own;
    const seen = new Set(own.map((pair) => scalarText(pair.key)));
    const result = [...own];
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const value = this.node(pair.value);
      for (const merged of isSeq(value) ? value.items.map((item) => this.node(item)) : [value]) {
        if (!isMap(merged)) continue;
        for (const inner of this.pairs(merged, depth + 1)) {
          const key = scalarText(inner.key);
          if (seen.has(key)) continue;
          seen.add(key);
          result.push(inner);
        }
      }
    }
    return result;
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === "<<" || String(key.value) === "Symbol(<<)" || key.tag === "tag:yaml.org,2002:merge");
}

function readRepository(
  directory: string,
  pair: Pair,
  lineAt: (node: Node | null | undefined) => number | undefined,
  tainted: Set<number>,
  anchors: Anchors,
): { merges: Merge[]; problems: Problems } {
  const problems: Problems = [];
  const fail = (message: string, node?: Node | null): { merges: Merge[]; problems: Problems } => {
    const line = lineAt(node);
    const refused = `${message}; repository skipped (gitaggregate refuses it)`;
    problems.push({ level: "error", code: "introspect.aggregator.invalid", message: refused, ...(line === undefined ? {} : { line }) });
    return { merges: [], problems };
  };
  const value = anchors.node(pair.value);
  if (!isMap(value)) return fail("expected a mapping with remotes, merges and target", value ?? (pair.key as Node));
  const fields = anchors.pairs(value);
  const field = (name: string) => fields.find((item) => scalarText(item.key) === name);

  const remotesPair = field("remotes");
  if (!remotesPair) return fail("remotes is not defined", value);
  const remotes = new Map<string, { url: string; line: number | undefined }>();
  const remotesNode = anchors.node(remotesPair.value);
  if (remotesNode !== null && !isNullScalar(remotesNode)) {
    if (!isMap(remotesNode)) return fail("remotes must map remote names to URLs", remotesNode);
    for (const remote of anchors.pairs(remotesNode as YAMLMap)) {
      const name = scalarText(remote.key) ?? "";
      const url = scalarText(anchors.node(remote.value));
      if (!url) return fail(`no url defined for remote ${quoteValue(name)}`, (remote.value as Node | null) ?? (remote.key as Node));
      remotes.set(name, { url, line: lineAt(remote.value as Node) });
    }
  }
  if (remotes.size === 0) return fail("you should at least define one remote", remotesNode ?? value);

  const mergesPair = field("merges");
  if (!mergesPair) return fail("merges is not defined", value);
  const mergesNode = anchors.node(mergesPair.value);
  const items = mergesNode === null || isNullScalar(mergesNode) ? [] : isSeq(mergesNode) ? mergesNode.items.map((item) => anchors.node(item)) : undefined;
  if (items === undefined) return fail("merges must be a list", mergesNode);
  const merges: Merge[] = [];
  for (const item of items) {
    const line = lineAt(item);
    let remote: string | undefined;
    let ref: string | undefined;
    if (isScalar(item) && typeof item.value === "string") {
      const parts = item.value.split(" ");
      if (parts.length !== 2) return fail(`merge ${quoteValue(item.value)} must be formatted as "remote_name ref"`, item);
      [remote, ref] = parts as [string, string];
    } else if (isMap(item)) {
      const entries = anchors.pairs(item);
      remote = scalarText(anchors.node(entries.find((entry) => scalarText(entry.key) === "remote")?.value));
      ref = scalarText(anchors.node(entries.find((entry) => scalarText(entry.key) === "ref")?.value));
      if (remote === undefined || ref === undefined) return fail("merge lacks mandatory `remote` or `ref` keys", item);
    } else {
      return fail('a merge must be a "remote_name ref" string or a {remote, ref} mapping', item ?? mergesNode);
    }
    const target = remotes.get(remote);
    if (!target) return fail(`merge remote ${quoteValue(remote)} not defined in remotes`, item);
    if ((line !== undefined && tainted.has(line)) || (target.line !== undefined && tainted.has(target.line))) continue;
    merges.push({ remote, ref, url: target.url, line, urlLine: target.line });
  }
  if (merges.length === 0 && items.length === 0) return fail("you should at least define one merge", mergesNode ?? value);

  const targetPair = field("target");
  // git-aggregator: `str(repo_data.get('target', "")).split()`, Python's whitespace
  const targetParts = pySplit(targetPair ? (scalarText(anchors.node(targetPair.value)) ?? "") : "");
  if (targetParts.length > 2) return fail('target must be formatted as "[remote_name] branch_name"', targetPair?.value as Node);
  if (targetParts.length === 2 && !remotes.has(targetParts[0] as string)) {
    return fail(`target remote ${quoteValue(targetParts[0] as string)} not defined in remotes`, targetPair?.value as Node);
  }
  return { merges, problems };
}

function isNullScalar(node: Node): boolean {
  return isScalar(node) && (node.value === null || node.value === undefined);
}

/**
 * A scalar as git-aggregator turns it into text (`str()` in Python): floats keep their `.0`
 * (`ref: 16.0` is "16.0"), booleans are `True`/`False`. Undefined for collections and nulls.
 */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return typeof node === "string" ? node : undefined;
  const value = node.value;
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    const source = node.source ?? "";
    if (Number.isInteger(value) && /[.eE]/.test(String(source)) && Math.abs(value) < 1e16) return `${String(value)}.0`;
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (typeof value === "bigint") return String(value);
  return undefined;
}
