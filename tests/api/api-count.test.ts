import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// scripts/api-count.mjs --check (run by pnpm lint) on a made-up workspace: the script reads the
// packages beside the scripts/ folder it runs from.
const script = fileURLToPath(new URL("../../scripts/api-count.mjs", import.meta.url));
let root: string;

interface Fake {
  js: string;
  readme: string;
  report?: string;
}

function workspace(packages: Record<string, Fake>): string {
  root = mkdtempSync(join(tmpdir(), "autowatch-api-count-"));
  mkdirSync(join(root, "scripts"));
  copyFileSync(script, join(root, "scripts", "api-count.mjs"));
  for (const [name, fake] of Object.entries(packages)) {
    const dir = join(root, "packages", name);
    mkdirSync(join(dir, "dist"), { recursive: true });
    const exports = { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./package.json": "./package.json" };
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `@autowatch/${name}`, type: "module", exports }));
    writeFileSync(join(dir, "dist", "index.js"), fake.js);
    writeFileSync(join(dir, "README.md"), fake.readme);
    if (fake.report !== undefined) {
      mkdirSync(join(dir, "etc"));
      writeFileSync(join(dir, "etc", `${name}.api.md`), fake.report);
    }
  }
  return root;
}

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "scripts", "api-count.mjs"), ...args], { encoding: "utf8" });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("api-count", () => {
  it("counts the runtime exports of each entry point", () => {
    workspace({ one: { js: "export const a = 1; export function b() {}\n", readme: "`a`, `b()`\n" } });
    expect(run().out).toMatch(/^ {3}2 {2}@autowatch\/one\n {3}2 {2}total runtime exports across 1 entry points\n$/);
  });

  it("--check passes when every export is documented and has one home", () => {
    workspace({
      one: { js: "export const a = 1;\n", readme: '```ts\nimport { a, type Thing } from "@autowatch/one";\n```\n', report: "export interface Thing {}\n" },
      two: { js: "export function b() {}\n", readme: "`b(x)` returns a `Thing`.\n" },
    });
    expect(run("--check")).toMatchObject({ status: 0, err: "" });
  });

  it("--check fails on a runtime export its README does not name", () => {
    workspace({ one: { js: "export const a = 1; export const internalHelper = 2;\n", readme: "`a`; an internalHelperish word\n" } });
    const result = run("--check");
    expect(result.status).toBe(1);
    expect(result.err).toBe("api: @autowatch/one exports internalHelper, which packages/one/README.md does not document\n");
  });

  it("--check fails on one name exported by two entry points", () => {
    workspace({
      one: { js: "export function parseState() {}\n", readme: "`parseState(text)`\n" },
      two: { js: "export function parseState() {}\n", readme: "`parseState(text)`\n" },
    });
    const result = run("--check");
    expect(result.status).toBe(1);
    expect(result.err).toBe("api: parseState is exported by both @autowatch/one and @autowatch/two\n");
  });

  it("--check fails on a type of the API report its README does not name (an import from another package does not count)", () => {
    workspace({
      one: {
        js: "export const a = 1;\n",
        readme: '`a`\n```ts\nimport { Hidden } from "@autowatch/two";\n```\n',
        report: "export interface Hidden {}\nexport type Shown = string;\n// `Shown`\n",
      },
    });
    const result = run("--check");
    expect(result.status).toBe(1);
    expect(result.err).toContain("api: packages/one/etc/one.api.md has type Hidden, which packages/one/README.md does not document\n");
    expect(result.err).toContain("has type Shown");
  });
});
