import { existsSync } from "node:fs";
import path from "node:path";
import pLimit from "p-limit";
import type { Origin, PinnedEntry, Problem, ProblemCode, Vcs, WatchEntry } from "@autowatch/watchfile";
import { hasControlCharacters, makeProblem, quoteValue } from "@autowatch/watchfile/text";
import type { SourceSpec } from "../extract/types.js";
import { pathInside } from "../paths.js";
import { GitCheckout, classifyGitRef, type GitRefs } from "./git.js";
import { readGitRefsFromFiles } from "./gitfiles.js";
import { HgCheckout, classifyHgName, type HgNames } from "./hg.js";
import { classifyRevision, live, pinned, type Verdict } from "./rules.js";

type Need = "remotes" | "head";

export * from "./rules.js";
export { GitCheckout, classifyGitRef, parseForEachRef, parseRemoteUrls, type GitRefs } from "./git.js";
export { readGitRefsFromFiles } from "./gitfiles.js";
export { HgCheckout, classifyHgName, parseHgNames, type HgNames } from "./hg.js";

export interface ClassifyProgress {
  done: number;
  total: number;
}

export interface ClassifyOptions {
  /** The buildout directory: paths in messages are relative to it; its own checkout is a source. */
  directory: string;
  /** The configuration file, origin of the buildout's own repository. */
  config?: string;
  /** Also report the buildout's own repository (default true). */
  buildoutRepository?: boolean;
  /** Repositories inspected at once (default 4). */
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: ClassifyProgress) => void;
}

export interface Classification {
  watches: WatchEntry[];
  pinned: PinnedEntry[];
  problems: Problem[];
}

const MARKERS: Record<Vcs, string> = { git: ".git", hg: ".hg", bzr: ".bzr", svn: ".svn" };

/** A checkout on disk, inspected once whatever the number of sources it serves. */
interface Repository {
  vcs: Vcs;
  directory: string;
  git?: GitCheckout;
  hg?: HgCheckout;
  refs?: GitRefs;
  remotes?: Map<string, string>;
  names?: HgNames;
  hgPaths?: Map<string, string>;
  /** Full sha of a detached HEAD. */
  headSha?: string;
  /** Why the checkout could not be read. */
  failure?: string;
}

/** Live or pinned for each source, from its checkout when there is one. */
export async function classifySources(sources: SourceSpec[], options: ClassifyOptions): Promise<Classification> {
  const result: Classification = { watches: [], pinned: [], problems: [] };
  const repositories = new Map<string, Repository>();
  const needs = new Map<string, Set<Need>>();
  for (const source of sources) {
    const key = `${source.vcs}\0${source.checkout}`;
    if (source.checkout !== undefined && !repositories.has(key) && existsSync(path.join(source.checkout, MARKERS[source.vcs]))) {
      repositories.set(key, { vcs: source.vcs, directory: source.checkout });
    }
    const need = needs.get(key) ?? new Set();
    if (source.remote) need.add("remotes");
    needs.set(key, need);
  }
  const self = options.buildoutRepository === false ? undefined : buildoutRepository(options.directory);
  if (self) {
    const key = `${self.vcs}\0${self.directory}`;
    if (!repositories.has(key)) repositories.set(key, self);
    needs.set(key, new Set([...(needs.get(key) ?? []), "remotes", "head"]));
  }

  const limit = pLimit(options.concurrency ?? 4);
  const inspectable = [...repositories.entries()].filter(([, repository]) => repository.vcs === "git" || repository.vcs === "hg");
  let done = 0;
  options.onProgress?.({ done, total: inspectable.length });
  await Promise.all(
    inspectable.map(([key, repository]) =>
      limit(async () => {
        await inspect(repository, needs.get(key) ?? new Set(), options.env);
        options.onProgress?.({ done: ++done, total: inspectable.length });
      }),
    ),
  );

  for (const source of sources) {
    const repository = repositories.get(`${source.vcs}\0${source.checkout}`);
    const outcome = classifyOne(source, repository, options.directory);
    result.problems.push(...outcome.problems.map(({ code, message }) => problemFor(source.origin, code, message)));
    if (outcome.verdict) add(result, source.vcs, outcome.url ?? source.url, outcome.verdict, source.origin);
  }
  if (self) {
    const repository = repositories.get(`${self.vcs}\0${self.directory}`) as Repository;
    const origin: Origin = { file: relativeTo(options.directory, options.config ?? options.directory), section: "buildout", option: "directory" };
    const outcome = classifyBuildoutRepository(repository);
    if (outcome.message) result.problems.push(problemFor(origin, "introspect.self", outcome.message, "info"));
    if (outcome.verdict && outcome.url) add(result, repository.vcs, outcome.url, outcome.verdict, origin);
  }
  return result;
}

function buildoutRepository(directory: string): Repository | undefined {
  for (const vcs of ["git", "hg"] as const) {
    if (existsSync(path.join(directory, MARKERS[vcs]))) return { vcs, directory };
  }
  return undefined;
}

async function inspect(repository: Repository, need: Set<Need>, env?: NodeJS.ProcessEnv): Promise<void> {
  try {
    if (repository.vcs === "git") {
      // a plain source needs only the refs: read from the ref files when they are plain, no git process
      const fromFiles = need.size === 0 ? readGitRefsFromFiles(repository.directory) : undefined;
      if (fromFiles) {
        repository.refs = fromFiles;
        return;
      }
      const git = (repository.git = new GitCheckout(repository.directory));
      repository.refs = await git.refs();
      if (need.has("remotes")) repository.remotes = await git.remoteUrls();
      if (need.has("head") && repository.refs.current === undefined) repository.headSha = await git.head();
    } else {
      const hg = (repository.hg = new HgCheckout(repository.directory, env));
      repository.names = await hg.names();
      if (need.has("remotes")) repository.hgPaths = await hg.paths();
    }
  } catch (error) {
    repository.failure = firstLine(error instanceof Error ? error.message : String(error));
  }
}

interface Outcome {
  verdict?: Verdict;
  /** The URL to report when it differs from the source's (a merge from a remote name). */
  url?: string;
  problems: Noted[];
}

/** A problem of one source, before it is attributed to the line that declared it. */
interface Noted {
  code: ProblemCode;
  message: string;
}

function classifyOne(source: SourceSpec, repository: Repository | undefined, directory: string): Outcome {
  const problems: Noted[] = [];
  const what = `${source.vcs} ${quoteValue(source.url)}${source.revision === undefined ? "" : ` ${quoteValue(source.revision)}`}`;
  const where = source.checkout === undefined ? "(none: installed from a temporary clone)" : quoteValue(relativeTo(directory, source.checkout));
  const withNote = (verdict: Verdict, extra?: string): Outcome => {
    if (extra) problems.push({ code: "introspect.revision.unverified", message: `${what}: ${extra}` });
    if (verdict.note) problems.push({ code: "introspect.revision.ambiguous", message: `${what}: ${verdict.note}` });
    return { verdict, problems };
  };

  const hostile = [source.url, source.revision ?? ""].find((value) => value.startsWith("-") || hasControlCharacters(value));
  if (hostile !== undefined) {
    problems.push({ code: "introspect.source.refused", message: `${what}: refused: ${quoteValue(hostile)} starts with "-" or holds control characters` });
    return { problems };
  }
  if (repository?.failure) {
    problems.push({ code: "introspect.checkout.unreadable", message: `${what}: could not read the checkout at ${where} (${quoteValue(repository.failure)})` });
  }
  const readable = repository && !repository.failure ? repository : undefined;

  let url: string | undefined;
  if (source.remote) {
    const remotes = readable?.remotes;
    url = remotes?.get(source.url);
    if (url === undefined) {
      const why = !readable
        ? `no readable checkout at ${where}`
        : source.vcs === "git"
          ? `the checkout at ${where} has no such remote`
          : "bzr merges have no remote names";
      problems.push({ code: "introspect.remote.unknown", message: `${what}: merge from remote name ${quoteValue(source.url)} skipped: ${why}` });
      return { problems };
    }
  }

  if (source.declared && source.revision !== undefined) return classifyDeclared(source, source.revision, readable, what, where);

  if (source.revision === undefined) {
    const verdict = currentBranch(source.vcs, readable);
    const follows = verdict.revspec === "" ? "the branch" : quoteValue(verdict.revspec);
    problems.push({ code: "introspect.revision.missing", message: `${what}: no revision given; follows ${follows} (live)` });
    return url === undefined ? { verdict, problems } : { verdict, url, problems };
  }

  let verdict: Verdict | undefined;
  if (readable?.refs) verdict = classifyGitRef(source.revision, readable.refs, source.remote ? source.url : undefined);
  else if (readable?.names) verdict = classifyHgName(source.revision, readable.names);
  else if (readable) verdict = classifyRevision(source.vcs, source.revision);
  if (verdict) return { ...withNote(verdict), ...(url === undefined ? {} : { url }) };

  const fallback = classifyRevision(source.vcs, source.revision);
  const reason =
    source.kind === "merge" && readable
      ? undefined // merged from elsewhere: the target checkout need not know the revision
      : readable
        ? `revision not found in the checkout at ${where}; classified from the revision alone (not verified)`
        : source.checkout === undefined
          ? "no checkout to ask; classified from the revision alone (not verified)"
          : `no checkout at ${where}; classified from the revision alone (not verified)`;
  return { ...withNote(fallback, reason), ...(url === undefined ? {} : { url }) };
}

/**
 * Liveness as the declaring line says (git-aggregator): a commit or `refs/tags/…` is pinned, any
 * other ref live. The checkout sits on the tool's own local branch, so it only confirms: a tag
 * of that name makes it a pin, and a remote whose branches were fetched but lack it is reported.
 */
function classifyDeclared(source: SourceSpec, revision: string, readable: Repository | undefined, what: string, where: string): Outcome {
  const verdict = classifyRevision(source.vcs, revision);
  const refs = readable?.refs;
  if (!refs || !verdict.live)
    return { verdict, problems: verdict.note ? [{ code: "introspect.revision.ambiguous", message: `${what}: ${verdict.note}` }] : [] };
  if (refs.tags.has(revision)) return { verdict: pinned(revision, "tag"), problems: [] };
  const fetched = refs.remoteBranches.get(source.declared?.remoteName ?? "");
  if (fetched && !revision.startsWith("refs/") && !fetched.has(revision)) {
    return {
      verdict,
      problems: [
        {
          code: "introspect.branch.unfetched",
          message: `${what}: the checkout at ${where} has branches of remote ${quoteValue(source.declared?.remoteName ?? "")} but not this one; watched as declared`,
        },
      ],
    };
  }
  return { verdict, problems: [] };
}

/** vcs-extend-develop without @REV: whatever the checkout follows. */
function currentBranch(vcs: Vcs, repository: Repository | undefined): Verdict {
  if (vcs === "git") return live(repository?.refs?.current ?? "HEAD");
  if (vcs === "hg") return live(repository?.names?.current ?? "default");
  if (vcs === "bzr") return live("");
  return live("HEAD");
}

function classifyBuildoutRepository(repository: Repository): { verdict?: Verdict; url?: string; message?: string } {
  if (repository.failure) return { message: `the buildout directory's own ${repository.vcs} checkout could not be read (${quoteValue(repository.failure)})` };
  if (repository.vcs === "hg") {
    const url = repository.hgPaths?.get("default");
    if (url === undefined) return { message: "the buildout directory is a hg checkout without a default path: not watched" };
    return { verdict: live(repository.names?.current ?? "default"), url };
  }
  const refs = repository.refs as GitRefs;
  const remote = refs.upstream?.remote ?? "origin";
  const url = repository.remotes?.get(remote);
  if (url === undefined) return { message: `the buildout directory is a git checkout without remote ${quoteValue(remote)}: not watched` };
  if (refs.current !== undefined) return { verdict: live(refs.upstream?.branch ?? refs.current), url };
  if (repository.headSha === undefined) return { message: "the buildout directory is a git checkout without any commit: not watched" };
  return { verdict: pinned(repository.headSha, "commit"), url, message: "the buildout directory is a git checkout on a detached HEAD: pinned" };
}

function add(result: Classification, vcs: Vcs, url: string, verdict: Verdict, origin: Origin): void {
  if (verdict.live) result.watches.push({ vcs, url, revspec: verdict.revspec, origin });
  else result.pinned.push({ vcs, url, revspec: verdict.revspec, why: verdict.why, origin });
}

function problemFor(origin: Origin, code: ProblemCode, message: string, level: Problem["level"] = "warning"): Problem {
  return makeProblem(level, code, message, { file: origin.file, line: origin.line });
}

function relativeTo(directory: string, target: string): string {
  const relative = pathInside(directory, target);
  return relative === undefined ? target : relative === "" ? "." : relative;
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? text
  );
}
