import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractSources } from "../../../src/extract/index.js";
import { extractMrDeveloperSources } from "../../../src/extract/mrdeveloper.js";
import { introspectFiles } from "../../../src/introspect.js";
import { resolveBuildout } from "../../../src/resolve/index.js";
import { commitFile, git, gitInit, hg, hgInit, sections, tempDir, vcsEnv, fixturesCopy } from "../../support.js";

const here = fileURLToPath(new URL(".", import.meta.url));

const brief = (spec: Record<string, Record<string, string>>) => {
  const result = extractMrDeveloperSources(sections(spec), "/b");
  return {
    active: result.active,
    sources: result.sources.map((s) => [s.vcs, s.url, s.revision, s.checkout, s.origin.section, s.origin.option, s.origin.format]),
    problems: result.problems.map((p) => `${p.level} ${p.code}: ${p.message}`),
  };
};

describe("mr.developer [sources] grammar (string rules)", () => {
  it("reads NAME = KIND URL [key=value...] for git, hg, svn, bzr: rev= wins over branch=, neither is the default branch", () => {
    const result = brief({
      buildout: { extensions: "mr.developer", "auto-checkout": "*" },
      sources: {
        a: "git https://h/a.git branch=16.0 pushurl=git@h:a.git egg=false",
        b: "git https://h/b.git branch=16.0 rev=0123abcd",
        c: "hg https://h/c rev=1.0",
        d: "hg https://h/d branch=stable",
        e: "svn https://h/e/trunk@42",
        f: "svn https://h/f/trunk rev=43",
        g: "bzr lp:g",
        h: "git https://h/h.git",
      },
    });
    expect(result.active).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.sources).toEqual([
      ["git", "https://h/a.git", "16.0", "/b/src/a", "sources", "a", "mr.developer"],
      ["git", "https://h/b.git", "0123abcd", "/b/src/b", "sources", "b", "mr.developer"],
      ["hg", "https://h/c", "1.0", "/b/src/c", "sources", "c", "mr.developer"],
      ["hg", "https://h/d", "stable", "/b/src/d", "sources", "d", "mr.developer"],
      ["svn", "https://h/e/trunk", "42", "/b/src/e", "sources", "e", "mr.developer"],
      ["svn", "https://h/f/trunk", "43", "/b/src/f", "sources", "f", "mr.developer"],
      ["bzr", "lp:g", undefined, "/b/src/g", "sources", "g", "mr.developer"],
      ["git", "https://h/h.git", undefined, "/b/src/h", "sources", "h", "mr.developer"],
    ]);
  });

  it("checks out in sources-dir/NAME, path=PARENT/NAME, full-path=PATH, or the old positional PARENT", () => {
    const result = brief({
      buildout: { extensions: "mr.developer", "auto-checkout": "*", "sources-dir": "checkouts" },
      sources: { a: "git https://h/a.git", b: "git https://h/b.git path=extras", c: "git https://h/c.git full-path=/opt/c", d: "git https://h/d.git vendor" },
    });
    expect(result.sources.map((s) => s[3])).toEqual(["/b/checkouts/a", "/b/extras/b", "/opt/c", "/b/vendor/d"]);
  });

  it("only the names auto-checkout selects, from the section [buildout] sources names", () => {
    const result = brief({
      buildout: { extensions: "mr.developer", sources: "my", "auto-checkout": "a missing" },
      my: { a: "git https://h/a.git", b: "git https://h/b.git" },
    });
    expect(result.sources.map((s) => s[1])).toEqual(["https://h/a.git"]);
    expect(result.problems).toEqual(['warning introspect.mrdeveloper.sources: [buildout] auto-checkout names "missing", which [my] does not define']);
  });

  it("nothing without mr.developer among the extensions (reported), nor without auto-checkout", () => {
    expect(brief({ buildout: { "auto-checkout": "*" }, sources: { a: "git https://h/a.git" } })).toEqual({
      active: false,
      sources: [],
      problems: ["warning introspect.mrdeveloper.ignored: [buildout] auto-checkout ignored: mr.developer is not among [buildout] extensions"],
    });
    expect(brief({ buildout: { extensions: "mr.developer" }, sources: { a: "git https://h/a.git" } })).toEqual({ active: false, sources: [], problems: [] });
  });

  it("reports lines it cannot use, at their line", () => {
    const result = brief({
      buildout: { extensions: "mr.developer", "auto-checkout": "*" },
      sources: { a: "git", b: "darcs https://h/b", c: "perforce //depot/c" },
    });
    expect(result.sources).toEqual([]);
    expect(result.problems).toEqual([
      "error introspect.mrdeveloper.invalid: [sources] a: expected KIND URL [key=value...]; source ignored",
      'info introspect.mrdeveloper.not-polled: [sources] b: kind "darcs" is not polled by autowatch; not watched',
      'error introspect.mrdeveloper.kind: [sources] c: unknown kind "perforce" (mr.developer knows git, hg, svn, bzr, gitsvn, cvs, darcs, fs); source ignored',
    ]);
  });
});

describe("mr.developer fixtures, resolved by the buildout resolver", () => {
  const expected: Record<string, (string | number | undefined)[][] | "error"> = {
    "plone-coredev.cfg": [
      ["mr.developer", "git", "https://github.com/plone/Products.CMFPlone.git", "6.0.x", "src/Products.CMFPlone", 20],
      ["mr.developer", "git", "https://github.com/plone/plone.app.contenttypes.git", "master", "src/plone.app.contenttypes", 18],
      ["mr.developer", "git", "https://github.com/plone/plone.restapi.git", "main", "src/plone.restapi", 19],
      ["mr.developer", "git", "https://github.com/collective/plone.volto.git", "main", "src/plone.volto", 21],
    ],
    "odoo-mrdeveloper.cfg": [
      ["version", "git", "https://github.com/OCA/OCB.git", "10.0", "parts/odoo", 14],
      ["addons", "git", "https://github.com/OCA/web.git", "10.0", "web", 15],
      ["mr.developer", "git", "https://github.com/acme/acme-tools.git", "1.4.0", "src/acme-tools", 9],
      ["mr.developer", "hg", "https://bitbucket.org/anybox/anybox.recipe.odoo", "default", "src/anybox.recipe.odoo", 8],
      ["mr.developer", "git", "https://github.com/odoo/odoo-client-lib.git", "7c1a6b0e5d2f", "src/odoo-client-lib", 10],
    ],
    "named-section.cfg": [
      ["mr.developer", "svn", "https://svn.plone.org/svn/collective/collective.bar/trunk", undefined, "src/collective.bar", 11],
      ["mr.developer", "git", "https://github.com/collective/collective.foo.git", undefined, "src/collective.foo", 10],
    ],
    "paths.cfg": [
      ["mr.developer", "git", "https://git.example.org/a.git", undefined, "extras/a", 7],
      ["mr.developer", "git", "https://git.example.org/b.git", undefined, "vendor/b-checkout", 8],
      ["mr.developer", "git", "https://git.example.org/c.git", undefined, "develop/c", 9],
      ["mr.developer", "hg", "https://hg.example.org/d", undefined, "src/d", 10],
    ],
    "not-an-extension.cfg": "error",
    "all-kinds.cfg": [
      ["mr.developer", "bzr", "lp:b-project", undefined, "src/b", 11],
      ["mr.developer", "git", "https://git.example.org/g.git", "feature/x", "src/g", 7],
      ["mr.developer", "hg", "https://hg.example.org/h", "1.2.0", "src/h", 8],
      ["mr.developer", "svn", "https://svn.example.org/s/trunk", "1234", "src/s", 9],
      ["mr.developer", "svn", "https://svn.example.org/s2/trunk", undefined, "src/s2", 10],
    ],
    "extends-child.cfg": [
      ["mr.developer", "git", "https://git.example.org/local-only.git", "refs/tags/v3", "src/local-only", 6],
      ["mr.developer", "git", "https://git.example.org/shared.git", "2.x", "src/shared", 6],
    ],
    "git-ssh-pushurl.cfg": [["mr.developer", "git", "git@gitlab.acme.example:intranet/acme.policy.git", "production", "src/acme.policy", 7]],
  };
  const fixtures = fixturesCopy(path.join(here, "fixtures"));

  it.each(Object.keys(expected))("%s", async (name) => {
    const resolved = await resolveBuildout({ config: name, cwd: fixtures(), env: { HOME: "/nonexistent" }, noUserDefaults: true });
    if (!resolved.ok) throw new Error(resolved.error.message);
    const extracted = extractSources(resolved.sections, path.join(fixtures(), name), { directory: fixtures() });
    if (expected[name] === "error") {
      expect(extracted.ok).toBe(false);
      return;
    }
    if (!extracted.ok) throw new Error(extracted.error.message);
    const got = extracted.sources.map((s) => [s.kind, s.vcs, s.url, s.revision, path.relative(fixtures(), s.checkout ?? ""), s.origin.line]);
    const sort = (rows: unknown[][]) =>
      [...rows].sort((a, b) => (JSON.stringify([a[0] === "mr.developer", a[4]]) < JSON.stringify([b[0] === "mr.developer", b[4]]) ? -1 : 1));
    expect(sort(got)).toEqual(sort(expected[name] as unknown[][]));
    expect(extracted.problems.filter((p) => p.level !== "info")).toEqual([]);
  });
});

describe("mr.developer checkouts on disk (git clone -b, hg clone -u, as mr.developer makes them)", () => {
  let dir: ReturnType<typeof tempDir>;
  let gitUp: string;
  let hgUp: string;
  beforeAll(() => {
    dir = tempDir();
    gitUp = gitInit(path.join(dir.path, "up", "g"));
    git(gitUp, "branch", "2.x");
    git(gitUp, "tag", "release-2"); // a branch to the string rules, a tag to the checkout
    commitFile(gitUp, "NEWS", "n\n");
    hgUp = hgInit(path.join(dir.path, "up", "h"));
    hg(hgUp, "tag", "-q", "1.0");
    const build = path.join(dir.path, "build");
    mkdirSync(path.join(build, "src"), { recursive: true });
    git(path.join(build, "src"), "clone", "-q", "-b", "2.x", gitUp, "follows");
    git(path.join(build, "src"), "clone", "-q", gitUp, "tagged");
    git(path.join(build, "src", "tagged"), "checkout", "-q", "release-2");
    hg(path.join(build, "src"), "clone", "-q", "-u", "1.0", hgUp, "mercurial");
    writeFileSync(
      path.join(build, "buildout.cfg"),
      [
        "[buildout]",
        "extensions = mr.developer",
        "auto-checkout = *",
        "parts =",
        "",
        "[sources]",
        `follows = git ${gitUp} branch=2.x`,
        `tagged = git ${gitUp} rev=release-2`,
        `mercurial = hg ${hgUp} rev=1.0`,
        `missing = git ${gitUp} branch=gone`,
        "",
      ].join("\n"),
    );
  }, 60_000);
  afterAll(() => dir.remove());

  it("classifies each from its checkout; a buildout without a recipe part is fine when mr.developer checks sources out", async () => {
    const result = await introspectFiles({
      files: [{ format: "buildout", file: "buildout.cfg" }],
      cwd: path.join(dir.path, "build"),
      env: vcsEnv,
      noUserDefaults: true,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.watchFile.buildout).toEqual({ config: "buildout.cfg" });
    expect(result.watchFile.watches.map((w) => [w.url, w.revspec, w.origin?.option, w.origin?.format])).toEqual([
      [gitUp, "2.x", "follows", "mr.developer"],
      [gitUp, "gone", "missing", "mr.developer"],
    ]);
    expect(result.watchFile.pinned.map((p) => [p.url, p.revspec, p.why])).toEqual([
      [gitUp, "release-2", "tag"],
      [hgUp, "1.0", "tag"],
    ]);
    expect(result.problems.map((p) => `${p.line}: ${p.code}: ${p.message}`)).toEqual([
      `10: introspect.revision.unverified: git "${gitUp}" "gone": no checkout at "src/missing"; classified from the revision alone (not verified)`,
    ]);
  });
});
