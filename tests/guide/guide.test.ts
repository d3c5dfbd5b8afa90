import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The shell and INI blocks of docs/operators.md that an operator copies, run as they are written,
// with the guide's master directory (/srv/buildmaster) moved into a temporary directory and the
// built `autowatch` on PATH. `buildbot` is a recorder of its arguments here: a real reconfig is
// what tests/e2e checks; this checks when the guide's scripts call it.
const root = fileURLToPath(new URL("../../", import.meta.url));
const guide = readFileSync(join(root, "docs", "operators.md"), "utf8");
const MASTER = "/srv/buildmaster";

function block(name: string): string {
  const match = new RegExp(`<!-- tested: ${name}\\b[^>]*-->\\n\`\`\`(?:sh|ini)\\n([\\s\\S]*?)\`\`\``).exec(guide);
  if (!match) throw new Error(`docs/operators.md has no block marked <!-- tested: ${name} -->`);
  return match[1]!;
}

let dir: string;
let master: string;
let env: NodeJS.ProcessEnv;
const reconfigs = () => (existsSync(join(dir, "reconfigs")) ? readFileSync(join(dir, "reconfigs"), "utf8").trim().split("\n").filter(Boolean) : []);
const sh = (script: string, cwd = master) => spawnSync("sh", ["-c", script.split(MASTER).join(master)], { cwd, env, encoding: "utf8", timeout: 60_000 });
/** Polls until `check` holds (a long-running command reacts in its own time). */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
const state = () => JSON.parse(readFileSync(join(master, "autowatch", "state.json"), "utf8"));
const upload = (builder: string, branch: string) =>
  writeFileSync(
    join(master, "autowatch", "watch", `${builder}.json`),
    JSON.stringify({ schema: "autowatch.watchfile/2", builder, watches: [{ vcs: "git", url: "https://example.com/addons.git", revspec: branch }] }),
  );

beforeAll(() => {
  const cli = join(root, "packages", "cli", "dist", "index.js");
  if (!existsSync(cli)) throw new Error("not built: run `pnpm exec turbo run build` first");
  dir = mkdtempSync(join(tmpdir(), "autowatch-guide-"));
  master = join(dir, "srv", "buildmaster");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  mkdirSync(join(master, "autowatch", "watch"), { recursive: true });
  writeFileSync(join(bin, "autowatch"), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  writeFileSync(join(bin, "buildbot"), `#!/bin/sh\necho "$*" >> "${join(dir, "reconfigs")}"\n`);
  chmodSync(join(bin, "autowatch"), 0o755);
  chmodSync(join(bin, "buildbot"), 0o755);
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: dir, NO_COLOR: "1" };
  writeFileSync(join(master, "MANIFEST.cfg"), "[odoo-10.0]\nbuildout = standalone buildout.cfg\nwatch = git https://example.com/OCB.git 10.0\n");
  upload("odoo-10.0", "10.0");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs/operators.md, as an operator copies it", () => {
  it("the merge command writes the state", () => {
    const run = sh(block("merge"));
    expect(run.stderr).toContain("autowatch merge: 1 builder: 1 watching at least one branch");
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(join(master, "autowatch", "state.json"), "utf8")).builders["odoo-10.0"].watches).toHaveLength(2);
  });

  it("the hourly cron script reconfigures when the pollers or filters change, not otherwise", () => {
    rmSync(join(master, "autowatch", "state.json"), { force: true });
    const script = block("cron");
    expect(sh(script).status).toBe(0);
    expect(reconfigs()).toEqual([`reconfig --progress_timeout=120 ${master}`]);
    expect(sh(script).status).toBe(0);
    expect(reconfigs()).toHaveLength(1);
    upload("odoo-10.0", "10.0-fix");
    expect(sh(script).status).toBe(0);
    expect(reconfigs()).toHaveLength(2);
  });

  it("the autowatch.ini example: merge, explain and check need no flags", () => {
    writeFileSync(join(master, "autowatch.ini"), block("ini"));
    const merge = sh("autowatch merge");
    expect(merge.status).toBe(0);
    // the state the ini names: the cron block above may have left it as it is
    expect(merge.stderr).toMatch(/state (written to autowatch\/state\.json|autowatch\/state\.json already up to date) /);
    const explain = sh("autowatch explain --builder odoo-10.0");
    expect(explain.status).toBe(0);
    expect(explain.stdout).toContain('builder "odoo-10.0" (MANIFEST.cfg:1): scheduled by commits');
    expect(sh("autowatch check").stderr).toBe("autowatch check: 1 build factory in 1 manifest: 0 errors, 0 warnings\n");
  });

  it("the setup block makes the watch directory, writes the Buildbot helper and copies the single-file CLI", () => {
    rmSync(join(master, "autowatch", "watch"), { recursive: true, force: true });
    // the directory that holds release/, as the install section leaves it
    const holder = join(dir, "holder");
    mkdirSync(join(holder, "release"), { recursive: true });
    copyFileSync(join(root, "packages", "cli", "dist", "autowatch.mjs"), join(holder, "release", "autowatch.mjs"));
    const run = sh(block("setup"), holder);
    expect(run.stderr).toBe(`autowatch buildbot-helper: wrote ${join(master, "autowatch_buildbot.py")}\n`);
    expect(run.status).toBe(0);
    expect(existsSync(join(master, "autowatch", "watch"))).toBe(true);
    expect(readFileSync(join(master, "autowatch_buildbot.py"), "utf8")).toMatch(/^def [a-z_]+\(/m);
    const version = spawnSync(process.execPath, [join(master, "autowatch", "autowatch.mjs"), "--version"], { encoding: "utf8" });
    expect(version.stdout).toBe(sh("autowatch --version").stdout);
    expect(version.stdout).toMatch(/^autowatch \d/);
    upload("odoo-10.0", "10.0");
  });

  it("the --follow command merges at start, reconfigures on a change that matters, and stops on SIGTERM", async () => {
    rmSync(join(master, "autowatch", "state.json"), { force: true });
    upload("odoo-10.0", "10.0");
    const before = reconfigs().length;
    // its own process group: the shell and autowatch are stopped together, by this id only
    const follow = spawn("sh", ["-c", block("follow").split(MASTER).join(master)], { cwd: master, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    follow.stderr.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
    const exited = new Promise<string>((done) => follow.on("exit", (code, signal) => done(`${code ?? signal}`)));
    try {
      // no state yet: the first merge reconfigures
      await until(() => reconfigs().length === before + 1, `the first reconfig (log: ${log})`);
      expect(reconfigs().at(-1)).toBe(`reconfig --progress_timeout=120 ${master}`);
      upload("odoo-10.0", "10.0-follow");
      await until(() => reconfigs().length === before + 2, `the reconfig after an upload (log: ${log})`);
      expect(state().builders["odoo-10.0"].watches.map((watch: { branch: string }) => watch.branch)).toContain("10.0-follow");
    } finally {
      process.kill(-follow.pid!, "SIGTERM");
    }
    // the shell, or autowatch when the shell ran it in its place: both end on SIGTERM (the
    // conventions test checks autowatch's own clean stop), and the state is whole
    expect(["0", "SIGTERM"]).toContain(await exited);
    expect(state().builders["odoo-10.0"]).toBeDefined();
  });

  it("the rewrite example: the pollers poll the mirrors, file rules first", () => {
    writeFileSync(join(master, "rewrites.txt"), "https://example.com/ https://github.com/mirrored/\n");
    const script = block("rewrite").replace("merge ...", "merge --manifest MANIFEST.cfg --watch-dir autowatch/watch -o autowatch/state.json");
    const run = sh(script);
    expect(run.stderr).toContain("state written to autowatch/state.json");
    expect(run.status).toBe(0);
    // example.com -> github.com (the file), then github.com -> the mirror (--rewrite)
    const pollers = state().pollers.map((poller: { url: string; original: string }) => [poller.original, poller.url]);
    expect(pollers).toContainEqual(["https://example.com/addons.git", "ssh://git@mirror.example/github/mirrored/addons.git"]);
  });
});
