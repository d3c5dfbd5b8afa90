import { describe, expect, it } from "vitest";
import { isProblemCode } from "@autowatch/watchfile/text";
import { parseManifests } from "../src/index.js";
import { errors, factory, parse } from "./helpers.js";

describe("several manifests and duplicates", () => {
  it("a section defined again in a later file is a problem there; the first wins", () => {
    const result = parse("[a]\nwatch = git u1 b\n", "[b]\n[a]\nwatch = git u2 b\n");
    expect(result.factories.map((f) => f.name)).toEqual(["a", "b"]);
    expect(factory(result, "a")).toMatchObject({ file: "m1.cfg", watches: [{ url: "u1" }] });
    expect(result.problems).toMatchObject([{ level: "error", code: "manifest.section.duplicate", file: "m2.cfg", line: 2, builder: "a" }]);
    expect(result.problems[0]?.message).toContain('"m1.cfg:1"');
  });

  it("inside one file a duplicate section or option is a problem; the first is kept", () => {
    const result = parse("[a]\nwatch = git u1 b\nWatch = git u2 b\n  git u3 b\n[a]\nwatch = git u4 b\n");
    expect(factory(result, "a").watches.map((w) => w.url)).toEqual(["u1"]);
    expect(result.factories).toHaveLength(1);
    expect(result.problems.map((p) => [p.level, p.code, p.line])).toEqual([
      ["error", "manifest.option.duplicate", 3],
      ["error", "manifest.section.duplicate", 5],
    ]);
  });

  it("each file's DEFAULT applies to its own sections", () => {
    const result = parse("[DEFAULT]\nauto-watch = no\n[a]\n", "[DEFAULT]\nx = 2\n[b]\n");
    expect(factory(result, "a").options).toEqual({ "auto-watch": "no" });
    expect(factory(result, "b").options).toEqual({ x: "2" });
  });

  it("factories come in file order, sections as written; problems in file and line order", () => {
    const result = parse("[z]\n[b]\nauto-watch = bad\n", "[a]\nbuildout = nope\n[y]\n");
    expect(result.factories.map((f) => f.name)).toEqual(["z", "b", "a", "y"]);
    expect(result.problems.map((p) => `${p.file}:${p.line}: ${p.code}`)).toEqual(["m1.cfg:3: manifest.auto-watch.invalid", "m2.cfg:2: manifest.buildout.type"]);
  });

  it("section names are case-sensitive and kept as written", () => {
    const result = parse("[Odoo 10]\na = 1\n[odoo 10]\na = 2\n[DEFAULT ]\n[default]\n");
    expect(result.factories.map((f) => f.name)).toEqual(["Odoo 10", "odoo 10", "DEFAULT ", "default"]);
    expect(result.problems).toEqual([]);
  });
});

describe("inherit", () => {
  it("resolves chains recursively; own options win, nearest parent next", () => {
    const result = parse(`
[g]
a = g
b = g
c = g
[p]
inherit = g
a = p
b = p
[c]
inherit = p
a = c
`);
    expect(factory(result, "c").options).toMatchObject({ a: "c", b: "p", c: "g" });
    expect(factory(result, "c").inherits).toEqual(["p", "g"]);
    expect(factory(result, "c").optionOrigins.c).toEqual({ file: "m1.cfg", line: 5 });
  });

  it("works across files (first definition of the parent)", () => {
    const result = parse("[p]\nwatch = git u b\n", "[c]\ninherit = p\n");
    expect(factory(result, "c").watches).toHaveLength(1);
  });

  it("DEFAULT comes after the whole chain: a parent's explicit value beats a default", () => {
    const result = parse(`
[DEFAULT]
auto-watch = true
db = default
[p]
auto-watch = false
[c]
inherit = p
`);
    expect(factory(result, "c")).toMatchObject({ autoWatch: false, options: { db: "default", "auto-watch": "false" } });
  });

  it("an option taken from [DEFAULT] has the origin of its line in its own file, in every section", () => {
    const result = parse("[DEFAULT]\nx = 1\ny = 1\n[p]\n[q]\ny = q\n", "[DEFAULT]\nx = 2\n[c]\ninherit = p\n");
    expect(factory(result, "p").optionOrigins).toEqual({ x: { file: "m1.cfg", line: 2 }, y: { file: "m1.cfg", line: 3 } });
    expect(factory(result, "q").optionOrigins).toEqual({ y: { file: "m1.cfg", line: 6 }, x: { file: "m1.cfg", line: 2 } });
    expect(factory(result, "c").optionOrigins).toEqual({
      inherit: { file: "m2.cfg", line: 4 },
      x: { file: "m2.cfg", line: 2 },
      y: { file: "m1.cfg", line: 3 },
    });
  });

  it("the defaults of every file of the chain apply, the child's file first", () => {
    const result = parse("[DEFAULT]\nx = 1\ny = 1\n[p]\n", "[DEFAULT]\nx = 2\n[c]\ninherit = p\n");
    expect(factory(result, "c").options).toMatchObject({ x: "2", y: "1" });
  });

  it("inherit in DEFAULT is ignored, with a warning", () => {
    const result = parse("[DEFAULT]\ninherit = base\n[base]\nx = 1\n[a]\n");
    expect(factory(result, "a").inherits).toEqual([]);
    expect(factory(result, "a").options).toEqual({});
    expect(result.problems).toMatchObject([{ level: "warning", code: "manifest.inherit.default", line: 2 }]);
  });

  it("an unknown parent is a problem for the section that names it", () => {
    const result = parse("[a]\nx = 1\ninherit = nowhere\n[b]\ninherit = a\n");
    expect(result.problems).toMatchObject([{ level: "error", code: "manifest.inherit.unknown", line: 3, builder: "a" }]);
    expect(result.problems[0]?.message).toContain('"nowhere"');
    expect(factory(result, "b").options.x).toBe("1");
  });

  it("a cycle is a problem for each section in it, and nothing hangs", () => {
    const result = parse(`
[a]
inherit = b
x = a
[b]
inherit = c
y = b
[c]
inherit = a
[d]
inherit = a
[self]
inherit = self
`);
    expect(result.problems.every((p) => p.code === "manifest.inherit.cycle" && p.level === "error")).toBe(true);
    expect(result.problems.map((p) => p.builder).sort()).toEqual(["a", "b", "c", "self"]);
    expect(factory(result, "d")).toMatchObject({ inherits: ["a", "b", "c"], options: { x: "a", y: "b" } });
    expect(factory(result, "c").options).toMatchObject({ x: "a", y: "b", inherit: "a" });
  });

  it("an empty inherit is a warning", () => {
    const result = parse("[a]\ninherit =\n");
    expect(result.problems).toMatchObject([{ level: "warning", code: "manifest.inherit.empty", builder: "a", line: 2 }]);
  });
});

describe("interpolation", () => {
  it("happens after inherit, in the child: a template picks up the child's values", () => {
    const result = parse(`
[DEFAULT]
host = https://git.example
[template]
buildout = git %(host)s/b.git %(series)s odoo.cfg
watch = git %(host)s/odoo.git %(series)s
series = 10.0
[v11]
inherit = template
series = 11.0
`);
    expect(factory(result, "template").buildout?.self).toEqual({ vcs: "git", url: "https://git.example/b.git", branch: "10.0" });
    expect(factory(result, "v11").buildout?.self).toEqual({ vcs: "git", url: "https://git.example/b.git", branch: "11.0" });
    expect(factory(result, "v11").watches).toMatchObject([{ url: "https://git.example/odoo.git", branch: "11.0", line: 6 }]);
    expect(result.problems).toEqual([]);
  });

  it("%% is a literal percent and names are case-insensitive", () => {
    const result = parse("[a]\nRate = 100%%\nmsg = %(RATE)s done, %%(x)s\n");
    expect(factory(result, "a").options).toEqual({ rate: "100%", msg: "100% done, %(x)s" });
  });

  it("a referenced multi-line value gives several watch lines", () => {
    const result = parse("[a]\nlines = git u1 b\n  git u2 b\nwatch = %(lines)s\n   svn u3\n");
    expect(factory(result, "a").watches.map((w) => [w.url, w.line])).toEqual([
      ["u1", 4],
      ["u2", 4],
      ["u3", 5],
    ]);
  });

  it("a missing reference is a problem on the line that holds it; the other lines still count", () => {
    const text = ["[a]", "watch = git u1 b", "   git %(nowhere)s b", "   git u3 b"].join("\n");
    const result = parse(text);
    expect(result.problems).toMatchObject([{ level: "error", code: "manifest.interpolation.missing", line: 3, builder: "a" }]);
    expect(result.problems[0]?.message).toContain("nowhere");
    expect(factory(result, "a").watches.map((w) => w.url)).toEqual(["u1", "u3"]);
    expect(factory(result, "a").options.watch).toBe("git u1 b\ngit %(nowhere)s b\ngit u3 b");
  });

  it("values with and without % side by side; a multi-line value is reported on the line that fails", () => {
    const result = parse("[a]\nplain = 50 percent\nrate = 100%%\nref = %(plain)s, %(rate)s\nnotes = first\n  %(nowhere)s\n  last\n");
    expect(factory(result, "a").options).toEqual({ plain: "50 percent", rate: "100%", ref: "50 percent, 100%", notes: "first\n%(nowhere)s\nlast" });
    expect(result.problems).toMatchObject([{ level: "error", code: "manifest.interpolation.missing", line: 6, builder: "a" }]);
  });

  it("a bad % and a reference loop (depth > 10) are problems", () => {
    const result = parse("[a]\nx = 50%\nloop = %(loop)s\nbuildout = standalone %(loop)s\n");
    expect(result.problems.map((p) => [p.level, p.code, p.line])).toEqual([
      ["error", "manifest.interpolation.syntax", 2],
      ["error", "manifest.interpolation.depth", 3],
      ["error", "manifest.interpolation.depth", 4],
    ]);
    expect(result.problems[1]?.message).toContain("more than 10 levels");
    expect(factory(result, "a").buildout).toBeUndefined();
  });

  it("ten levels are fine, eleven are not", () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `v${i} = %(v${i + 1})s`).join("\n") + `\nv${n} = end\n`;
    expect(factory(parse(`[a]\n${chain(10)}`), "a").options.v0).toBe("end");
    const deep = parse(`[a]\n${chain(11)}`);
    expect(deep.problems).toMatchObject([{ level: "error", code: "manifest.interpolation.depth", line: 2 }]);
  });

  it("a value that explodes when expanded is stopped", () => {
    const levels = Array.from({ length: 10 }, (_, i) => `l${i} = ${`%(l${i + 1})s`.repeat(10)}`).join("\n");
    const started = Date.now();
    const result = parse(`[a]\n${levels}\nl10 = xxxxxxxxxx\nwatch = git %(l0)s b\n`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.problems.some((p) => p.line === 2 && p.code === "manifest.interpolation.size")).toBe(true);
    // one level deeper than l0: the depth limit stops it first, as in Python
    expect(result.problems.some((p) => p.line === 13 && p.code === "manifest.interpolation.depth")).toBe(true);
  });

  it("a DEFAULT option that fails only where nobody reads it is a warning", () => {
    const result = parse("[DEFAULT]\nurl = https://x/%(name)s\n[a]\nname = a\n[b]\n");
    expect(factory(result, "a").options.url).toBe("https://x/a");
    expect(result.problems).toMatchObject([{ level: "warning", code: "manifest.interpolation.missing", builder: "b", line: 2 }]);
  });
});

describe("robustness", () => {
  it("keeps options named like Object.prototype members", () => {
    const result = parse("[a]\n__proto__ = x\nconstructor = y\nbuildout = standalone p __proto__=z\n");
    const a = factory(result, "a");
    expect(Object.keys(a.options)).toEqual(["__proto__", "constructor", "buildout"]);
    expect(a.options.constructor).toBe("y");
    expect(Object.getOwnPropertyDescriptor(a.options, "__proto__")?.value).toBe("x");
    expect(Object.getOwnPropertyDescriptor(a.buildout?.options, "__proto__")?.value).toBe("z");
  });

  it("never throws on garbage", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = [
      "[",
      "]",
      "=",
      ":",
      "%",
      "(",
      ")",
      "s",
      "\n",
      " ",
      "\t",
      "#",
      ";",
      "a",
      "inherit",
      "watch",
      "buildout",
      "git",
      "\u0000",
      "\r",
      "\u2028",
      "DEFAULT",
    ];
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 80 }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const result = parseManifests([
        { file: "f", text },
        { file: "g", text: text.split("").reverse().join("") },
      ]);
      for (const problem of result.problems) expect(isProblemCode(problem.code)).toBe(true);
    }
  });

  it("refuses a line that is neither an option nor a header, and a file without a builder", () => {
    expect(errors(parse("[a]\nx = 1\n!!!\n"))).toMatchObject([{ code: "manifest.syntax.invalid", file: "m1.cfg", line: 3 }]);
    expect(errors(parse("# nothing\n[DEFAULT]\nx = 1\n"))).toMatchObject([{ code: "manifest.empty", file: "m1.cfg" }]);
  });

  it("reports text before the first section once", () => {
    const result = parse("a = 1\nb = 2\n[s]\nc = 3\n");
    expect(errors(result)).toMatchObject([{ code: "manifest.syntax.no-section", line: 1 }]);
    expect(factory(result, "s").options).toEqual({ c: "3" });
  });

  it("quotes control characters in messages", () => {
    const result = parse("[a]\nwatch = git\u001b[31m u\n");
    expect(result.problems[0]?.message).not.toMatch(/\u001b/);
    expect(result.problems[0]?.message).toContain("\\u001b");
  });
});

describe("section names like object internals", () => {
  it("are builders like any other (Buildbot accepts them; issue 11)", () => {
    const text =
      "[__proto__]\nwatch =\n[constructor]\nauto-watch = no\ninherit = toString\n[toString]\nwatch = git https://x.example/a.git main\n[ok]\nauto-watch = no\n";
    const result = parseManifests([{ file: "M.cfg", text }]);
    expect(result.factories.map((factory) => factory.name)).toEqual(["__proto__", "constructor", "toString", "ok"]);
    expect(result.problems).toEqual([]);
    const byName = new Map(result.factories.map((factory) => [factory.name, factory]));
    expect(byName.get("__proto__")?.schedule).toBe(false);
    expect(byName.get("constructor")?.watches.map((watch) => watch.url)).toEqual(["https://x.example/a.git"]);
  });
});
