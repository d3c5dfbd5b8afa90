import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseState, parseWatchFile } from "@autowatch/watchfile";
import { runCli } from "./support.js";

const env: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: "/nonexistent",
  LANG: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.org",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.org",
  NO_COLOR: "1",
  ODOO_VERSION: "16.0",
};
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
/** Writes `file` in the repository and commits it alone. */
function commitFile(repo: string, file: string, text: string, message: string): void {
  writeFileSync(path.join(repo, file), text);
  git(repo, "add", file);
  git(repo, "commit", "-q", "-m", message);
}

let root: string;
let build: string;
let ocb: string;
let tool: string;
let pinned: string;
/** What the build declares: https URLs the master's policy allows, fetched from the local forge (git's insteadOf). */
const OCB = "https://git.example.org/OCA/OCB.git";
const TOOL = "https://git.example.org/acme/tool.git";

/**
 * A doodba-style build: odoo/custom/src/repos.yaml aggregated from two local repositories
 * (a branch, a pull-request head, a pinned commit), odoo/custom/dependencies/pip.txt with an
 * editable requirement that pip's own git backend checked out in src/.
 */
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "autowatch-cli-formats-"));
  env.GIT_CONFIG_GLOBAL = path.join(root, "gitconfig");
  writeFileSync(
    env.GIT_CONFIG_GLOBAL,
    `[url "${root}/forge/ocb"]\n\tinsteadOf = ${OCB}\n[url "${root}/forge/tool"]\n\tinsteadOf = ${TOOL}\n[protocol "file"]\n\tallow = always\n`,
  );
  ocb = path.join(root, "forge", "ocb");
  mkdirSync(ocb, { recursive: true });
  git(ocb, "init", "-q", "-b", "16.0");
  commitFile(ocb, "README", "ocb\n", "one");
  git(ocb, "checkout", "-q", "-b", "pr");
  commitFile(ocb, "fix", "fix\n", "fix");
  git(ocb, "update-ref", "refs/pull/42/head", "HEAD");
  pinned = git(ocb, "rev-parse", "HEAD~1");
  git(ocb, "checkout", "-q", "16.0");
  tool = path.join(root, "forge", "tool");
  mkdirSync(tool, { recursive: true });
  git(tool, "init", "-q", "-b", "main");
  commitFile(tool, "setup.py", "from setuptools import setup\nsetup(name='acme-tool')\n", "one");
  git(tool, "branch", "stable");

  build = path.join(root, "build");
  const src = path.join(build, "odoo", "custom", "src");
  mkdirSync(src, { recursive: true });
  writeFileSync(
    path.join(src, "repos.yaml"),
    [
      "./odoo:",
      "  remotes:",
      `    ocb: ${OCB}`,
      "  target: ocb $ODOO_VERSION",
      "  merges:",
      "    - ocb $ODOO_VERSION",
      "    - ocb refs/pull/42/head",
      `    - ocb ${pinned}`,
      "",
    ].join("\n"),
  );
  const odoo = path.join(src, "odoo");
  mkdirSync(odoo);
  git(odoo, "init", "-q");
  git(odoo, "remote", "add", "ocb", OCB);
  git(odoo, "fetch", "-q", "ocb", "16.0");
  git(odoo, "checkout", "-q", "-B", "_git_aggregated", "FETCH_HEAD");
  git(odoo, "fetch", "-q", "ocb", "refs/pull/42/head");
  git(odoo, "merge", "-q", "--no-edit", "FETCH_HEAD");
  mkdirSync(path.join(build, "odoo", "custom", "dependencies"), { recursive: true });
  writeFileSync(path.join(build, "odoo", "custom", "dependencies", "pip.txt"), `phonenumbers==8.13.26\n-e git+${TOOL}@stable#egg=acme_tool\n`);
  const script =
    "import sys\nfrom pip._internal.vcs import vcs\nfrom pip._internal.utils.misc import hide_url\nvcs.get_backend('git').obtain(sys.argv[1], url=hide_url(sys.argv[2]), verbosity=0)\n";
  const run = spawnSync("/usr/bin/python3", ["-c", script, path.join(build, "src", "acme-tool"), `git+${TOOL}@stable`], { env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);

  const master = path.join(root, "master");
  mkdirSync(path.join(master, "watch"), { recursive: true });
  writeFileSync(path.join(master, "MANIFEST.cfg"), "[doodba-16]\nbuildout = git https://git.example.org/acme/project.git 16.0 .\n");
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("autowatch introspect on other formats, end to end", () => {
  it("detects repos.yaml and pip.txt in the build directory; merge turns the watch file into pollers and the builder's state", async () => {
    const watchFile = path.join(root, "master", "watch", "doodba-16.json");
    const introspect = await runCli(["introspect", "--builder", "doodba-16", "-o", watchFile], { cwd: build, env });
    expect(introspect.stderr).toMatch(/3 watched, 1 pinned/);
    expect(introspect.code).toBe(0);
    const parsed = parseWatchFile(readFileSync(watchFile));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.buildout).toBeUndefined();
    expect(parsed.value.watches.map((w) => [w.url, w.revspec, w.origin?.file, w.origin?.line, w.origin?.format])).toEqual([
      [OCB, "16.0", "odoo/custom/src/repos.yaml", 6, "git-aggregator"],
      [OCB, "refs/pull/42/head", "odoo/custom/src/repos.yaml", 7, "git-aggregator"],
      [TOOL, "stable", "odoo/custom/dependencies/pip.txt", 2, "pip"],
    ]);
    expect(parsed.value.pinned.map((p) => [p.revspec, p.why])).toEqual([[pinned, "commit"]]);

    const merge = await runCli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json", "--allow-host", "git.example.org"], {
      cwd: path.join(root, "master"),
      env,
    });
    expect(merge.code).toBe(0);
    const state = parseState(readFileSync(path.join(root, "master", "state.json")));
    if (!state.ok) throw new Error(JSON.stringify(state.problems));
    const builder = state.value.builders["doodba-16"];
    expect(builder?.watches.map((w) => [w.url, w.branch, w.from])).toEqual(
      expect.arrayContaining([
        [OCB, "16.0", ["auto"]],
        [OCB, "refs/pull/42/head", ["auto"]],
        [TOOL, "stable", ["auto"]],
        ["https://git.example.org/acme/project.git", "16.0", ["buildout"]],
      ]),
    );
    expect(state.value.pollers.find((p) => p.url === OCB)?.branches).toEqual(["16.0", "refs/pull/42/head"]);
  });

  it("takes files explicitly with --source (by name, or FORMAT:FILE), all in one watch file", async () => {
    writeFileSync(path.join(build, "deps.list"), "other @ git+https://example.org/other.git@main\n");
    const run = await runCli(["introspect", "--source", "odoo/custom/src/repos.yaml", "--source", "pip:deps.list"], { cwd: build, env });
    expect(run.code).toBe(0);
    const file = JSON.parse(run.stdout) as { watches: { url: string; origin: { format: string } }[] };
    expect(file.watches.map((w) => [w.url, w.origin.format])).toEqual([
      ["https://example.org/other.git", "pip"],
      [OCB, "git-aggregator"],
      [OCB, "git-aggregator"],
    ]);
    const unknown = await runCli(["introspect", "--source", "deps.list"], { cwd: build, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("FORMAT:deps.list");
    // buildout options without a buildout would be ignored silently: refused
    const part = await runCli(["introspect", "--source", "pip:deps.list", "--part", "odoo"], { cwd: build, env });
    expect([part.code, part.stdout]).toEqual([2, ""]);
    const override = await runCli(["introspect", "--source", "pip:deps.list", "odoo:version=x"], { cwd: build, env });
    expect(override.code).toBe(2);
    expect(override.stderr).toContain("no buildout is read");
  });

  it("fails without a watch file when a named file cannot be read: its watches would silently vanish", async () => {
    writeFileSync(path.join(build, "broken.yaml"), "a:\n  remotes: {o: x\n");
    const run = await runCli(["introspect", "--source", "broken.yaml", "--source", "pip:deps.list", "-o", "out.json"], { cwd: build, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/broken\.yaml:\d+: not valid YAML/);
  });
});
