import { describe, expect, it } from "vitest";
import { extractSources, findRecipePart, optionLines, parseVcsUrl, stripInlineComment } from "../src/extract/index.js";
import type { ExtractResult, SourceSpec } from "../src/extract/index.js";
import { pythonEnvironment, resolveSections } from "../src/resolve/index.js";
import { memoryFs, sections } from "./support.js";

const CONFIG = "/buildout/buildout.cfg";
const ODOO = "anybox.recipe.odoo:server";

function extract(spec: Record<string, Record<string, string>>, part?: string) {
  const result = extractSources(sections(spec), CONFIG, { directory: "/buildout", home: "/home/me", ...(part ? { part } : {}) });
  return result;
}

function ok(result: ExtractResult) {
  if (!result.ok) throw new Error(`expected sources, got ${result.error.message}`);
  return result;
}

const brief = (sources: SourceSpec[]) => sources.map((s) => [s.kind, s.vcs, s.url, s.revision, s.checkout]);

describe("inline comments (as the recipe's option_splitlines)", () => {
  it("cuts at a semicolon after whitespace or at the start of a line", () => {
    expect(stripInlineComment("git url dir 10.0 ; a comment")).toBe("git url dir 10.0");
    expect(stripInlineComment("git url dir 10.0\t;tab comment")).toBe("git url dir 10.0");
    expect(stripInlineComment("; whole line")).toBe("");
    expect(stripInlineComment("http://host/a;b")).toBe("http://host/a;b");
  });
  it("drops empty and comment-only lines", () => {
    expect(optionLines("\n  line1 ; c\n\n  ; gone\n  line2\n")).toEqual(["line1", "line2"]);
    expect(optionLines(undefined)).toEqual([]);
  });
});

describe("choosing the recipe part", () => {
  it("takes the only recipe part listed in [buildout] parts", () => {
    const choice = findRecipePart(
      sections({ buildout: { parts: "eggs odoo" }, eggs: { recipe: "zc.recipe.egg" }, odoo: { recipe: ODOO }, tpl: { recipe: ODOO } }),
      CONFIG,
    );
    expect(choice).toEqual({ ok: true, part: "odoo" });
  });
  it("accepts anybox.recipe.openerp too", () => {
    const choice = findRecipePart(sections({ buildout: { parts: "erp" }, erp: { recipe: "anybox.recipe.openerp:server" } }), CONFIG);
    expect(choice).toEqual({ ok: true, part: "erp" });
  });
  it("falls back to the only recipe section anywhere (a macro not listed in parts)", () => {
    const choice = findRecipePart(sections({ buildout: { parts: "eggs" }, eggs: { recipe: "zc.recipe.egg" }, base: { recipe: ODOO } }), CONFIG);
    expect(choice).toEqual({ ok: true, part: "base" });
  });
  it("lists the candidates when several parts are listed", () => {
    const choice = findRecipePart(sections({ buildout: { parts: "a b" }, a: { recipe: ODOO }, b: { recipe: ODOO } }), CONFIG);
    expect(choice.ok).toBe(false);
    if (!choice.ok) {
      expect(choice.error.message).toContain('"a", "b"');
      expect(choice.error).toMatchObject({ code: "introspect.part.ambiguous", file: CONFIG, line: 2 });
    }
  });
  it("lists the candidates when several unlisted sections use the recipe", () => {
    const choice = findRecipePart(sections({ buildout: { parts: "" }, z: { recipe: ODOO }, y: { recipe: ODOO } }), CONFIG);
    expect(choice.ok ? "" : choice.error.message).toContain('"y", "z"');
    expect(choice.ok || choice.error.code).toBe("introspect.part.ambiguous");
  });
  it("fails when no section uses the recipe", () => {
    const choice = findRecipePart(sections({ buildout: { parts: "eggs" }, eggs: { recipe: "zc.recipe.egg" } }), CONFIG);
    expect(choice.ok || choice.error).toMatchObject({ code: "introspect.part.none", file: CONFIG });
  });
  it("honours --part, and refuses a part that is not a recipe part", () => {
    const spec = { buildout: { parts: "a b" }, a: { recipe: ODOO }, b: { recipe: ODOO }, c: { recipe: "zc.recipe.egg" } };
    expect(findRecipePart(sections(spec), CONFIG, "b")).toEqual({ ok: true, part: "b" });
    const wrong = findRecipePart(sections(spec), CONFIG, "c");
    expect(wrong.ok || wrong.error.code).toBe("introspect.part.recipe");
    const missing = findRecipePart(sections(spec), CONFIG, "nope");
    expect(missing.ok || missing.error.code).toBe("introspect.part.unknown");
  });
  it("a --part typo is reported against the configuration (not the parts line), with the likely part", () => {
    const spec = { buildout: { parts: "odoo web" }, odoo: { recipe: ODOO }, web: { recipe: "zc.recipe.egg" } };
    expect(findRecipePart(sections(spec), CONFIG, "odo")).toEqual({
      ok: false,
      error: { level: "error", code: "introspect.part.unknown", file: CONFIG, message: '--part "odo": no such section; did you mean "odoo"?' },
    });
    const far = findRecipePart(sections(spec), CONFIG, "zzzzzz");
    expect(far.ok ? "" : far.error.message).toBe('--part "zzzzzz": no such section; recipe parts: "odoo"');
  });
});

describe("the version option", () => {
  it("is a source when it is a VCS line; the checkout is parts-directory/DEST", () => {
    const result = ok(
      extract({ buildout: { parts: "odoo" }, odoo: { recipe: ODOO, version: "git https://github.com/odoo/odoo.git odoo 10.0 depth=1 ; main" } }),
    );
    expect(brief(result.sources)).toEqual([["version", "git", "https://github.com/odoo/odoo.git", "10.0", "/buildout/parts/odoo"]]);
    expect(result.sources[0]?.origin).toEqual({ file: CONFIG, line: 5, section: "odoo", option: "version" });
    expect(result.part).toBe("odoo");
  });
  it("uses [buildout] parts-directory and directory", () => {
    const result = ok(
      extract({
        buildout: { parts: "odoo", directory: "/srv/b", "parts-directory": "/srv/b/p" },
        odoo: { recipe: ODOO, version: "hg https://hg/odoo src default" },
      }),
    );
    expect(result.sources[0]?.checkout).toBe("/srv/b/p/src");
    expect(result.directory).toBe("/srv/b");
  });
  it("is not a source when it is a release, nightly, local or url", () => {
    for (const version of ["10.0", "nightly 8.0 latest", "local parts/odoo", "path /opt/odoo", "url http://x/odoo.tgz"]) {
      const result = ok(extract({ buildout: { parts: "odoo" }, odoo: { recipe: ODOO, version } }));
      expect(result.sources).toEqual([]);
      expect(result.problems).toEqual([]);
    }
  });
  it("reports a VCS line with too few tokens or an unknown type", () => {
    const short = ok(extract({ buildout: { parts: "odoo" }, odoo: { recipe: ODOO, version: "git https://x odoo" } }));
    expect(short.sources).toEqual([]);
    expect(short.problems[0]).toMatchObject({ level: "error", code: "introspect.recipe.version", file: CONFIG, line: 5 });
    const unknown = ok(extract({ buildout: { parts: "odoo" }, odoo: { recipe: ODOO, version: "cvs x odoo 1" } }));
    expect(unknown.problems[0]).toMatchObject({ level: "error", code: "introspect.recipe.version", file: CONFIG, line: 5 });
    expect(unknown.problems[0]?.message).toContain('unknown type "cvs"');
  });
  it("reports a missing version", () => {
    const result = ok(extract({ buildout: { parts: "odoo" }, odoo: { recipe: ODOO } }));
    expect(result.problems).toMatchObject([{ level: "error", code: "introspect.recipe.version" }]);
  });
});

describe("the addons option", () => {
  const addons = (value: string, more: Record<string, string> = {}) =>
    ok(extract({ buildout: { parts: "odoo" }, odoo: { recipe: ODOO, version: "10.0", addons: value, ...more } }));

  it("takes VCS lines, skips local ones, strips comments and trailing slashes", () => {
    const result = addons(`
      git https://github.com/OCA/web.git addons-web/ 10.0 ; the web
      local my_addons
      ; commented out
      hg https://hg/x addons-x default
      bzr lp:openobject-addons/7.0 addons-lp last:1
      svn https://svn/y/trunk addons-svn HEAD`);
    expect(brief(result.sources)).toEqual([
      ["addons", "git", "https://github.com/OCA/web.git", "10.0", "/buildout/addons-web"],
      ["addons", "hg", "https://hg/x", "default", "/buildout/addons-x"],
      ["addons", "bzr", "lp:openobject-addons/7.0", "last:1", "/buildout/addons-lp"],
      ["addons", "svn", "https://svn/y/trunk", "HEAD", "/buildout/addons-svn"],
    ]);
    expect(result.problems).toEqual([]);
  });
  it("group= moves the checkout into a directory named after the group; subdir= does not move it", () => {
    const result = addons(`
      git https://g/a.git addons/one 10.0 group=oca
      git https://g/b.git two 10.0 group=grp subdir=sub`);
    expect(result.sources.map((s) => s.checkout)).toEqual(["/buildout/addons/oca/one", "/buildout/grp/two"]);
  });
  it("reports malformed lines and keeps the others", () => {
    const result = addons(`
      git https://g/a.git short
      git https://g/b.git b 10.0 depth
      cvs https://g/c c 1
      local
      git https://g/d.git d 10.0`);
    expect(brief(result.sources)).toEqual([["addons", "git", "https://g/d.git", "10.0", "/buildout/d"]]);
    expect(result.problems.map((p) => [p.level, p.code])).toEqual(Array(4).fill(["error", "introspect.recipe.addons"]));
    expect(result.problems[2]?.message).toContain('unknown type "cvs"');
  });
  it("a later line for the same directory replaces the earlier one", () => {
    const result = addons(`
      git https://g/a.git a 9.0
      git https://g/a2.git a 10.0`);
    expect(brief(result.sources)).toEqual([["addons", "git", "https://g/a2.git", "10.0", "/buildout/a"]]);
  });
});

describe("the revisions option", () => {
  const base = {
    recipe: ODOO,
    version: "git https://g/odoo.git odoo 10.0",
    addons: "git https://g/a.git addons/a 10.0\n git https://g/b.git b 10.0 group=grp\nlocal loc",
  };
  it("a DIRECTORY REVISION line replaces the revision of that source; a single token the main software's", () => {
    const result = ok(extract({ buildout: { parts: "odoo" }, odoo: { ...base, revisions: "addons/a 1a2b3c4d ; pinned\n b/grp 2.0\n abcdef0123" } }));
    expect(result.sources.map((s) => [s.url, s.revision, s.origin.option])).toEqual([
      ["https://g/odoo.git", "abcdef0123", "revisions"],
      ["https://g/a.git", "1a2b3c4d", "revisions"],
      ["https://g/b.git", "10.0", "addons"],
    ]);
    // "b/grp" is not where group= put it ("grp/b"): the recipe ignores it with a warning
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ level: "warning", code: "introspect.recipe.revisions", line: 7 });
    expect(result.problems[0]?.message).toContain('no source at "b/grp"');
  });
  it("applies to the grouped directory", () => {
    const result = ok(extract({ buildout: { parts: "odoo" }, odoo: { ...base, revisions: "grp/b 2.0" } }));
    expect(result.sources.find((s) => s.url === "https://g/b.git")?.revision).toBe("2.0");
  });
  it("reports lines with three tokens and lines naming a local or released source", () => {
    const result = ok(extract({ buildout: { parts: "odoo" }, odoo: { ...base, version: "10.0", revisions: "a b c\nloc 12\n1234" } }));
    expect(result.problems.map((p) => [p.level, p.code])).toEqual(Array(3).fill(["error", "introspect.recipe.revisions"]));
    expect(result.problems[1]?.message).toContain("local addons directory");
    expect(result.problems[2]?.message).toContain("the main software");
  });
});

describe("the merges option", () => {
  it("takes git and bzr merges into a checkout; a bare remote name is marked for resolution", () => {
    const result = ok(
      extract({
        buildout: { parts: "odoo" },
        odoo: {
          recipe: ODOO,
          version: "10.0",
          merges: "git origin parts/odoo/ pr-123\n git https://g/fork.git addons/a feature ; c\n bzr lp:~me/x addons/x last:1\n hg https://h y z",
        },
      }),
    );
    expect(brief(result.sources)).toEqual([
      ["merge", "git", "origin", "pr-123", "/buildout/parts/odoo"],
      ["merge", "git", "https://g/fork.git", "feature", "/buildout/addons/a"],
      ["merge", "bzr", "lp:~me/x", "last:1", "/buildout/addons/x"],
    ]);
    expect(result.sources.map((s) => s.remote ?? false)).toEqual([true, false, false]);
    expect(result.problems).toMatchObject([{ level: "error", code: "introspect.recipe.merges" }]);
    expect(result.problems[0]?.message).toContain('"hg https://h y z"');
  });
});

describe("vcs-extend-develop (gp.vcsdevelop)", () => {
  const develop = (buildout: Record<string, string>) => ok(extract({ buildout: { parts: "odoo", ...buildout }, odoo: { recipe: ODOO, version: "10.0" } }));
  const LINES = `
    git+https://github.com/anybox/anybox.recipe.odoo@1.9#egg=a.r.odoo
    git+ssh://git@github.com/me/tool.git#egg=tool
    hg+https://hg.example.org/lib@stable#egg=lib
    bzr+lp:openerp-command@419#egg=openerp-command
    svn+https://svn.example.org/p/trunk@1234#egg=p
    src/local_egg`;

  it("is ignored with a warning unless gp.vcsdevelop is an extension", () => {
    const result = develop({ "vcs-extend-develop": LINES });
    expect(result.sources).toEqual([]);
    expect(result.problems).toMatchObject([{ level: "warning", code: "introspect.develop.ignored" }]);
  });
  it("parses each VCS URL, revision and egg; checkouts default to the buildout directory", () => {
    const result = develop({ extensions: "mr.developer gp.vcsdevelop", "vcs-extend-develop": LINES });
    expect(brief(result.sources)).toEqual([
      ["develop", "git", "https://github.com/anybox/anybox.recipe.odoo", "1.9", "/buildout/a.r.odoo"],
      ["develop", "git", "ssh://git@github.com/me/tool.git", undefined, "/buildout/tool"],
      ["develop", "hg", "https://hg.example.org/lib", "stable", "/buildout/lib"],
      ["develop", "bzr", "lp:openerp-command", "419", "/buildout/openerp-command"],
      ["develop", "svn", "https://svn.example.org/p/trunk", "1234", "/buildout/p"],
    ]);
    expect(result.sources[0]?.origin).toMatchObject({ section: "buildout", option: "vcs-extend-develop", line: 4 });
  });
  it("checks out under develop-dir (relative to the buildout directory, ~ expanded)", () => {
    const one = "git+https://g/x.git@main#egg=x";
    expect(develop({ extensions: "gp.vcsdevelop", "develop-dir": "src", "vcs-extend-develop": one }).sources[0]?.checkout).toBe("/buildout/src/x");
    expect(develop({ extensions: "gp.vcsdevelop", "develop-dir": "~/dev", "vcs-extend-develop": one }).sources[0]?.checkout).toBe("/home/me/dev/x");
  });
  it("reports a line without #egg= and skips an egg already in develop", () => {
    const result = develop({
      extensions: "gp.vcsdevelop",
      develop: "src/already",
      "vcs-extend-develop": "git+https://g/x.git@main\ngit+https://g/y.git@main#egg=already",
    });
    expect(result.sources).toEqual([]);
    expect(result.problems.map((p) => [p.level, p.code])).toEqual([
      ["error", "introspect.develop.invalid"],
      ["info", "introspect.develop.skipped"],
    ]);
  });
  it("parses pip URLs: user@host is not a revision, scp-like locations work", () => {
    expect(parseVcsUrl("git", "git+ssh://git@github.com/a/b.git")).toEqual({ url: "ssh://git@github.com/a/b.git", revision: undefined });
    expect(parseVcsUrl("git", "git+ssh://git@github.com/a/b.git@v1")).toEqual({ url: "ssh://git@github.com/a/b.git", revision: "v1" });
    expect(parseVcsUrl("git", "git+git@github.com:a/b.git@10.0")).toEqual({ url: "git@github.com:a/b.git", revision: "10.0" });
    expect(parseVcsUrl("git", "git+git@github.com:a/b.git")).toEqual({ url: "git@github.com:a/b.git", revision: undefined });
    expect(parseVcsUrl("hg", "hg+https://h/x@#egg=x")).toEqual({ url: "https://h/x", revision: undefined });
  });
});

describe("origins: the line each source or problem is written on", () => {
  const BASE = [
    "[odoo]", // 1
    `recipe = ${ODOO}`, // 2
    "version = git https://g/odoo.git odoo 10.0", // 3
    "addons =", // 4
    "    git https://g/a.git a 10.0", // 5
    "# a comment", // 6
    "    git https://g/b.git b 10.0 ; a comment", // 7
    "    git https://g/broken.git short", // 8
    "", // 9
    "    local extra", // 10
    "",
  ].join("\n");
  const MAIN = [
    "[buildout]", // 1
    "extends = base.cfg", // 2
    "parts = odoo", // 3
    "extensions = gp.vcsdevelop", // 4
    "vcs-extend-develop =", // 5
    "    git+https://g/dev.git@main#egg=dev", // 6
    "    git+https://g/bad.git@main", // 7
    "[odoo]", // 8
    "addons +=", // 9
    "    git https://g/c.git c 10.0", // 10
    "merges =", // 11
    "    git https://g/fork.git a feature", // 12
    "    hg https://g/nope n x", // 13
    "revisions =", // 14
    "    b v2", // 15
    "    nowhere 1", // 16
    "",
  ].join("\n");

  function resolveAndExtract(overrides: string[] = []) {
    const resolved = resolveSections({
      config: "buildout.cfg",
      cwd: "/b",
      overrides,
      userDefaults: false,
      env: {},
      python: pythonEnvironment({ platform: "linux", arch: "x64", littleEndian: true, env: {} }),
      fs: memoryFs({ "/b/buildout.cfg": MAIN, "/b/base.cfg": BASE }),
    });
    if (!resolved.ok) throw new Error(resolved.error.message);
    return ok(extractSources(resolved.sections, "/b/buildout.cfg", { directory: "/b" }));
  }
  const where = (file: string, line: number | undefined) => (line === undefined ? file : `${file.slice(3)}:${line}`);

  it("gives each addons, merges, revisions and develop source the line it is written on, across files", () => {
    const result = resolveAndExtract();
    expect(result.sources.map((s) => [s.url, s.origin.option, where(s.origin.file, s.origin.line)])).toEqual([
      ["https://g/odoo.git", "version", "base.cfg:3"],
      ["https://g/a.git", "addons", "base.cfg:5"],
      ["https://g/b.git", "revisions", "buildout.cfg:15"],
      ["https://g/c.git", "addons", "buildout.cfg:10"],
      ["https://g/fork.git", "merges", "buildout.cfg:12"],
      ["https://g/dev.git", "vcs-extend-develop", "buildout.cfg:6"],
    ]);
  });

  it("names the bad line in each problem", () => {
    const result = resolveAndExtract();
    expect(result.problems.map((p) => p.code)).toEqual([
      "introspect.recipe.addons",
      "introspect.recipe.revisions",
      "introspect.recipe.merges",
      "introspect.develop.invalid",
    ]);
    expect(result.problems.map((p) => [where(p.file ?? "", p.line), p.message.replace(/:.*/, "")])).toEqual([
      ["base.cfg:8", '[odoo] addons line "git https'],
      ["buildout.cfg:16", '[odoo] revisions line "nowhere 1"'],
      ["buildout.cfg:13", '[odoo] merges line "hg https'],
      ["buildout.cfg:7", 'vcs-extend-develop line "git+https'],
    ]);
  });

  it("falls back to the assignment for a line no file says (a command-line value)", () => {
    const result = resolveAndExtract(["odoo:addons+=git https://g/d.git d 10.0"]);
    expect(result.sources.find((s) => s.url === "https://g/a.git")?.origin.line).toBe(5);
    expect(result.sources.find((s) => s.url === "https://g/d.git")?.origin).toEqual({ file: "COMMAND_LINE_VALUE", section: "odoo", option: "addons" });
  });
});
