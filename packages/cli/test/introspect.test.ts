import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchFileSchema } from "@autowatch/watchfile";
import { runCli } from "./support.js";

const env = {
  PATH: process.env.PATH,
  HOME: "/nonexistent",
  LANG: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  NO_COLOR: "1",
};
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, env, encoding: "utf8" });

let root: string;
let buildout: string;
let sha: string;

/** A small buildout: the main software and 6 addons in real git checkouts, one addons checkout missing. */
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "autowatch-cli-introspect-"));
  const upstream = path.join(root, "upstream");
  mkdirSync(upstream);
  git(upstream, "init", "-q", "-b", "main");
  git(upstream, "config", "user.name", "Test");
  git(upstream, "config", "user.email", "test@example.org");
  writeFileSync(path.join(upstream, "README"), "x\n");
  git(upstream, "add", "README");
  git(upstream, "commit", "-q", "-m", "one");
  git(upstream, "tag", "v1");
  git(upstream, "branch", "10.0");
  sha = git(upstream, "rev-parse", "HEAD").trim();
  buildout = path.join(root, "buildout");
  mkdirSync(path.join(buildout, "parts"), { recursive: true });
  git(path.join(buildout, "parts"), "clone", "-q", upstream, "odoo");
  for (const name of ["a", "b", "c", "d", "e", "f"]) git(buildout, "clone", "-q", upstream, name);
  writeFileSync(
    path.join(buildout, "base.cfg"),
    [
      "[buildout]",
      "parts = odoo",
      "",
      "[odoo]",
      "recipe = anybox.recipe.odoo:server",
      "version = git https://github.com/OCA/OCB.git odoo 10.0",
      "addons =",
      "    git https://example.org/a.git a 10.0",
      "    git https://example.org/b.git b v1 ; a tag",
      `    git https://example.org/c.git c ${sha.slice(0, 8)}`,
      "    git https://example.org/d.git d main",
      "    git https://example.org/e.git e 10.0",
      "    git https://example.org/f.git f 10.0",
      "    git https://example.org/gone.git gone 11.0",
      "    local extra",
      "",
    ].join("\n"),
  );
  writeFileSync(path.join(buildout, "buildout.cfg"), "[buildout]\nextends = base.cfg\n");
  writeFileSync(path.join(buildout, "nopart.cfg"), "[buildout]\nparts =\n");
  writeFileSync(path.join(buildout, "broken.cfg"), "[buildout]\nparts = odoo\n  [odoo\n");
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (args: string[], isTTY = false) => runCli(["introspect", ...args], { cwd: buildout, env, isTTY, progress: isTTY });

describe("autowatch introspect", () => {
  it("writes the watch file atomically with -o and exits 0, warnings on stderr", async () => {
    const run = await cli(["-c", "buildout.cfg", "--builder", "odoo-10.0", "-o", "watch.json", "-U"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    const file = watchFileSchema.parse(JSON.parse(readFileSync(path.join(buildout, "watch.json"), "utf8")));
    expect(file.builder).toBe("odoo-10.0");
    expect(file.buildout).toEqual({ config: "buildout.cfg", part: "odoo" });
    expect(file.generator).toMatch(/^@autowatch\/introspect \d+\.\d+\.\d+/);
    expect(file.watches.map(({ url, revspec }) => [url, revspec])).toEqual([
      ["https://example.org/a.git", "10.0"],
      ["https://example.org/d.git", "main"],
      ["https://example.org/e.git", "10.0"],
      ["https://example.org/f.git", "10.0"],
      ["https://example.org/gone.git", "11.0"],
      ["https://github.com/OCA/OCB.git", "10.0"],
    ]);
    expect(file.pinned.map(({ url, revspec, why }) => [url, revspec, why])).toEqual([
      ["https://example.org/b.git", "v1", "tag"],
      ["https://example.org/c.git", sha.slice(0, 8), "commit"],
    ]);
    // each addons entry names the line it is written on, not the `addons =` line
    expect(file.watches[0]?.origin).toEqual({ file: "base.cfg", line: 8, section: "odoo", option: "addons" });
    expect(file.pinned.map((entry) => entry.origin?.line)).toEqual([9, 10]);
    expect(file.problems).toHaveLength(1);
    expect(run.stderr).toContain(
      'base.cfg:14: warning: git "https://example.org/gone.git" "11.0": no checkout at "gone"; classified from the revision alone (not verified)\n',
    );
    expect(run.stderr).toMatch(/6 watched, 2 pinned, 1 problem/);
    expect(run.stderr).not.toContain("inspecting checkouts");
  });

  it("prints the watch file on stdout without -o; the output is deterministic", async () => {
    const first = await cli(["-c", "buildout.cfg", "-U"]);
    const second = await cli(["-c", "buildout.cfg", "-U"]);
    expect(first.code).toBe(0);
    const strip = (text: string) => text.replace(/"generated": "[^"]+"/, "");
    expect(strip(first.stdout)).toBe(strip(second.stdout));
    expect(JSON.parse(first.stdout).watches).toHaveLength(6);
  });

  it("applies command-line overrides", async () => {
    const run = await cli(["-c", "buildout.cfg", "-U", "odoo:version=git https://example.org/odoo.git odoo v1", "odoo:addons="]);
    expect(run.code).toBe(0);
    const file = JSON.parse(run.stdout);
    expect(file.watches).toEqual([]);
    expect(file.pinned).toEqual([expect.objectContaining({ url: "https://example.org/odoo.git", revspec: "v1", why: "tag" })]);
  });

  it("shows progress on a TTY only", async () => {
    const run = await cli(["-c", "buildout.cfg", "-U", "-o", "tty.json"], true);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("inspecting checkouts");
  });

  it("exits 1 with one file:line: reason line when nothing sensible can be written", async () => {
    const missing = await cli(["-c", "missing.cfg", "-U", "-o", "none.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("missing.cfg");
    const noPart = await cli(["-c", "nopart.cfg", "-U", "-o", "none.json"]);
    expect(noPart.code).toBe(1);
    expect(noPart.stderr).toMatch(/^autowatch: \S*nopart\.cfg:2: no part uses anybox\.recipe\.odoo/);
    const broken = await cli(["-c", "broken.cfg", "-U", "-o", "none.json"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.cfg:\d+: /);
    expect(existsSync(path.join(buildout, "none.json"))).toBe(false);
    const typo = await cli(["-c", "buildout.cfg", "-U", "--part", "odo"]);
    expect([typo.code, typo.stderr]).toEqual([1, 'autowatch: buildout.cfg: --part "odo": no such section; did you mean "odoo"?\n']);
    const wrongPart = await cli(["-c", "buildout.cfg", "-U", "--part", "buildout"]);
    expect([wrongPart.code, wrongPart.stdout]).toEqual([1, ""]);
  });

  it("usage errors exit 2", async () => {
    // nothing named and no known file in the directory (the buildout directory has buildout.cfg: detected)
    expect((await runCli(["introspect"], { cwd: root, env })).code).toBe(2);
    expect((await cli(["-c", "buildout.cfg", "not-an-assignment"])).code).toBe(2);
  });

  it("--help describes the options", async () => {
    const run = await runCli(["introspect", "--help"]);
    expect(run.code).toBe(0);
    for (const option of ["--config", "--part", "--builder", "--output", "overrides"]) expect(run.stdout).toContain(option);
  });
});
