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
    // --list: every watched and pinned source with its reason; no problem: exit 0 whatever --problem-exit-code says
    const listed = spawnSync(process.execPath, [bin, "introspect", "-c", "buildout.cfg", "--list", "--problem-exit-code", "3", "-o", "watch.json"], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect([listed.status, listed.stderr]).toEqual([
      0,
      "watched git https://github.com/OCA/OCB.git 10.0: a branch, followed (buildout.cfg:6 [odoo] version)\n" +
        "pinned  git https://example.org/a.git v1: a tag (buildout.cfg:7 [odoo] addons)\n" +
        "autowatch introspect: 1 watched, 1 pinned, 0 problems → watch.json\n",
    ]);
    // a source without a checkout is classified from its revision alone (not verified): a problem
    writeFileSync(
      path.join(root, "unverified.cfg"),
      "[buildout]\nparts = odoo\n\n[odoo]\nrecipe = anybox.recipe.odoo:server\nversion = git https://github.com/OCA/OCB.git odoo 10.0\naddons = git https://example.org/b.git parts/b main\n",
    );
    const warned = (...extra: string[]) =>
      spawnSync(process.execPath, [bin, "introspect", "-c", "unverified.cfg", ...extra, "-o", "w2.json"], {
        cwd: root,
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
    const withCode = warned("--list", "--problem-exit-code", "3");
    expect(withCode.status, withCode.stderr).toBe(3);
    expect(withCode.stderr).toContain("not verified");
    expect(withCode.stderr).toContain("watched git https://example.org/b.git main: a branch, followed (unverified.cfg:7 [odoo] addons)");
    expect(existsSync(path.join(root, "w2.json"))).toBe(true);
    // the control: the same problems without the option exit 0, as before
    expect(warned().status).toBe(0);
    expect(warned("--problem-exit-code", "0").status).toBe(2);
    const missing = spawnSync(process.execPath, [bin, "introspect", "-c", "nope.cfg"], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
  }, 90_000);
});
