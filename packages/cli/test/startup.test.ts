import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What the built CLIs evaluate: `resolve` and `--version` must start without zod, git or file
// writing (that is what makes them fast); other commands do load them (so the probes can fail).
const BINARIES = {
  "dist/index.js": fileURLToPath(new URL("../dist/index.js", import.meta.url)),
  "dist/autowatch.mjs": fileURLToPath(new URL("../dist/autowatch.mjs", import.meta.url)),
};
// zod sets this global when it is evaluated, bundled or not
const ZOD_PROBE = `data:text/javascript,import { writeSync } from "node:fs"; process.on("exit", () => writeSync(2, "zod evaluated: " + ("__zod_globalConfig" in globalThis) + "\\n"));`;
// refuses to load the heavy packages from node_modules (package layout only; the bundle inlines them)
const HEAVY = /\/node_modules\/(zod|jsonc-parser|secure-json-parse|simple-git|p-limit|write-file-atomic|chokidar|cli-progress)\//;
const DENY_HEAVY = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(
  `data:text/javascript,export async function resolve(specifier, context, next) { const result = await next(specifier, context); if (${HEAVY}.test(result.url)) throw new Error("loaded " + result.url); return result; }`,
)});`;

const root = mkdtempSync(join(tmpdir(), "autowatch-startup-"));
const run = (binary: string, args: string[], imports: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const flags = imports.flatMap((url) => ["--import", url]);
    execFile(
      process.execPath,
      ["--no-warnings", ...flags, binary, ...args],
      { cwd: root, env: { PATH: process.env.PATH, HOME: root, LANG: "C" }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });

beforeAll(() => {
  for (const binary of Object.values(BINARIES)) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: build the cli package first (pnpm exec turbo run build --filter @autowatch/cli)`);
  }
  writeFileSync(
    join(root, "buildout.cfg"),
    "[buildout]\nparts = odoo\n\n[odoo]\nrecipe = anybox.recipe.odoo:server\nversion = git https://example.com/odoo.git odoo ${:branch}\nbranch = 17.0\n",
  );
  writeFileSync(join(root, "MANIFEST.cfg"), "[app]\nwatch = git https://example.com/core.git main\n");
  mkdirSync(join(root, "watch"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(Object.entries(BINARIES))("%s start-up", (_name, binary) => {
  it("resolve evaluates no zod", async () => {
    const result = await run(binary, ["resolve", "-c", "buildout.cfg", "--json"], [ZOD_PROBE]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sections.odoo.version).toBe("git https://example.com/odoo.git odoo 17.0");
    expect(result.stderr).toBe("zod evaluated: false\n");
  });

  it("--version evaluates no zod", async () => {
    const result = await run(binary, ["--version"], [ZOD_PROBE]);
    expect(result).toMatchObject({ code: 0, stderr: "zod evaluated: false\n" });
  });

  it("merge does evaluate zod (the probe sees it)", async () => {
    const result = await run(binary, ["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json"], [ZOD_PROBE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/zod evaluated: true\n$/);
  });
});

describe("dist/index.js loads", () => {
  it("none of zod, jsonc-parser, simple-git, p-limit, write-file-atomic... for resolve", async () => {
    const result = await run(BINARIES["dist/index.js"], ["resolve", "-c", "buildout.cfg", "--json"], [DENY_HEAVY]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sections.buildout.parts).toBe("odoo");
  });

  it("none of them for merge either (zod is inlined in @autowatch/watchfile, cli-progress waits for a terminal)", async () => {
    const result = await run(BINARIES["dist/index.js"], ["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json"], [DENY_HEAVY]);
    expect(result.code, result.stderr).toBe(0);
  });

  it("some of them for introspect (the hook refuses them: the checks above can fail)", async () => {
    const result = await run(BINARIES["dist/index.js"], ["introspect", "-c", "buildout.cfg", "-o", "out.json"], [DENY_HEAVY]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/loaded file:.*\/node_modules\/\.pnpm\/(simple-git|p-limit)@/);
  });
});
