import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// scripts/api.mjs (pnpm api; --check in each package's lint) on a made-up package's declarations.
const script = fileURLToPath(new URL("../../scripts/api.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "autowatch-api-report-"));
const declarations = (text: string) => writeFileSync(join(dir, "dist", "index.d.ts"), text);
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args, dir], { encoding: "utf8" });

mkdirSync(join(dir, "dist"));
writeFileSync(
  join(dir, "package.json"),
  JSON.stringify({ name: "@autowatch/fake", version: "0.0.0", type: "module", exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" } } }),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("api reports", () => {
  it("writes a report per entry point, then --check passes while the declarations match it", () => {
    declarations("/** Adds. */\nexport declare function add(a: number, b: number): number;\n");
    expect(run().status).toBe(0);
    const report = readFileSync(join(dir, "etc", "fake.api.md"), "utf8");
    expect(report).toContain("export function add(a: number, b: number): number;");
    expect(run("--check").status).toBe(0);
  }, 60_000);

  it("--check fails, with the difference, when the surface changed, and leaves the report alone", () => {
    declarations("/** Adds. */\nexport declare function add(a: number, b: number): number;\nexport declare const internalScratch: Uint8Array;\n");
    const result = run("--check");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is out of date with @autowatch/fake: run `pnpm api` and commit it");
    expect(result.stderr).toContain("+export const internalScratch: Uint8Array;");
    expect(readFileSync(join(dir, "etc", "fake.api.md"), "utf8")).not.toContain("internalScratch");
    expect(existsSync(join(dir, "temp"))).toBe(false);
  }, 60_000);

  it("does not depend on the order TypeScript printed an enum's members in", () => {
    const enumOf = (members: string[]) =>
      `type ZodEnum<T> = { values: T };\nexport declare const level: ZodEnum<{\n${members.map((m) => `    ${m}: "${m}";\n`).join("")}}>;\n`;
    declarations(enumOf(["warning", "error", "info"]));
    expect(run().status).toBe(0);
    const report = readFileSync(join(dir, "etc", "fake.api.md"), "utf8");
    declarations(enumOf(["info", "warning", "error"]));
    expect(run("--check").status).toBe(0);
    expect(report).toMatch(/error: "error";\s+info: "info";\s+warning: "warning";/);
    declarations(enumOf(["info", "warning", "error", "debug"]));
    expect(run("--check").status).toBe(1);
  }, 60_000);
});
