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
import { expectLinear } from "../../../../tests/support/scaling.js";

const linux = pythonEnvironment({ platform: "linux", arch: "x64", littleEndian: true, pythonVersion: "3.11.2", env: {} });
const MB = 1024 * 1024;
const WORST = [" ", "\t", "$", "{", "%", "(", "["];

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
  for (const [shape, text] of Object.entries(SHAPES)) {
    it(`linear on runs of the worst characters ${shape}`, async () => {
      for (const char of WORST) {
        await expectLinear(`${shape} (${JSON.stringify(char)})`, 64 * 1024, (size) => {
          const files = { "buildout.cfg": text(char.repeat(size)) };
          return () => {
            parseBuildoutFile(files["buildout.cfg"], "buildout.cfg", linux);
            resolve(files);
          };
        }, { repeat: 2 });
      }
    });
  }

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
          expect(result.error).toMatchObject({ file: join(dir.path, "buildout.cfg"), line: 3 });
          expect(result.error.message).toMatch(target === "dir.cfg" ? /is a directory/ : /not a regular file/);
        }
      }
      const direct = await resolveBuildout({ config: "fifo.cfg", cwd: dir.path, noUserDefaults: true, env: {} });
      expect(direct.ok).toBe(false);
      if (!direct.ok) expect(direct.error.message).toMatch(/not a regular file/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      dir.remove();
    }
  });
});
