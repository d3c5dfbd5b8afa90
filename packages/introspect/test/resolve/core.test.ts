/** The pure core: parsing, conditions and resolution from an in-memory file system (no disk, no Python). */
import { describe, expect, it } from "vitest";
import { parseBuildoutFile, pythonEnvironment, resolveSections } from "../../src/resolve/index.js";
import { defaultGlobals, evaluateCondition } from "../../src/resolve/condition/index.js";
import { memoryFs } from "../support.js";

const linux = pythonEnvironment({ platform: "linux", arch: "x64", littleEndian: true, pythonVersion: "3.11.2", env: { CI: "1" } });

function resolve(files: Record<string, string>, overrides: string[] = []) {
  return resolveSections({
    config: "buildout.cfg",
    cwd: "/srv/b",
    overrides,
    userDefaults: false,
    env: {},
    python: linux,
    fs: memoryFs(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/srv/b/${k}`, v]))),
  });
}

describe("parseBuildoutFile", () => {
  it("keeps lines, operators in names, and inline comments in values", () => {
    const parsed = parseBuildoutFile("[s]\na = 1 # kept\nb += x\n  y\n# dropped\n<= m\n", "f.cfg", linux);
    expect(parsed).toEqual({
      ok: true,
      sections: { s: { a: { value: "1 # kept", line: 2 }, "b +": { value: "x\ny", line: 3 }, "<": { value: "m", line: 6 } } },
    });
  });

  it("names file and line of a bad line, without throwing", () => {
    const parsed = parseBuildoutFile("[s]\na = 1\nnot an option\n", "f.cfg", linux);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ level: "error", code: "buildout.syntax", file: "f.cfg", line: 3 });
  });

  it("reports an expression it cannot evaluate with file and line", () => {
    const parsed = parseBuildoutFile("[s]\na = 1\n[t: platform.uname()]\nb = 2\n", "f.cfg", linux);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatchObject({ code: "buildout.condition", line: 3 });
      expect(parsed.error.message).toContain("[t]");
      expect(parsed.error.message).toContain("uname");
    }
  });
});

describe("conditions", () => {
  const globals = defaultGlobals(linux);
  const cases: [string, boolean][] = [
    ["[linux and python3]", true],
    ["[windows or macosx]", false],
    ["[not cygwin and posix]", true],
    ["[sys.platform == 'linux']", true],
    ["[sys.version_info >= (3, 11)]", true],
    ["[sys.version_info < (3, 8)]", false],
    ["[platform.python_version().startswith('3.11')]", true],
    ["[python36 or python27]", false],
    ["[os.environ.get('CI') == '1']", true],
    ["['CI' in os.environ and 'HOME' not in os.environ]", true],
    ["[bits64 and little_endian and not big_endian]", true],
    ["[False and undefined_name]", false],
  ];
  for (const [source, expected] of cases) {
    it(`${source} is ${expected}`, () => expect(evaluateCondition(source, globals)).toBe(expected));
  }
  it("the emulated platform decides, not this machine", () => {
    const windows = defaultGlobals(pythonEnvironment({ platform: "win32", arch: "x64", littleEndian: true, pythonVersion: "3.6.8", env: {} }));
    expect(evaluateCondition("[windows and python36 and not posix]", windows)).toBe(true);
    expect(evaluateCondition("[sys.platform == 'win32' and os.name == 'nt']", windows)).toBe(true);
  });
  it("refuses names and constructs outside the subset", () => {
    expect(() => evaluateCondition("[nope]", globals)).toThrow(/name 'nope' is not defined/);
    expect(() => evaluateCondition("[__import__('os').system('true')]", globals)).toThrow(/not defined/);
    expect(() => evaluateCondition("[1 if linux else 0]", globals)).toThrow(/unsupported/);
    expect(() => evaluateCondition("[linux < 'a']", globals)).toThrow(/not supported between/);
  });
});

describe("resolveSections", () => {
  it("records the file and line of the assignment that set each value", () => {
    const result = resolve({
      "buildout.cfg": "[buildout]\nextends = base.cfg\nparts = p\n[p]\n<= t\naddons += b\n",
      "base.cfg": "[t]\nrecipe = r\naddons = a\nkept = k\n",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const base = (line: number) => ({ file: "/srv/b/base.cfg", line });
    expect(result.sections.p).toEqual({
      recipe: { value: "r", origin: base(2), lines: [base(2)] },
      addons: { value: "a\nb", origin: { file: "/srv/b/buildout.cfg", line: 6 }, lines: [base(3), { file: "/srv/b/buildout.cfg", line: 6 }] },
      kept: { value: "k", origin: base(4), lines: [base(4)] },
    });
    expect(result.sections.buildout!.directory).toEqual({ value: "/srv/b", origin: { file: "COMPUTED_VALUE" } });
    expect(result.sections.buildout!["bin-directory"]!.value).toBe("/srv/b/bin");
  });

  it("leaves what only a recipe computes as written, flagged, with a warning", () => {
    const result = resolve({ "buildout.cfg": "[buildout]\nparts = odoo\n[odoo]\nrecipe = anybox.recipe.odoo:server\nbin = ${:location}/bin\n" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sections.odoo!.bin).toMatchObject({ value: "${odoo:location}/bin", unresolved: ["${odoo:location}"] });
    expect(result.problems).toEqual([expect.objectContaining({ level: "warning", code: "buildout.computed", file: "/srv/b/buildout.cfg", line: 5 })]);
  });

  it("tolerates a broken section nothing uses, as zc.buildout does, and says so", () => {
    const result = resolve({ "buildout.cfg": "[buildout]\nparts =\n[unused]\nx = ${nowhere:y}/z\nok = 1\n" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sections.unused!.x).toMatchObject({ value: "${nowhere:y}/z", error: expect.stringContaining("nowhere") });
    expect(result.sections.unused!.ok!.value).toBe("1");
    expect(result.problems[0]).toMatchObject({ level: "warning", code: "buildout.section.missing", line: 4 });
  });

  it("fails with file and line where zc.buildout fails", () => {
    const result = resolve({ "buildout.cfg": "[buildout]\nparts = p\n[p]\nrecipe = r\nx = ${q:y}\n[q]\ny = ${p:x}\n" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ level: "error", code: "buildout.substitution", file: "/srv/b/buildout.cfg" });
    expect(result.error.message).toMatch(/circular reference/);
  });

  it("applies command-line assignments last, sorted as zc.buildout sorts them", () => {
    const result = resolve({ "buildout.cfg": "[buildout]\nparts =\n[s]\nx = file\n" }, ["s:x=b", "s:x=a", "s:y+=1"]);
    expect(result.ok && result.sections.s).toMatchObject({
      x: { value: "b", origin: { file: "COMMAND_LINE_VALUE" } },
      y: { value: "\n1" },
    });
  });

  it("never reaches the network for extends URLs", () => {
    const result = resolve({ "buildout.cfg": "[buildout]\nextends = https://example.invalid/b.cfg\nparts =\n" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ code: "buildout.extends", file: "/srv/b/buildout.cfg", line: 2 });
      expect(result.error.message).toContain("https://example.invalid/b.cfg");
    }
  });
});

describe("per-line origins", () => {
  const at = (file: string) => (line: number) => ({ file: `/srv/b/${file}`, line });
  const main = at("buildout.cfg");
  const base = at("base.cfg");
  function option(files: Record<string, string>, section: string, name: string, overrides: string[] = []) {
    const result = resolve(files, overrides);
    if (!result.ok) throw new Error(result.error.message);
    const resolved = result.sections[section]?.[name];
    if (!resolved) throw new Error(`no ${section}:${name}`);
    if (resolved.lines) expect(resolved.lines).toHaveLength(resolved.value.split("\n").length);
    return resolved;
  }

  it("follows continuation lines past comments, blank lines and the stripping of the value", () => {
    const text = [
      "[buildout]", // 1
      "parts =", // 2
      "[p]", // 3
      "addons =", // 4
      "", // 5: leading blank line, dropped
      "    git a a 1", // 6
      "# a comment at column 0 is no line of the value", // 7
      "    git b b 1", // 8
      "", // 9: kept inside
      "    ; kept, the recipe strips it", // 10
      "        git c c 1", // 11
      "   ", // 12: trailing, dropped
      "one = first", // 13
      "    second", // 14
      "", // 15: skipped after a value on the name's line
      "    third", // 16
      "",
    ].join("\n");
    const addons = option({ "buildout.cfg": text }, "p", "addons");
    expect(addons.value).toBe("git a a 1\ngit b b 1\n\n; kept, the recipe strips it\n    git c c 1");
    expect(addons.lines).toEqual([main(6), main(8), main(9), main(10), main(11)]);
    expect(addons.origin).toEqual(main(4));
    const one = option({ "buildout.cfg": text }, "p", "one");
    expect(one.value).toBe("first\nsecond\nthird");
    expect(one.lines).toEqual([main(13), main(14), main(16)]);
  });

  const BASE = "[p]\naddons =\n    a\n    b\n    c\n";

  it("joins the lines of += from several files, each keeping its own file and line", () => {
    const addons = option({ "buildout.cfg": "[buildout]\nextends = base.cfg\nparts =\n[p]\naddons +=\n    d\n", "base.cfg": BASE }, "p", "addons");
    expect(addons.value).toBe("a\nb\nc\nd");
    expect(addons.lines).toEqual([base(3), base(4), base(5), main(6)]);
    expect(addons.origin).toEqual(main(5));
  });

  it("keeps the origins of the lines -= leaves", () => {
    const addons = option({ "buildout.cfg": "[buildout]\nextends = base.cfg\nparts =\n[p]\naddons -= b\n", "base.cfg": BASE }, "p", "addons");
    expect(addons.value).toBe("a\nc");
    expect(addons.lines).toEqual([base(3), base(5)]);
  });

  it("copies the origins of a macro's lines", () => {
    const files = { "buildout.cfg": "[buildout]\nextends = base.cfg\nparts =\n[q]\n<= p\naddons += d\n", "base.cfg": BASE };
    expect(option(files, "q", "addons").lines).toEqual([base(3), base(4), base(5), main(6)]);
  });

  it("has no file line for a command-line value", () => {
    const files = { "buildout.cfg": "[buildout]\nextends = base.cfg\nparts =\n", "base.cfg": BASE };
    const added = option(files, "p", "addons", ["p:addons+=d"]);
    expect(added.value).toBe("a\nb\nc\nd");
    expect(added.lines).toEqual([base(3), base(4), base(5), undefined]);
    const replaced = option(files, "p", "addons", ["p:addons=d"]);
    expect(replaced).toEqual({ value: "d", origin: { file: "COMMAND_LINE_VALUE" } });
  });

  it("keeps a line with single-line substitutions; lines of a multi-line substitution are unknown", () => {
    const text = [
      "[buildout]",
      "parts =",
      "[urls]",
      "base = https://example.org",
      "two =",
      "    git x x 1",
      "    git y y 1",
      "[p]",
      "addons =",
      "    git ${urls:base}/a.git a 1", // 10
      "    ${urls:two}", // 11
      "    git ${urls:base}/b.git b 1", // 12
      "    ${urls:two} tail", // 13
      "",
    ].join("\n");
    const addons = option({ "buildout.cfg": text }, "p", "addons");
    expect(addons.value.split("\n")).toEqual([
      "git https://example.org/a.git a 1",
      "git x x 1",
      "git y y 1",
      "git https://example.org/b.git b 1",
      "git x x 1",
      "git y y 1 tail",
    ]);
    expect(addons.lines).toEqual([main(10), undefined, undefined, main(12), undefined, undefined]);
  });

  it("keeps origins through $$ and a recipe-computed reference, and in a section nothing uses", () => {
    const text = "[buildout]\nparts =\n[odoo]\nrecipe = r\nx =\n    $${a} ${:location}\n    plain\n[unused]\ny =\n    ${nowhere:z}\n    kept\n";
    expect(option({ "buildout.cfg": text }, "odoo", "x").lines).toEqual([main(6), main(7)]);
    const unused = option({ "buildout.cfg": text }, "unused", "y");
    expect(unused).toMatchObject({ value: "${nowhere:z}\nkept", lines: [main(10), main(11)], error: expect.any(String) });
  });

  it("keeps the line of a directory made absolute; defaults have none", () => {
    const buildout = resolve({ "buildout.cfg": "[buildout]\nparts =\nparts-directory = p\n" });
    expect(buildout.ok && buildout.sections.buildout!["parts-directory"]).toEqual({ value: "/srv/b/p", origin: main(3), lines: [main(3)] });
    expect(buildout.ok && buildout.sections.buildout!["bin-directory"]).toEqual({ value: "/srv/b/bin", origin: { file: "DEFAULT_VALUE" } });
  });
});

describe("resolveBuildout on disk", () => {
  it("learns the interpreter, Python and zc.buildout versions from the installed buildout", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { resolveBuildout, detectInstallation } = await import("../../src/resolve/index.js");
    const dir = mkdtempSync(join(tmpdir(), "autowatch-install-"));
    try {
      mkdirSync(join(dir, "bin"));
      mkdirSync(join(dir, "eggs/zc.buildout-2.13.3-py2.7.egg"), { recursive: true });
      writeFileSync(join(dir, "bin/buildout"), "#!/opt/py27/bin/python2.7\nimport sys\n");
      writeFileSync(join(dir, "buildout.cfg"), "[buildout]\nparts =\n[s]\nx = 3\n[s:python2]\nx = 2\n");
      expect(detectInstallation(dir)).toEqual({ executable: "/opt/py27/bin/python2.7", pythonVersion: "2.7", buildoutVersion: "2.13.3" });
      const result = await resolveBuildout({ config: "buildout.cfg", cwd: dir, noUserDefaults: true, env: {} });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.sections.s!.x!.value).toBe("2");
      expect(result.sections.buildout!.executable!.value).toBe("/opt/py27/bin/python2.7");
      expect(result.sections.versions!["zc.buildout"]!.value).toBe(">=2.13.3");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("buildout resolver codes", () => {
  it.each([
    ["a macro naming no section", "[buildout]\nparts = p\n[p]\nrecipe = r\n<= nowhere\n", [], "buildout.macro", 5],
    ["a part without a recipe", "[buildout]\nparts = p\n[p]\nx = 1\n", [], "buildout.option.missing", 2],
    ["a log-level zc.buildout refuses", "[buildout]\nparts =\nlog-level = LOUD\n", [], "buildout.option.invalid", 3],
    ["an override without '='", "[buildout]\nparts =\n", ["nothing"], "buildout.override.invalid", undefined],
  ])("%s", (_name, text, overrides, code, line) => {
    const result = resolve({ "buildout.cfg": text }, overrides);
    if (result.ok) throw new Error("resolved");
    expect(result.error).toMatchObject({ level: "error", code, file: "/srv/b/buildout.cfg" });
    expect(result.error.line).toBe(line);
  });
});
