import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// scripts/python-size.py (run by pnpm lint) on a made-up workspace: the script reads the
// packages/, bench/ and scripts/ folders beside the scripts/ folder it runs from.
const script = fileURLToPath(new URL("../../scripts/python-size.py", import.meta.url));
let root: string;

function workspace(files: Record<string, string>): void {
  root = mkdtempSync(join(tmpdir(), "autowatch-python-size-"));
  mkdirSync(join(root, "scripts"));
  copyFileSync(script, join(root, "scripts", "python-size.py"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function run() {
  const result = spawnSync("/usr/bin/python3", [join(root, "scripts", "python-size.py")], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: "1" },
  });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

/** A file of `total` lines holding one function of `body + 1` lines (its def line and `body` lines). */
function python(total: number, body = 1, head = "def f():"): string {
  const lines = [head, ...Array.from({ length: body }, (_, i) => `    x${i} = ${i}`)];
  return [...lines, ...Array.from({ length: total - lines.length }, (_, i) => `# ${i}`)].map((line) => `${line}\n`).join("");
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("python-size", () => {
  it("passes at 400 lines per file and 80 per function, and counts what it read", () => {
    workspace({ "packages/one/src/a.py": python(400, 79), "bench/b.py": python(10), "packages/one/test/c.py": python(5) });
    // its own file counts too: 4 files, 3 + its own functions
    expect(run()).toMatchObject({ status: 0, err: "" });
    expect(run().out).toMatch(/^python-size: 4 Python files, \d+ functions: none over 400 lines, no function over 80\n$/);
  });

  it("fails on a file of 401 lines, naming it", () => {
    workspace({ "packages/one/assets/big.py": python(401) });
    expect(run()).toMatchObject({ status: 1, out: "", err: "packages/one/assets/big.py:1: 401 lines (max 400): split it by concern\n" });
  });

  it("fails on a function of 81 lines, a method too (its decorators not counted), naming it and its line", () => {
    workspace({
      "bench/long.py": `import os\n\n\n${python(90, 80)}`,
      "scripts/method.py": `class C:\n    @property\n${python(85, 80, "async def m(self):")
        .split("\n")
        .map((line) => (line ? `    ${line}` : line))
        .join("\n")}`,
    });
    const result = run();
    expect(result.status).toBe(1);
    expect(result.err).toBe("bench/long.py:4: function f is 81 lines (max 80)\nscripts/method.py:3: function m is 81 lines (max 80)\n");
  });

  it("fails on a file that is not valid Python", () => {
    workspace({ "packages/one/src/broken.py": "def f(:\n    pass\n" });
    expect(run()).toMatchObject({ status: 1, err: "packages/one/src/broken.py:1: not valid Python (invalid syntax)\n" });
  });

  it("leaves out build output, dependencies, test data and what is outside packages/, bench/ and scripts/", () => {
    workspace({
      "packages/one/dist/autowatch_buildbot.py": python(800),
      "packages/one/node_modules/dep/x.py": python(800),
      "packages/one/test/fixtures/y.py": python(800),
      "packages/one/.cache/z.py": python(800),
      "tests/e2e/master.cfg.py": python(800),
      "examples/e.py": python(800),
    });
    expect(run()).toMatchObject({ status: 0, err: "" });
    expect(run().out).toMatch(/^python-size: 1 Python files,/);
  });
});
