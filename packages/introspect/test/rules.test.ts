import { describe, expect, it } from "vitest";
import { classifyRevision } from "../src/classify/index.js";

const verdict = (vcs: "git" | "hg" | "bzr" | "svn", revision: string) => {
  const { note: _note, ...rest } = classifyRevision(vcs, revision) as { note?: string };
  return rest;
};

describe("string rules (no checkout)", () => {
  it("git: a branch name is live (short name), a sha is a commit, refs/tags/ a tag", () => {
    expect(verdict("git", "10.0")).toEqual({ live: true, revspec: "10.0" });
    expect(verdict("git", "refs/heads/10.0")).toEqual({ live: true, revspec: "10.0" });
    expect(verdict("git", "HEAD")).toEqual({ live: true, revspec: "HEAD" });
    expect(verdict("git", "a1b2c3d")).toEqual({ live: false, revspec: "a1b2c3d", why: "commit" });
    expect(verdict("git", "0123456789abcdef0123456789abcdef01234567")).toMatchObject({ live: false, why: "commit" });
    expect(verdict("git", "abc12")).toEqual({ live: true, revspec: "abc12" });
    expect(verdict("git", "refs/tags/v1.0")).toEqual({ live: false, revspec: "v1.0", why: "tag" });
  });
  it("hg: a name is live, a node of 12+ hex a node, a number a revision, tip follows default", () => {
    expect(verdict("hg", "stable")).toEqual({ live: true, revspec: "stable" });
    expect(verdict("hg", "")).toEqual({ live: true, revspec: "default" });
    expect(verdict("hg", "0123456789ab")).toEqual({ live: false, revspec: "0123456789ab", why: "node" });
    expect(verdict("hg", "0123456789a")).toEqual({ live: true, revspec: "0123456789a" });
    expect(verdict("hg", "42")).toEqual({ live: false, revspec: "42", why: "revision" });
    expect(classifyRevision("hg", "tip")).toMatchObject({ live: true, revspec: "default", note: expect.stringContaining("tip") });
  });
  it("bzr: last:N and empty are live; revid:, tag:, revision numbers pinned; others unknown", () => {
    expect(verdict("bzr", "last:1")).toEqual({ live: true, revspec: "" });
    expect(verdict("bzr", "")).toEqual({ live: true, revspec: "" });
    expect(verdict("bzr", "revid:me@host-2012-abc")).toEqual({ live: false, revspec: "revid:me@host-2012-abc", why: "revid" });
    expect(verdict("bzr", "tag:v1")).toEqual({ live: false, revspec: "tag:v1", why: "tag" });
    expect(verdict("bzr", "419")).toEqual({ live: false, revspec: "419", why: "revision" });
    expect(verdict("bzr", "1.2.3")).toEqual({ live: false, revspec: "1.2.3", why: "revision" });
    expect(verdict("bzr", "revno:12")).toEqual({ live: false, revspec: "revno:12", why: "revision" });
    expect(classifyRevision("bzr", "date:yesterday")).toMatchObject({ live: false, why: "unknown", note: expect.stringContaining("date:yesterday") });
  });
  it("svn: HEAD/head live, numbers pinned, others unknown", () => {
    expect(verdict("svn", "HEAD")).toEqual({ live: true, revspec: "HEAD" });
    expect(verdict("svn", "head")).toEqual({ live: true, revspec: "HEAD" });
    expect(verdict("svn", "1234")).toEqual({ live: false, revspec: "1234", why: "revision" });
    expect(verdict("svn", "{2020-01-01}")).toMatchObject({ live: false, why: "unknown" });
  });
});
