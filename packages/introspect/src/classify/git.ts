import { simpleGit } from "simple-git";
import type { Verdict } from "./rules.js";
import { isGitSha, live, pinned, shortGitName } from "./rules.js";

/** What one `git for-each-ref` tells about a checkout. */
export interface GitRefs {
  branches: Set<string>;
  /** remote name → its remote-tracking branches (short names). */
  remoteBranches: Map<string, Set<string>>;
  tags: Set<string>;
  /** The checked-out branch; undefined when HEAD is detached. */
  current?: string;
  /** The current branch's upstream (remote name, branch), when configured. */
  upstream?: { remote: string; branch: string };
}

const FORMAT = "--format=%(refname)%09%(HEAD)%09%(upstream:remotename)%09%(upstream)";

/** @internal Parses the output of `git for-each-ref` with FORMAT (pure). */
export function parseForEachRef(output: string): GitRefs {
  const refs: GitRefs = { branches: new Set(), remoteBranches: new Map(), tags: new Set() };
  for (const line of output.split("\n")) {
    const [name = "", head = "", upstreamRemote = "", upstream = ""] = line.split("\t");
    addRefName(refs, name);
    if (head === "*" && name.startsWith("refs/heads/")) {
      refs.current = name.slice("refs/heads/".length);
      const prefix = `refs/remotes/${upstreamRemote}/`;
      if (upstreamRemote && upstream.startsWith(prefix)) refs.upstream = { remote: upstreamRemote, branch: upstream.slice(prefix.length) };
    }
  }
  return refs;
}

/** Files one full ref name: a branch, a remote-tracking branch (not `<remote>/HEAD`) or a tag; ignores the rest. */
export function addRefName(refs: GitRefs, name: string): void {
  if (name.startsWith("refs/heads/")) {
    refs.branches.add(name.slice("refs/heads/".length));
  } else if (name.startsWith("refs/remotes/")) {
    const rest = name.slice("refs/remotes/".length);
    const slash = rest.indexOf("/");
    if (slash <= 0) return;
    const remote = rest.slice(0, slash);
    const branch = rest.slice(slash + 1);
    if (branch === "HEAD") return;
    let set = refs.remoteBranches.get(remote);
    if (!set) refs.remoteBranches.set(remote, (set = new Set()));
    set.add(branch);
  } else if (name.startsWith("refs/tags/")) {
    refs.tags.add(name.slice("refs/tags/".length));
  }
}

/** @internal `git config --get-regexp` output → remote name → URL (pure). */
export function parseRemoteUrls(output: string): Map<string, string> {
  const remotes = new Map<string, string>();
  for (const line of output.split("\n")) {
    const match = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (match && !remotes.has(match[1] as string)) remotes.set(match[1] as string, match[2] as string);
  }
  return remotes;
}

/**
 * Live or pinned from the checkout's refs: a local branch or a remote-tracking branch of that
 * name is live; a tag or a commit is pinned. Undefined when the checkout does not know it.
 * With `remote`, only that remote's tracking branches count (a merge from a remote name).
 */
export function classifyGitRef(revision: string, refs: GitRefs, remote?: string): Verdict | undefined {
  if (revision === "HEAD") return live("HEAD");
  const short = shortGitName(revision);
  if (remote !== undefined) {
    if (refs.remoteBranches.get(remote)?.has(short)) return live(short);
  } else {
    if (refs.branches.has(short)) return live(short);
    for (const branches of refs.remoteBranches.values()) if (branches.has(short)) return live(short);
  }
  const tag = revision.replace(/^refs\/tags\//, "");
  if (refs.tags.has(tag)) return pinned(tag, "tag");
  if (isGitSha(revision)) return pinned(revision, "commit");
  return undefined;
}

/** @internal Reads a git checkout; every value from the buildout stays out of the command lines. */
export class GitCheckout {
  private readonly git;
  private remotes?: Promise<Map<string, string>>;

  constructor(readonly directory: string) {
    this.git = simpleGit({ baseDir: directory, maxConcurrentProcesses: 2, timeout: { block: 60_000 } });
  }

  async refs(): Promise<GitRefs> {
    return parseForEachRef(await this.git.raw(["for-each-ref", FORMAT]));
  }

  remoteUrls(): Promise<Map<string, string>> {
    this.remotes ??= this.git.raw(["config", "--get-regexp", "^remote\\..*\\.url$"]).then(parseRemoteUrls, () => new Map<string, string>());
    return this.remotes;
  }

  /** Full sha of HEAD, for a detached checkout. */
  async head(): Promise<string | undefined> {
    const sha = (await this.git.raw(["rev-parse", "--verify", "-q", "HEAD"]).catch(() => "")).trim();
    return sha === "" ? undefined : sha;
  }
}
