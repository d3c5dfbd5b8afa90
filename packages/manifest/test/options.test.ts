import { describe, expect, it } from "vitest";
import { factory, parse } from "./helpers.js";

describe("watch", () => {
  it("absent: no manual watches, scheduled", () => {
    const result = parse("[a]\nbuildout = standalone a.cfg\n");
    expect(factory(result, "a")).toMatchObject({ watches: [], schedule: true });
    expect(result.problems).toEqual([]);
  });

  it("present and empty: never scheduled by commits", () => {
    const result = parse("[a]\nwatch =\n[b]\nwatch:\n\n\n[c]\nwatch = git u b\n");
    expect(factory(result, "a")).toMatchObject({ watches: [], schedule: false });
    expect(factory(result, "b")).toMatchObject({ watches: [], schedule: false });
    expect(factory(result, "c").schedule).toBe(true);
  });

  it("an empty watch survives inherit, both ways", () => {
    const result = parse(`
[parent]
watch = git https://x/p.git 10.0
[child]
inherit = parent
watch =
[released]
watch =
[grandchild]
inherit = released
`);
    expect(factory(result, "parent")).toMatchObject({ schedule: true, watches: [{ vcs: "git", url: "https://x/p.git", branch: "10.0" }] });
    expect(factory(result, "child")).toMatchObject({ schedule: false, watches: [] });
    expect(factory(result, "grandchild")).toMatchObject({ schedule: false, watches: [] });
  });

  it("parses every VCS, with the real line of each continuation line", () => {
    const text = [
      "[a]", // 1
      "watch = git https://g/a.git 10.0", // 2
      "    hg https://h/b default", // 3
      "", // 4
      "    # a comment", // 5
      "    bzr lp:c", // 6
      "    svn https://s/trunk", // 7
    ].join("\n");
    const result = parse(text);
    expect(factory(result, "a").watches).toEqual([
      { vcs: "git", url: "https://g/a.git", branch: "10.0", file: "m1.cfg", line: 2 },
      { vcs: "hg", url: "https://h/b", branch: "default", file: "m1.cfg", line: 3 },
      { vcs: "bzr", url: "lp:c", branch: "", file: "m1.cfg", line: 6 },
      { vcs: "svn", url: "https://s/trunk", branch: "", file: "m1.cfg", line: 7 },
    ]);
    expect(result.problems).toEqual([]);
  });

  it("a bad line is a problem on its own line; the other lines still count", () => {
    const text = [
      "[a]", // 1
      "watch = git https://g/a.git", // 2: missing branch
      "    hg https://h/b default", // 3
      "    cvs :pserver:x module", // 4: unknown VCS
      "    bzr lp:c extra", // 5: too many tokens
      "    svn https://s/trunk", // 6
    ].join("\n");
    const result = parse(text);
    expect(factory(result, "a").watches.map((w) => [w.vcs, w.line])).toEqual([
      ["hg", 3],
      ["svn", 6],
    ]);
    expect(result.problems.map((p) => [p.level, p.code, p.line, p.builder, p.file])).toEqual([
      ["error", "manifest.watch.tokens", 2, "a", "m1.cfg"],
      ["error", "manifest.watch.vcs", 4, "a", "m1.cfg"],
      ["error", "manifest.watch.tokens", 5, "a", "m1.cfg"],
    ]);
    expect(result.problems[1]?.message).toContain('"cvs"');
  });

  it("an inherited watch keeps the parent's file and lines", () => {
    const result = parse("[p]\nwatch = git u1 b\n  git u2 b\n", "[c]\ninherit = p\n");
    expect(factory(result, "c").watches.map((w) => [w.url, w.file, w.line])).toEqual([
      ["u1", "m1.cfg", 2],
      ["u2", "m1.cfg", 3],
    ]);
  });

  it("a repeated watch line is a warning and counted once", () => {
    const result = parse("[a]\nwatch = git u b\n  git u b\n");
    expect(factory(result, "a").watches).toHaveLength(1);
    expect(result.problems).toMatchObject([{ level: "warning", code: "manifest.watch.duplicate", line: 3 }]);
  });
});

describe("auto-watch", () => {
  it("defaults to true, and to false for frozen buildouts", () => {
    const result = parse(`
[plain]
buildout = git u b p
[none]
[gt]
buildout = gittag u p
[ht]
buildout = hgtag u p
`);
    expect(["plain", "none", "gt", "ht"].map((n) => factory(result, n).autoWatch)).toEqual([true, true, false, false]);
    expect(result.factories.every((f) => !f.autoWatchExplicit)).toBe(true);
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["yes", true],
    ["Yes", true],
    ["on", true],
    ["ON", true],
    ["1", true],
    ["false", false],
    ["False", false],
    ["no", false],
    ["NO", false],
    ["off", false],
    ["Off", false],
    ["0", false],
  ])("accepts %s", (value, expected) => {
    const result = parse(`[a]\nauto-watch = ${value}\n[b]\nbuildout = hgtag u p\nAUTO-WATCH: ${value}\n`);
    expect(factory(result, "a")).toMatchObject({ autoWatch: expected, autoWatchExplicit: true });
    expect(factory(result, "b")).toMatchObject({ autoWatch: expected, autoWatchExplicit: true });
    expect(result.problems).toEqual([]);
  });

  it("an invalid value is a problem and the default applies", () => {
    const result = parse("[a]\nauto-watch = maybe\n[b]\nbuildout = gittag u p\nauto-watch = 2\n");
    expect(factory(result, "a")).toMatchObject({ autoWatch: true, autoWatchExplicit: false });
    expect(factory(result, "b")).toMatchObject({ autoWatch: false, autoWatchExplicit: false });
    expect(result.problems.map((p) => [p.level, p.code, p.line, p.builder])).toEqual([
      ["error", "manifest.auto-watch.invalid", 2, "a"],
      ["error", "manifest.auto-watch.invalid", 5, "b"],
    ]);
    expect(result.problems[0]?.message).toContain('"maybe"');
  });

  it("set in DEFAULT counts as set in every section (frozen ones included)", () => {
    const result = parse("[DEFAULT]\nauto-watch = false\n[a]\n[b]\nbuildout = gittag u p\nauto-watch = yes\n");
    expect(factory(result, "a")).toMatchObject({ autoWatch: false, autoWatchExplicit: true });
    expect(factory(result, "b")).toMatchObject({ autoWatch: true, autoWatchExplicit: true });
  });

  it("explicitly true on an unscheduled builder is a warning", () => {
    const result = parse("[a]\nwatch =\nauto-watch = true\n");
    expect(factory(result, "a")).toMatchObject({ schedule: false, autoWatch: true });
    expect(result.problems).toMatchObject([{ level: "warning", code: "manifest.auto-watch.ineffective", line: 3, builder: "a" }]);
  });
});

describe("tree-stable-timer", () => {
  it("is a whole number of seconds, inherited from DEFAULT like any option; absent stays absent", () => {
    const result = parse("[DEFAULT]\ntree-stable-timer = 120\n[a]\n[b]\nTree-Stable-Timer:  5 \n", "[c]\nbuildout = standalone c.cfg\n");
    expect(factory(result, "a").treeStableTimer).toBe(120);
    expect(factory(result, "b").treeStableTimer).toBe(5);
    expect(factory(parse("[c]\nbuildout = standalone c.cfg\n"), "c").treeStableTimer).toBeUndefined();
    expect(result.problems).toEqual([]);
  });

  it.each(["soon", "-1", "1.5", "60s", ""])("refuses %j with a problem at its line; the helper's default applies", (value) => {
    const result = parse(`[a]\nbuildout = standalone a.cfg\ntree-stable-timer = ${value}\n`);
    expect(factory(result, "a").treeStableTimer).toBeUndefined();
    expect(result.problems).toMatchObject([{ level: "error", code: "manifest.tree-stable-timer.invalid", line: 3, builder: "a" }]);
  });
});

describe("buildout", () => {
  it("git and hg give buildout-self; options are not positional", () => {
    const result = parse(`
[g]
buildout = git https://g/b.git 10.0 odoo.cfg subdir=buildbot
[h]
buildout = HG https://h/b default sub/odoo.cfg group=x
`);
    expect(factory(result, "g").buildout).toEqual({
      type: "git",
      positional: ["https://g/b.git", "10.0", "odoo.cfg"],
      options: { subdir: "buildbot" },
      frozen: false,
      self: { vcs: "git", url: "https://g/b.git", branch: "10.0" },
    });
    expect(factory(result, "h").buildout).toMatchObject({ type: "hg", options: { group: "x" }, self: { vcs: "hg", url: "https://h/b", branch: "default" } });
    expect(result.problems).toEqual([]);
  });

  it("option tokens may come anywhere, even first", () => {
    const result = parse("[a]\nbuildout = subdir=b git u 10.0 p.cfg group=g\n");
    expect(factory(result, "a").buildout).toMatchObject({ type: "git", positional: ["u", "10.0", "p.cfg"], options: { subdir: "b", group: "g" } });
  });

  it('bzr: the branch is the URL (branch "")', () => {
    const result = parse("[b]\nbuildout = bzr lp:~acme/b/7.0 openerp.cfg\n");
    expect(factory(result, "b").buildout?.self).toEqual({ vcs: "bzr", url: "lp:~acme/b/7.0", branch: "" });
  });

  it("standalone gives no self; hgtag and gittag are frozen without self", () => {
    const result = parse("[s]\nbuildout = standalone s.cfg\n[gt]\nbuildout = gittag https://g/b.git b.cfg\n[ht]\nbuildout = hgtag https://h/b b.cfg\n");
    expect(factory(result, "s").buildout).toEqual({ type: "standalone", positional: ["s.cfg"], options: {}, frozen: false });
    expect(factory(result, "gt").buildout).toMatchObject({ frozen: true, positional: ["https://g/b.git", "b.cfg"] });
    expect(factory(result, "gt").buildout?.self).toBeUndefined();
    expect(factory(result, "ht").buildout).toMatchObject({ frozen: true });
    expect(result.problems).toEqual([]);
  });

  it.each([
    ["git https://g/b.git 10.0", "git takes 3"],
    ["hg https://h/b default x.cfg extra", "hg takes 3"],
    ["bzr lp:x", "bzr takes 2"],
    ["standalone", "standalone takes 1"],
    ["standalone a.cfg b.cfg", "standalone takes 1"],
    ["gittag u", "gittag takes 2"],
    ["hgtag u p q", "hgtag takes 2"],
    ["cvs u b p", 'unknown buildout type "cvs"'],
    ["__proto__ u b p", 'unknown buildout type "__proto__"'],
    ["Constructor u", 'unknown buildout type "Constructor"'],
    ["", "buildout has no type"],
    ["subdir=x", "buildout has no type"],
  ])("%j is a problem", (value, message) => {
    const result = parse(`[a]\nx = 1\nbuildout = ${value}\n`);
    expect(result.problems).toHaveLength(1);
    const code = message.includes(" takes ") ? "manifest.buildout.tokens" : "manifest.buildout.type";
    expect(result.problems[0]).toMatchObject({ level: "error", code, line: 3, builder: "a", file: "m1.cfg" });
    expect(result.problems[0]?.message).toContain(message);
    expect(factory(result, "a").buildout?.self).toBeUndefined();
  });

  it("a frozen type with the wrong arity still defaults auto-watch to false", () => {
    const result = parse("[a]\nbuildout = gittag u\n");
    expect(factory(result, "a")).toMatchObject({ autoWatch: false, buildout: { frozen: true } });
  });
});
