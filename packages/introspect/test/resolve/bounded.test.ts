/**
 * Bounded on every input (issue 16): the buildout reader and resolver on long runs of the
 * characters that make regular expressions backtrack, timed at n, 2n and 4n.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBuildoutFile, pythonEnvironment, resolveBuildout, resolveSections } from "../../src/resolve/index.js";
import { memoryFs, tempDir } from "../support.js";
import { expectLinear, itIsLinearOnRuns, WORST_RUNS as WORST } from "../../../../tests/support/scaling.js";

const linux = pythonEnvironment({ platform: "linux", arch: "x64", littleEndian: true, pythonVersion: "3.11.2", env: {} });
const MB = 1024 * 1024;

function resolve(files: Record<string, string>) {
  return resolveSections({
    config: "buildout.cfg",
    cwd: "/srv/b",
    overrides: [],
    userDefaults: false,
    env: {},
    python: linux,
    fs: memoryFs(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/srv/b/${k}`, v]))),
  });
}

/** Files made of one long run of `filler` (length n) in a place a pattern would scan it. */
const SHAPES: Record<string, (run: string) => string> = {
  "inside a value": (run) => `[buildout]\nparts =\nx = a${run}b\n`,
  "at the end of a value": (run) => `[buildout]\nparts =\nx = a${run}\n`,
  "in a continuation line": (run) => `[buildout]\nparts =\nx =\n  a${run}b\n\n  c\n`,
  "in a header with a colon": (run) => `[a:${run}x\n`,
  "in a header name": (run) => `[buildout]\n[a${run}x\n`,
  "in a condition": (run) => `[buildout]\nparts =\n[a: ${run}]\n`,
  "in an option name": (run) => `[buildout]\nx${run}y = 1\n`,
  "after a reference opening": (run) => `[buildout]\nparts =\nx = \${${run}\n`,
  "in a reference": (run) => `[buildout]\nparts =\ny = 1\nx = \${:${run}y}\n`,
};

describe("buildout reader: no catastrophic backtracking", () => {
  itIsLinearOnRuns(SHAPES, WORST, (text) => {
    const files = { "buildout.cfg": text };
    return () => {
      parseBuildoutFile(files["buildout.cfg"], "buildout.cfg", linux);
      resolve(files);
    };
  });

  it("reads 1 MB of each worst character in each place, with a result or an error naming the line", () => {
    for (const [shape, text] of Object.entries(SHAPES)) {
      for (const char of WORST) {
        const result = resolve({ "buildout.cfg": text(char.repeat(MB)) });
        if (!result.ok) {
          expect(result.error.file, shape).toBe("/srv/b/buildout.cfg");
          expect(result.error.message.length, shape).toBeLessThan(2000);
        }
      }
    }
  });

  it("keeps a long run of spaces inside a value as zc.buildout does", () => {
    const result = resolve({ "buildout.cfg": `[buildout]\nparts =\nx = a${" ".repeat(200_000)}b\n` });
    expect(result.ok && result.sections.buildout!.x!.value).toBe(`a${" ".repeat(200_000)}b`);
  });
});

describe("buildout reader: only regular files", () => {
  it("refuses a FIFO, a device or a directory as a config or an extends target at once, naming file and line", async () => {
    const dir = tempDir();
    try {
      execFileSync("mkfifo", [join(dir.path, "fifo.cfg")]);
      mkdirSync(join(dir.path, "dir.cfg"));
      const started = Date.now();
      for (const target of ["fifo.cfg", "/dev/zero", "/dev/null", "dir.cfg"]) {
        writeFileSync(join(dir.path, "buildout.cfg"), `[buildout]\nparts =\nextends = ${target}\n`);
        const result = await resolveBuildout({ config: "buildout.cfg", cwd: dir.path, noUserDefaults: true, env: {} });
        expect(result.ok, target).toBe(false);
        if (!result.ok) {
          expect(result.error).toMatchObject({ code: "buildout.read.failed", file: join(dir.path, "buildout.cfg"), line: 3 });
          expect(result.error.message).toMatch(target === "dir.cfg" ? /is a directory/ : /not a regular file/);
        }
      }
      const direct = await resolveBuildout({ config: "fifo.cfg", cwd: dir.path, noUserDefaults: true, env: {} });
      expect(direct.ok).toBe(false);
      if (!direct.ok) expect(direct.error).toMatchObject({ code: "buildout.read.failed", message: expect.stringMatching(/not a regular file/) });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      dir.remove();
    }
  });
});

/** A buildout of sections `body(i)` for i < n, plus [buildout]. */
function sectionsOf(n: number, body: (i: number) => string): string {
  const parts = ["[buildout]\nparts =\n"];
  for (let i = 0; i < n; i++) parts.push(body(i));
  return parts.join("");
}

describe("buildout resolver: linear time, each thing evaluated once", () => {
  it("extends diamonds: each file read and resolved once", async () => {
    // level i extends both files of level i + 1: 2^levels paths, 2 * levels files
    const diamond = (levels: number): Record<string, string> => {
      const files: Record<string, string> = { "buildout.cfg": "[buildout]\nparts =\nextends = a0.cfg b0.cfg\n" };
      for (let i = 0; i < levels; i++) {
        const next = i + 1 < levels ? `extends = a${i + 1}.cfg b${i + 1}.cfg\n` : "";
        files[`a${i}.cfg`] = `[buildout]\n${next}[a${i}]\nx = ${i}\n`;
        files[`b${i}.cfg`] = `[buildout]\n${next}[b${i}]\nx = ${i}\n`;
      }
      return files;
    };
    await expectLinear("extends diamond", 12, (levels) => {
      const files = diamond(levels);
      return () => expect(resolve(files).ok).toBe(true);
    });
    const deep = resolve(diamond(40));
    expect(deep.ok && Object.keys(deep.sections)).toContain("b39");
  });

  it("macro chains: each section's macro result computed once", async () => {
    await expectLinear("<= chain", 150, (n) => {
      const text = sectionsOf(n, (i) => (i + 1 < n ? `[s${i}]\n<= s${i + 1}\nx = ${i}\n` : `[s${i}]\nx = end\ny = 1\n`));
      return () => expect(resolve({ "buildout.cfg": text }).ok).toBe(true);
    });
  });

  it("[s_i] <= s_{i+1} s_{i+1}: each level once, not 2^levels", async () => {
    await expectLinear("doubled macro", 60, (n) => {
      const text = sectionsOf(n, (i) => (i + 1 < n ? `[s${i}]\n<=\n  s${i + 1}\n  s${i + 1}\n` : `[s${i}]\nx = end\n`));
      return () => expect(resolve({ "buildout.cfg": text }).ok).toBe(true);
    });
  });

  it("options that refer to recipe-computed values (${part:location})", async () => {
    await expectLinear("recipe-computed references", 250, (n) => {
      // plain options too: each option's value was checked against every recipe-computed reference
      const plain = Array.from({ length: 10 }, (_, k) => `o${k} = v${k}\n`).join("");
      const text = sectionsOf(n, (i) => `[p${i}]\nrecipe = r\nuse = \${p${i}:location}/x \${p${(i * 7) % n}:location}\n${plain}`);
      return () => expect(resolve({ "buildout.cfg": text }).ok).toBe(true);
    });
  });

  it("stops a doubling substitution early, with a clear error at file:line", () => {
    const levels = 40;
    const text = sectionsOf(1, () => `[s]\na0 = xx\n${Array.from({ length: levels }, (_, i) => `a${i + 1} = \${:a${i}}\${:a${i}}\n`).join("")}`);
    const result = resolve({ "buildout.cfg": text });
    expect(result.ok).toBe(true);
    // an unused section: the option fails alone, as a warning naming its line
    const warning = result.problems.find((p) => /grows past/.test(p.message));
    expect(warning).toMatchObject({ level: "warning", code: "buildout.limit", file: "/srv/b/buildout.cfg" });
    expect(warning!.line).toBeGreaterThan(3);
    const used = resolve({ "buildout.cfg": `[buildout]\nparts =\nbig = \${s:a${levels}}\n${text.slice("[buildout]\nparts =\n".length)}` });
    expect(used.ok).toBe(false);
    if (!used.ok) {
      expect(used.error.code).toBe("buildout.limit");
      expect(used.error.message).toMatch(/grows past \d+ characters once substituted/);
      expect(used.error.line).toBeGreaterThan(3);
    }
  });

  it("names file and line of a chain nested too deeply (substitutions and macros)", () => {
    const substitutions = sectionsOf(1, () => `[s]\n${Array.from({ length: 4000 }, (_, i) => `a${i} = \${:a${i + 1}}\n`).join("")}a4000 = end\n`);
    const used = resolve({ "buildout.cfg": substitutions.replace("parts =\n", "parts =\nx = ${s:a0}\n") });
    expect(used.ok).toBe(false);
    if (!used.ok) {
      expect(used.error).toMatchObject({ code: "buildout.limit", message: expect.stringMatching(/nested too deeply/) });
      expect(used.error.file).toBe("/srv/b/buildout.cfg");
      expect(used.error.line).toBeGreaterThan(0);
    }
    const macros = sectionsOf(4000, (i) => (i + 1 < 4000 ? `[s${i}]\n<= s${i + 1}\n` : `[s${i}]\nx = 1\n`)).replace("parts =\n", "parts =\nx = ${s0:x}\n");
    const deep = resolve({ "buildout.cfg": macros });
    expect(deep.ok).toBe(false);
    if (!deep.ok) {
      expect(deep.error).toMatchObject({ code: "buildout.limit", message: expect.stringMatching(/nested too deeply/) });
      expect(deep.error.line).toBeGreaterThan(0);
    }
  });
});

describe("conditional sections: linear in the expression", () => {
  const repeat = (text: string, count: number, separator = "") => Array.from({ length: count }, () => text).join(separator);
  const shapes: Record<string, (n: number) => string> = {
    "or terms": (n) => `${repeat("False", n, " or ")} or True`,
    "and terms": (n) => repeat("True", n, " and "),
    comparisons: (n) => repeat("1", n, " == "),
    "adjacent strings": (n) => repeat('"ab"', n, " "),
    "tuple items": (n) => `(${repeat("1, ", n)})`,
    "nested not, refused past Python's depth": (n) => `${repeat("not ", n)}True`,
    "nested parentheses, refused past 200": (n) => `${repeat("(", n)}1${repeat(")", n)}`,
  };
  for (const [shape, expression] of Object.entries(shapes)) {
    it(shape, async () => {
      await expectLinear(shape, 10_000, (n) => {
        const text = `[buildout]\nparts =\n[s: ${expression(n)}]\nx = 1\n`;
        return () => {
          const parsed = parseBuildoutFile(text, "buildout.cfg", linux);
          // Python takes these at any length (200,000 terms tried); it refuses the nesting ones
          if (!shape.includes("refused")) expect(parsed.ok, shape).toBe(true);
        };
      });
    });
  }
});

describe("buildout errors: file:line, no raw control character", () => {
  // BEL and ESC c (a terminal reset): characters a section or option name may hold
  const ESC = "\u0007\u001bc";
  const inputs: Record<string, string> = {
    "a reference to a missing option": `[buildout]\nparts =\nx = \${s:no${ESC}pe}\n[s]\n`,
    "a reference to a missing section": `[buildout]\nparts =\nx = \${s${ESC}:a}\n`,
    "a macro that does not exist": `[buildout]\nparts = p\n[p]\nrecipe = r\n<= m${ESC}\n`,
    "a macro loop": `[buildout]\nparts = p\n[p]\nrecipe = r\n<= q${ESC}\n[q${ESC}]\n<= p\n`,
    "a circular reference": `[buildout]\nparts =\nx = \${:y${ESC}}\ny${ESC} = \${:x}\n`,
    "a bad condition": `[buildout]\nparts =\n[s: "${ESC}" + 1]\n`,
    "a parse error": `[buildout]\nparts =\n${ESC}\n`,
  };
  for (const [name, text] of Object.entries(inputs)) {
    it(name, () => {
      const result = resolve({ "buildout.cfg": text });
      expect(result.ok, name).toBe(false);
      if (result.ok) return;
      expect(result.error.file).toBe("/srv/b/buildout.cfg");
      expect(result.error.line, name).toBeGreaterThan(0);
      for (const problem of [result.error, ...result.problems]) expect(problem.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    });
  }
});

describe("buildout resolver: bounded total work", () => {
  const manyOptions = (count: number) => `[base]\n${Array.from({ length: count }, (_, i) => `o${i} = ${i}\n`).join("")}`;

  it("the same file extended many times: read once, each use linear", async () => {
    await expectLinear("repeated extends", 500, (n) => {
      const files = { "buildout.cfg": `[buildout]\nparts =\nextends = ${"a.cfg ".repeat(n)}\n`, "a.cfg": manyOptions(20) };
      return () => expect(resolve(files).ok).toBe(true);
    });
  });

  it("stops with an error at the extends line past the work limit, long before memory runs out", () => {
    const started = Date.now();
    const result = resolve({ "buildout.cfg": `[buildout]\nparts =\nextends = ${"a.cfg ".repeat(200_000)}\n`, "a.cfg": manyOptions(50) });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({ code: "buildout.limit", file: "/srv/b/buildout.cfg", line: 3, message: expect.stringMatching(/too much work/) });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
