import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The built binary (`pnpm exec turbo run build --filter @autowatch/cli...`, which `npm test` does first).
const bin = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), "autowatch-introspect-smoke-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = { PATH: process.env.PATH, HOME: "/nonexistent", LANG: "C", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", NO_COLOR: "1" };

describe("autowatch introspect (built binary)", () => {
  it("writes the watch file of a buildout with a git checkout", () => {
    if (!existsSync(bin)) throw new Error(`not built: ${bin}; run \`pnpm exec turbo run build --filter @autowatch/cli...\` first`);
    const checkout = path.join(root, "parts", "odoo");
    mkdirSync(checkout, { recursive: true });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: checkout, env, encoding: "utf8" });
    git("init", "-q", "-b", "10.0");
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "one");
    git("tag", "v1");
    writeFileSync(
      path.join(root, "buildout.cfg"),
      "[buildout]\nparts = odoo\n\n[odoo]\nrecipe = anybox.recipe.odoo:server\nversion = git https://github.com/OCA/OCB.git odoo 10.0\naddons = git https://example.org/a.git parts/odoo v1\n",
    );
    const run = spawnSync(process.execPath, [bin, "introspect", "-c", "buildout.cfg", "--builder", "odoo-10.0", "-o", "watch.json"], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect([run.status, run.stdout]).toEqual([0, ""]);
    expect(run.stderr).toBe("autowatch introspect: 1 watched, 1 pinned, 0 problems → watch.json\n");
    const file = JSON.parse(readFileSync(path.join(root, "watch.json"), "utf8"));
    expect(file.watches).toEqual([
      { vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0", origin: { file: "buildout.cfg", line: 6, section: "odoo", option: "version" } },
    ]);
    expect(file.pinned).toEqual([
      { vcs: "git", url: "https://example.org/a.git", revspec: "v1", why: "tag", origin: { file: "buildout.cfg", line: 7, section: "odoo", option: "addons" } },
    ]);
    const missing = spawnSync(process.execPath, [bin, "introspect", "-c", "nope.cfg"], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
  }, 90_000);
});
