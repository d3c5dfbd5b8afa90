import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCheckout, classifySources, type GitRefs } from "../src/classify/index.js";
import { isValidRefName, parsePackedRefs, parseRefFile, readGitRefsFromFiles } from "../src/classify/gitfiles.js";
import type { SourceSpec } from "../src/extract/index.js";
import { commitFile, git, gitInit, tempDir } from "./support.js";

let dir: ReturnType<typeof tempDir>;
const at = (name: string) => path.join(dir.path, name);
let sha: string;

/** The authority: what `git for-each-ref` gives, without the upstream (configuration, not ref files). */
async function viaGit(checkout: string): Promise<GitRefs> {
  const { upstream: _upstream, ...refs } = await new GitCheckout(checkout).refs();
  return refs;
}

const write = (checkout: string, file: string, text: string) => {
  mkdirSync(path.dirname(path.join(checkout, ".git", file)), { recursive: true });
  writeFileSync(path.join(checkout, ".git", file), text);
};

beforeAll(() => {
  dir = tempDir();
  // packed, then loose again: new refs, a loose ref updating a packed one, a deleted packed branch, a stray lock
  const packed = gitInit(at("packed"));
  git(packed, "branch", "old");
  git(packed, "branch", "feature/x");
  git(packed, "branch", "feature/deep/y");
  git(packed, "tag", "light");
  git(packed, "tag", "-a", "-m", "annotated", "heavy");
  git(packed, "pack-refs", "--all");
  sha = commitFile(packed, "file", "two\n");
  git(packed, "branch", "after-pack");
  git(packed, "tag", "-a", "-m", "loose annotated", "heavy-loose");
  git(packed, "branch", "-f", "old", "HEAD");
  git(packed, "branch", "-D", "feature/x");
  write(packed, "refs/heads/x.lock", `${sha}\n`);

  const detached = gitInit(at("detached"));
  git(detached, "tag", "v1");
  git(detached, "checkout", "-q", "--detach");

  // clone: packed remote-tracking branches, origin/HEAD symref, then a loose one from a fetch
  git(dir.path, "clone", "-q", packed, at("clone"));
  git(packed, "branch", "fetched/later");
  git(at("clone"), "fetch", "-q", "origin");
  git(at("clone"), "checkout", "-q", "-b", "mine", "origin/after-pack");

  mkdirSync(at("empty"));
  git(at("empty"), "init", "-q", "-b", "main");

  const orphan = gitInit(at("orphan"));
  git(orphan, "checkout", "-q", "--orphan", "unborn");

  // fallbacks
  git(packed, "worktree", "add", "-q", "-b", "in-worktree", at("worktree"));
  for (const name of ["reftable", "corrupt", "badname", "symbolic", "remotehead"]) git(dir.path, "clone", "-q", packed, at(name));
  mkdirSync(at("reftable/.git/reftable"));
  write(at("corrupt"), "refs/heads/broken", "not an object id\n");
  write(at("badname"), "refs/heads/a..b", `${sha}\n`);
  git(at("symbolic"), "symbolic-ref", "refs/heads/alias", "refs/heads/main");
  write(at("remotehead"), "refs/remotes/origin/HEAD", "anything at all");
}, 120_000);
afterAll(() => dir.remove());

describe("readGitRefsFromFiles against git for-each-ref", () => {
  it.each(["packed", "detached", "clone", "empty", "orphan", "remotehead"])("%s: the same refs as git", async (name) => {
    const fromFiles = readGitRefsFromFiles(at(name));
    expect(fromFiles).toBeDefined();
    expect(fromFiles).toStrictEqual(await viaGit(at(name)));
  });

  it("covers what the repositories were built for", () => {
    const packed = readGitRefsFromFiles(at("packed")) as GitRefs;
    expect([...packed.branches]).toEqual(["after-pack", "feature/deep/y", "fetched/later", "in-worktree", "main", "old"]);
    expect([...packed.tags]).toEqual(["heavy", "heavy-loose", "light"]);
    expect(packed.current).toBe("main");
    const clone = readGitRefsFromFiles(at("clone")) as GitRefs;
    expect([...(clone.remoteBranches.get("origin") ?? [])]).toEqual(["after-pack", "feature/deep/y", "fetched/later", "main", "old"]);
    expect(clone.current).toBe("mine");
    expect(readGitRefsFromFiles(at("detached"))?.current).toBeUndefined();
    expect(readGitRefsFromFiles(at("empty"))).toStrictEqual({ branches: new Set(), remoteBranches: new Map(), tags: new Set() });
  });

  it("a sha256 repository", async (context) => {
    mkdirSync(at("sha256"));
    try {
      git(at("sha256"), "init", "-q", "-b", "main", "--object-format=sha256");
    } catch {
      context.skip(); // a git without sha256 support
    }
    git(at("sha256"), "config", "user.name", "Test");
    git(at("sha256"), "config", "user.email", "test@example.org");
    commitFile(at("sha256"), "README", "one\n");
    git(at("sha256"), "tag", "t");
    git(at("sha256"), "pack-refs", "--all");
    git(at("sha256"), "branch", "loose");
    expect(readGitRefsFromFiles(at("sha256"))).toStrictEqual(await viaGit(at("sha256")));
  });
});

describe("readGitRefsFromFiles asks git for anything unusual", () => {
  it.each([
    ["worktree", "a linked worktree (.git is a file)"],
    ["reftable", "a reftable directory"],
    ["corrupt", "a loose ref that is not an object id"],
    ["badname", "a ref name git refuses"],
    ["symbolic", "a symbolic ref among the branches"],
  ])("%s: %s", (name) => {
    expect(readGitRefsFromFiles(at(name))).toBeUndefined();
  });

  it("environment overrides and a missing checkout", () => {
    expect(readGitRefsFromFiles(at("packed"), { GIT_DIR: at("clone/.git") })).toBeUndefined();
    expect(readGitRefsFromFiles(at("packed"), { GIT_NAMESPACE: "x" })).toBeUndefined();
    expect(readGitRefsFromFiles(at("packed"), { GIT_REF_PARANOIA: "1" })).toBeUndefined();
    expect(readGitRefsFromFiles(at("nowhere"))).toBeUndefined();
  });

  it("the classifier gives the same verdicts through git for those checkouts", async () => {
    const revisions = ["main", "old", "after-pack", "feature/deep/y", "light", "heavy", sha, "feature/x", "in-worktree", "alias"];
    const verdicts = async (name: string) => {
      const sources = revisions.map((revision, line): SourceSpec => ({
        kind: "addons",
        vcs: "git",
        url: `https://example.org/${line}.git`,
        revision,
        checkout: at(name),
        origin: { file: "buildout.cfg", line },
      }));
      const result = await classifySources(sources, { directory: dir.path, buildoutRepository: false });
      expect(result.problems.filter((problem) => problem.code === "introspect.checkout.unreadable")).toEqual([]);
      return [...result.watches.map((w) => `live ${w.revspec}`), ...result.pinned.map((p) => `pinned ${p.revspec} ${p.why}`)].sort();
    };
    const plain = await verdicts("clone");
    expect(plain).toContain("pinned heavy tag");
    expect(plain).toContain("live feature/deep/y");
    for (const name of ["reftable", "corrupt", "badname", "remotehead"]) expect(await verdicts(name)).toEqual(plain);
    expect(await verdicts("worktree")).toEqual(await verdicts("packed"));
    expect(await verdicts("symbolic")).toContain("live alias");
  });

  it("plain sources are classified without running git", async () => {
    const source: SourceSpec = {
      kind: "addons",
      vcs: "git",
      url: "https://example.org/a.git",
      revision: "light",
      checkout: at("clone"),
      origin: { file: "buildout.cfg" },
    };
    const pathBefore = process.env.PATH;
    process.env.PATH = at("no-git-here");
    try {
      const fast = await classifySources([source], { directory: dir.path, buildoutRepository: false });
      expect(fast.pinned.map((p) => p.why)).toEqual(["tag"]);
      expect(fast.problems).toEqual([]);
      const slow = await classifySources([{ ...source, checkout: at("corrupt") }], { directory: dir.path, buildoutRepository: false });
      expect(slow.problems[0]?.code).toBe("introspect.checkout.unreadable");
    } finally {
      process.env.PATH = pathBefore;
    }
  });
});

describe("ref file parsers (pure)", () => {
  const a = "a".repeat(40);
  const b = "b".repeat(40);
  it("packed-refs: header, refs, peeled lines", () => {
    expect(parsePackedRefs("")).toEqual([]);
    expect(parsePackedRefs(`# pack-refs with: peeled fully-peeled sorted \n${a} refs/heads/main\n${a} refs/tags/v1\n^${b}\n`)).toEqual([
      "refs/heads/main",
      "refs/tags/v1",
    ]);
    expect(parsePackedRefs(`${"c".repeat(64)} refs/heads/sha256\n`)).toEqual(["refs/heads/sha256"]);
  });
  it("packed-refs: anything else is refused", () => {
    expect(parsePackedRefs(`${a} refs/heads/main`)).toBeUndefined(); // unterminated
    expect(parsePackedRefs(`${a} refs/heads/main\r\n`)).toBeUndefined(); // CRLF: git never writes it
    expect(parsePackedRefs(`^${b}\n`)).toBeUndefined(); // peeled without a ref
    expect(parsePackedRefs(`${a} refs/tags/v1\n^${b}\n^${b}\n`)).toBeUndefined();
    expect(parsePackedRefs(`${a} refs/heads/main\n# comment\n`)).toBeUndefined();
    expect(parsePackedRefs(`${a.slice(1)} refs/heads/main\n`)).toBeUndefined();
    expect(parsePackedRefs(`${"0".repeat(40)} refs/heads/main\n`)).toBeUndefined();
    expect(parsePackedRefs(`${a} refs/heads/a..b\n`)).toBeUndefined();
    expect(parsePackedRefs(`${a}\trefs/heads/main\n`)).toBeUndefined();
    expect(parsePackedRefs(`${a} refs/heads/main\n\n`)).toBeUndefined();
  });
  it("loose ref files and HEAD", () => {
    expect(parseRefFile(`${a}\n`)).toEqual({ oid: a });
    expect(parseRefFile("ref: refs/heads/main\n")).toEqual({ symref: "refs/heads/main" });
    for (const text of [
      a,
      `${a}\n\n`,
      `${a} \n`,
      `${a.toUpperCase()}\n`,
      "ref: refs/heads/.invalid\n",
      "ref:refs/heads/main\n",
      "",
      "\n",
      `${"0".repeat(40)}\n`,
    ]) {
      expect(parseRefFile(text)).toBeUndefined();
    }
  });
  it("ref names as git-check-ref-format(1) judges them", () => {
    for (const name of ["refs/heads/main", "refs/heads/feature/x", "refs/tags/v1.0", "refs/heads/été", "refs/heads/@", "refs/heads/a.b"])
      expect(isValidRefName(name)).toBe(true);
    const refused = [
      "main",
      "refs/heads/a..b",
      "refs/heads/.hidden",
      "refs/heads/x/.y",
      "refs/heads/x.lock",
      "refs/heads/x.lock/y",
      "refs/heads/x.",
      "refs/heads/x/",
      "refs//x",
      "/refs/x",
    ];
    refused.push(
      "refs/heads/a b",
      "refs/heads/a~1",
      "refs/heads/a^",
      "refs/heads/a:b",
      "refs/heads/a?",
      "refs/heads/a*",
      "refs/heads/a[b",
      "refs/heads/a\\b",
      "refs/heads/a@{1}",
      "refs/heads/a\u007f",
      "refs/heads/\ufffd",
    );
    for (const name of refused) expect(isValidRefName(name), name).toBe(false);
  });
});
