import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCheckout, HgCheckout, classifyGitRef, classifyHgName, parseForEachRef, parseRemoteUrls } from "../src/classify/index.js";
import { commitFile, git, gitInit, hg, hgInit, tempDir } from "./support.js";
import { vcsEnv } from "./support.js";

let dir: ReturnType<typeof tempDir>;
let gitRepo: string;
let sha: string;
let hgRepo: string;
let hgNode: string;

beforeAll(() => {
  dir = tempDir();
  const upstream = gitInit(path.join(dir.path, "upstream"));
  git(upstream, "branch", "10.0");
  git(upstream, "branch", "feature/x");
  git(upstream, "tag", "v1.0");
  gitRepo = path.join(dir.path, "clone");
  git(dir.path, "clone", "-q", upstream, gitRepo);
  git(gitRepo, "config", "user.name", "Test");
  git(gitRepo, "config", "user.email", "test@example.org");
  git(gitRepo, "checkout", "-q", "-b", "local-only");
  sha = commitFile(gitRepo, "file", "x\n");

  hgRepo = hgInit(path.join(dir.path, "hgrepo"));
  hg(hgRepo, "tag", "v2");
  hg(hgRepo, "bookmark", "bm");
  hg(hgRepo, "branch", "-q", "stable");
  hg(hgRepo, "commit", "-q", "-m", "on stable");
  hgNode = hg(hgRepo, "log", "-r", ".", "-T", "{node}").trim();
});
afterAll(() => dir.remove());

describe("git checkouts", () => {
  it("one for-each-ref gives local, remote-tracking branches, tags and the current branch", async () => {
    const refs = await new GitCheckout(gitRepo).refs();
    expect([...refs.branches].sort()).toEqual(["local-only", "main"]);
    expect([...(refs.remoteBranches.get("origin") ?? [])].sort()).toEqual(["10.0", "feature/x", "main"]);
    expect([...refs.tags]).toEqual(["v1.0"]);
    expect(refs.current).toBe("local-only");
    expect(refs.upstream).toBeUndefined();
  });
  it("classifies branches (local or remote-tracking) live, tags and commits pinned, unknown names undefined", async () => {
    const refs = await new GitCheckout(gitRepo).refs();
    expect(classifyGitRef("main", refs)).toEqual({ live: true, revspec: "main" });
    expect(classifyGitRef("10.0", refs)).toEqual({ live: true, revspec: "10.0" });
    expect(classifyGitRef("refs/heads/feature/x", refs)).toEqual({ live: true, revspec: "feature/x" });
    expect(classifyGitRef("v1.0", refs)).toEqual({ live: false, revspec: "v1.0", why: "tag" });
    expect(classifyGitRef(sha, refs)).toEqual({ live: false, revspec: sha, why: "commit" });
    expect(classifyGitRef(sha.slice(0, 8), refs)).toEqual({ live: false, revspec: sha.slice(0, 8), why: "commit" });
    expect(classifyGitRef("11.0", refs)).toBeUndefined();
    expect(classifyGitRef("local-only", refs, "origin")).toBeUndefined();
    expect(classifyGitRef("10.0", refs, "origin")).toEqual({ live: true, revspec: "10.0" });
  });
  it("reads remote URLs and the upstream of the current branch", async () => {
    git(gitRepo, "checkout", "-q", "main");
    const checkout = new GitCheckout(gitRepo);
    const refs = await checkout.refs();
    expect(refs.upstream).toEqual({ remote: "origin", branch: "main" });
    expect((await checkout.remoteUrls()).get("origin")).toBe(path.join(dir.path, "upstream"));
    git(gitRepo, "checkout", "-q", "--detach");
    expect((await checkout.refs()).current).toBeUndefined();
    expect(await checkout.head()).toMatch(/^[0-9a-f]{40}$/);
    git(gitRepo, "checkout", "-q", "local-only");
  });
  it("parses for-each-ref and config output (pure)", () => {
    const refs = parseForEachRef("refs/heads/a\t*\tup\trefs/remotes/up/b\nrefs/remotes/up/HEAD\t\t\t\nrefs/remotes/up/b\t\t\t\nrefs/tags/t\t\t\t\n");
    expect(refs).toEqual({
      branches: new Set(["a"]),
      current: "a",
      upstream: { remote: "up", branch: "b" },
      remoteBranches: new Map([["up", new Set(["b"])]]),
      tags: new Set(["t"]),
    });
    expect(parseRemoteUrls("remote.origin.url https://a\nremote.my.fork.url git@h:x\n")).toEqual(
      new Map([
        ["origin", "https://a"],
        ["my.fork", "git@h:x"],
      ]),
    );
  });
});

describe("hg checkouts", () => {
  it("branches and bookmarks are live; tags (not tip), nodes and numbers pinned", async () => {
    const checkout = new HgCheckout(hgRepo, vcsEnv);
    const names = await checkout.names();
    expect(classifyHgName("default", names)).toEqual({ live: true, revspec: "default" });
    expect(classifyHgName("stable", names)).toEqual({ live: true, revspec: "stable" });
    expect(classifyHgName("bm", names)).toEqual({ live: true, revspec: "bm" });
    expect(classifyHgName("v2", names)).toEqual({ live: false, revspec: "v2", why: "tag" });
    expect(classifyHgName(hgNode.slice(0, 12), names)).toEqual({ live: false, revspec: hgNode.slice(0, 12), why: "node" });
    expect(classifyHgName("1", names)).toEqual({ live: false, revspec: "1", why: "revision" });
    expect(classifyHgName("tip", names)).toMatchObject({ live: true, revspec: "default" });
    expect(classifyHgName("nope", names)).toBeUndefined();
    expect(names.current).toBe("stable");
  });
});
