import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The built binary (`pnpm exec turbo run build --filter @autowatch/cli...`, which `npm test` does first).
const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = "packages/cli/dist/index.js";
const fixtures = "packages/manifest/test/fixtures/realistic/";

describe("autowatch check (built binary)", () => {
  it("checks the realistic manifests", () => {
    if (!existsSync(`${root}${bin}`)) throw new Error(`not built: ${bin}; run \`pnpm exec turbo run build --filter @autowatch/cli...\` first`);
    const node = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });

    const clean = node(["check", "--manifest", `${fixtures}MANIFEST.cfg`]);
    expect(clean.stderr).toBe("autowatch check: 36 build factories in 1 manifest: 0 errors, 0 warnings\n");
    expect([clean.status, clean.stdout]).toEqual([0, ""]);

    const broken = node(["check", "--manifest", `${fixtures}MANIFEST.cfg`, `${fixtures}broken.cfg`]);
    expect(broken.status).toBe(1);
    const lines = broken.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${fixtures}broken\\.cfg:\\d+: error: section "`));

    const missing = node(["check", "--manifest", `${fixtures}nope.cfg`]);
    expect([missing.status, missing.stdout, missing.stderr]).toEqual([1, "", `autowatch: ${fixtures}nope.cfg: cannot read manifest: no such file\n`]);
  });
});
