import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The guide's install path, literally: `pnpm release:pack` (its script), then the guide's tested
// block run by bash on a clean temporary prefix, with no registry reachable and no workspace
// around (a fresh HOME, a working directory outside the repository).
const root = fileURLToPath(new URL("../../", import.meta.url));
const guide = readFileSync(join(root, "docs", "operators.md"), "utf8");

/** The fenced block right after `<!-- tested: NAME ... -->` in the guide. */
function testedBlock(name: string): string {
  const match = new RegExp(`<!-- tested: ${name}\\b[^>]*-->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(guide);
  if (!match) throw new Error(`docs/operators.md has no block marked <!-- tested: ${name} -->`);
  return match[1]!;
}

let dir: string;
beforeAll(() => {
  if (!existsSync(join(root, "packages", "cli", "dist", "autowatch.mjs"))) throw new Error("not built: run `pnpm exec turbo run build` first");
  dir = mkdtempSync(join(tmpdir(), "autowatch-install-"));
  // the release as `pnpm release:pack` makes it (built already: the suite runs after the build)
  execFileSync(process.execPath, [join(root, "scripts", "release-pack.mjs"), "--no-build", "--out", join(dir, "release")], { cwd: root, stdio: "pipe" });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("install from a release directory (docs/operators.md, Install)", () => {
  it("release:pack writes the five package tarballs, their vendored dependencies, autowatch.mjs and checksums", () => {
    const listing = execFileSync("ls", [join(dir, "release")], { encoding: "utf8" }).split("\n");
    for (const pkg of ["watchfile", "manifest", "introspect", "merge", "cli"])
      expect(listing).toContainEqual(expect.stringMatching(new RegExp(`^autowatch-${pkg}-\\d+\\.\\d+\\.\\d+\\.tgz$`)));
    expect(listing).toContain("autowatch.mjs");
    const sums = readFileSync(join(dir, "release", "SHA256SUMS"), "utf8");
    expect(sums).toMatch(/^[0-9a-f]{64} {2}vendor\/zod-/m);
    // the cli package ships the operators guide and the contract
    const files = execFileSync(
      "tar",
      [
        "tzf",
        join(
          dir,
          "release",
          listing.find((name) => name.startsWith("autowatch-cli-"))!,
        ),
      ],
      { encoding: "utf8" },
    );
    expect(files).toContain("package/docs/operators.md");
    expect(files).toContain("package/docs/spec.md");
  });

  it("the guide's block installs offline on a clean prefix, and the installed command works", () => {
    const prefix = join(dir, "prefix");
    const home = join(dir, "home");
    mkdirSync(home);
    const env = {
      PATH: process.env.PATH!,
      HOME: home,
      PREFIX: prefix,
      // nothing answers there: any registry request would fail the install
      npm_config_registry: "http://127.0.0.1:9/",
      npm_config_cache: join(dir, "npm-cache"),
      npm_config_update_notifier: "false",
    };
    const result = spawnSync("bash", ["-euo", "pipefail", "-c", testedBlock("install")], { cwd: dir, env, encoding: "utf8", timeout: 170_000 });
    expect(result.stderr).not.toMatch(/ERR!/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^autowatch \d+\.\d+\.\d+\n$/m);

    const autowatch = join(prefix, "node_modules", ".bin", "autowatch");
    writeFileSync(join(dir, "MANIFEST.cfg"), "[app]\nbuildout = standalone app.cfg\nwatch = git https://example.com/app.git main\n");
    mkdirSync(join(dir, "watch"));
    const run = (args: string[]) => spawnSync(autowatch, args, { cwd: dir, env, encoding: "utf8" });
    expect(run(["check", "-m", "MANIFEST.cfg"]).stderr).toBe("autowatch check: 1 build factory in 1 manifest: 0 errors, 0 warnings\n");
    const merge = run(["merge", "-m", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json"]);
    expect(merge.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).builders.app.watches).toHaveLength(1);
    expect(run(["buildbot-helper"]).stdout).toContain("def change_sources");
    // the single file for workers runs alone
    expect(spawnSync(process.execPath, [join(dir, "release", "autowatch.mjs"), "--version"], { encoding: "utf8" }).stdout).toMatch(/^autowatch \d/);
  }, 180_000);
});
