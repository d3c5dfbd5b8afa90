import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifySources } from "../src/classify/index.js";
import type { SourceSpec } from "../src/extract/index.js";
import { git, gitInit, hg, hgInit, tempDir, vcsEnv } from "./support.js";

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
  gitInit(path.join(dir.path, "repo"));
  git(path.join(dir.path, "repo"), "branch", "10.0");
}, 60_000);
afterAll(() => dir.remove());

const source = (over: Partial<SourceSpec>): SourceSpec => ({
  kind: "addons",
  vcs: "git",
  url: "https://example.org/x.git",
  revision: "10.0",
  checkout: path.join(dir.path, "repo"),
  origin: { file: path.join(dir.path, "buildout.cfg"), line: 3, section: "odoo", option: "addons" },
  ...over,
});

describe("classifySources", () => {
  it("never turns a value starting with '-' into an entry, and reports it", async () => {
    const result = await classifySources(
      [source({ revision: "--upload-pack=touch /tmp/pwned" }), source({ url: "-oProxyCommand=x" }), source({ revision: "a\nb" })],
      { directory: dir.path, buildoutRepository: false },
    );
    expect(result.watches).toEqual([]);
    expect(result.pinned).toEqual([]);
    expect(result.problems).toHaveLength(3);
    expect(result.problems.every((p) => p.level === "warning" && p.code === "introspect.source.refused" && !p.message.includes("\n"))).toBe(true);
  });

  it("a revision the checkout does not know falls back to the string rules, with a warning", async () => {
    const result = await classifySources([source({ revision: "12.0" })], { directory: dir.path, buildoutRepository: false });
    expect(result.watches.map((w) => w.revspec)).toEqual(["12.0"]);
    expect(result.problems[0]?.code).toBe("introspect.revision.unverified");
    expect(result.problems[0]?.message).toContain('revision not found in the checkout at "repo"');
  });

  it("a checkout that cannot be read is reported and the string rules apply", async () => {
    const broken = path.join(dir.path, "broken");
    gitInit(broken);
    const { rmSync } = await import("node:fs");
    rmSync(path.join(broken, ".git", "HEAD"));
    const result = await classifySources([source({ checkout: broken })], { directory: dir.path, buildoutRepository: false });
    expect(result.watches.map((w) => w.revspec)).toEqual(["10.0"]);
    expect(result.problems.some((p) => p.code === "introspect.checkout.unreadable")).toBe(true);
  });

  it("a develop source without revision follows the checkout's branch (hg), or default without a checkout", async () => {
    const checkout = hgInit(path.join(dir.path, "hgdevelop"));
    hg(checkout, "branch", "-q", "stable");
    hg(checkout, "commit", "-q", "-m", "stable");
    const develop = (where: string) => source({ kind: "develop", vcs: "hg", url: "https://hg.example.org/lib", revision: undefined, checkout: where });
    const result = await classifySources([develop(checkout), develop(path.join(dir.path, "absent"))], {
      directory: dir.path,
      env: vcsEnv,
      buildoutRepository: false,
    });
    expect(result.watches.map((w) => w.revspec)).toEqual(["stable", "default"]);
    expect(result.problems.map((p) => p.code)).toEqual(["introspect.revision.missing", "introspect.revision.missing"]);
    expect(result.problems.map((p) => p.message)).toEqual([
      'hg "https://hg.example.org/lib": no revision given; follows "stable" (live)',
      'hg "https://hg.example.org/lib": no revision given; follows "default" (live)',
    ]);
  }, 30_000);

  it("the buildout's own hg repository: its default path and branch are watched", async () => {
    const self = hgInit(path.join(dir.path, "hgbuildout"));
    const { appendFileSync } = await import("node:fs");
    appendFileSync(path.join(self, ".hg", "hgrc"), "[paths]\ndefault = https://hg.example.org/buildouts/farm\n");
    hg(self, "branch", "-q", "prod");
    hg(self, "commit", "-q", "-m", "prod");
    const result = await classifySources([], { directory: self, config: path.join(self, "buildout.cfg"), env: vcsEnv });
    expect(result.watches).toEqual([
      { vcs: "hg", url: "https://hg.example.org/buildouts/farm", revspec: "prod", origin: { file: "buildout.cfg", section: "buildout", option: "directory" } },
    ]);
  }, 30_000);

  it("the buildout's own git repository on a detached HEAD is pinned; without a remote it is only noted", async () => {
    const self = gitInit(path.join(dir.path, "gitbuildout"));
    const alone = await classifySources([], { directory: self, config: path.join(self, "buildout.cfg") });
    expect([alone.watches, alone.pinned]).toEqual([[], []]);
    expect(alone.problems[0]).toMatchObject({ level: "info", code: "introspect.self" });
    git(self, "remote", "add", "origin", "https://example.org/farm.git");
    const onBranch = await classifySources([], { directory: self, config: path.join(self, "buildout.cfg") });
    expect(onBranch.watches.map((w) => [w.url, w.revspec])).toEqual([["https://example.org/farm.git", "main"]]);
    git(self, "checkout", "-q", "--detach");
    const sha = git(self, "rev-parse", "HEAD").trim();
    const detached = await classifySources([], { directory: self, config: path.join(self, "buildout.cfg") });
    expect(detached.pinned.map((p) => [p.url, p.revspec, p.why])).toEqual([["https://example.org/farm.git", sha, "commit"]]);
  }, 30_000);
});
