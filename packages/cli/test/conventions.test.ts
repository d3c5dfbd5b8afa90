import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The conventions every command keeps, checked through the built binary (as an operator runs it).
const bin = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const ESC = "\u001b";

let dir: string;
function autowatch(args: string[], env: Record<string, string> = {}, cwd = dir) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: "", TERM: "xterm", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
/** The same under a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY. */
function onTty(args: string[], env: Record<string, string> = {}) {
  const command = [process.execPath, bin, ...args].map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: "", TERM: "xterm", ...env },
  });
  return { code: result.status, output: result.stdout };
}
const watchFile = (builder: string, watches: unknown[]) => JSON.stringify({ schema: "autowatch.watchfile/2", builder, watches });

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`not built: ${bin}; run \`pnpm exec turbo run build --filter @autowatch/cli...\` first`);
  dir = mkdtempSync(join(tmpdir(), "autowatch-conventions-"));
  mkdirSync(join(dir, "farm", "watch"), { recursive: true });
  const sections = ["[one]", "buildout = standalone one.cfg", "", "[release]", "buildout = standalone r.cfg", "watch =", ""];
  for (let i = 0; i < 25; i += 1) sections.push(`[broken-${i}]`, "buildout = standalone b.cfg", "");
  writeFileSync(join(dir, "farm", "MANIFEST.cfg"), sections.join("\n"));
  writeFileSync(join(dir, "farm", "extra.cfg"), "[two]\nbuildout = standalone two.cfg\n");
  writeFileSync(join(dir, "farm", "watch", "one.json"), watchFile("one", [{ vcs: "git", url: "https://example.com/a.git", revspec: "main" }]));
  for (let i = 0; i < 25; i += 1) writeFileSync(join(dir, "farm", "watch", `broken-${i}.json`), "{");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mergeArgs = ["merge", "-m", "farm/MANIFEST.cfg", "--watch-dir", "farm/watch"];

describe("messages", () => {
  it("merge prints FILE:LINE: level: message with paths relative to the working directory, capped at 20 per level with a count", () => {
    const run = autowatch([...mergeArgs, "-o", "farm/state.json"]);
    expect(run.code).toBe(0);
    const problems = run.stderr.split("\n").filter((line) => /^farm\/watch\/broken-\d+\.json:1: error: not valid JSON/.test(line));
    expect(problems).toHaveLength(20);
    expect(run.stderr).toContain("... 5 more errors not shown (20 of each level printed); the state and --json list them all\n");
    expect(run.stderr).not.toContain(dir);
    expect(run.stderr).not.toContain("autowatch: ");
    expect(run.stderr).toContain("autowatch merge: 27 builders: 1 watching at least one branch, 25 watching nothing, 1 never scheduled by commits (watch =)\n");
    expect(run.stderr).toMatch(/autowatch merge: 1 poller; 25 errors, 0 warnings, \d+ info\n/);
    const state = JSON.parse(readFileSync(join(dir, "farm", "state.json"), "utf8"));
    expect(state.problems.filter((p: { level: string }) => p.level === "error")).toHaveLength(25);
  });

  it("explain caps a builder's problems too: 20 per level, then a count", () => {
    mkdirSync(join(dir, "many", "watch"), { recursive: true });
    writeFileSync(join(dir, "many", "MANIFEST.cfg"), "[many]\nbuildout = standalone m.cfg\n");
    const watches = Array.from({ length: 30 }, (_, i) => ({ vcs: "git", url: `https://example.com/r${i}.git`, revspec: `-bad${i}` }));
    writeFileSync(join(dir, "many", "watch", "many.json"), watchFile("many", watches));
    const run = autowatch(["explain", "-m", "many/MANIFEST.cfg", "--watch-dir", "many/watch", "--builder", "many"]);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("  many/watch/many.json: error: "))).toHaveLength(20);
    expect(run.stdout).toMatch(/\n {2}\.\.\. \d+ more errors? not shown \(20 of each level printed\); --json lists them all\n/);
  });

  it("plurals agree with their counts", () => {
    writeFileSync(join(dir, "bad.cfg"), "[a]\nwatch = git u\n");
    const check = autowatch(["check", "-m", "bad.cfg"]);
    expect(check.stderr).toBe("autowatch check: 1 build factory in 1 manifest: 1 error, 0 warnings\n");
    expect(check.stdout).toMatch(/^bad\.cfg:2: error: /);
  });

  it("a fatal error is one `autowatch: ` line; the same missing file in the same words from every command", () => {
    const merge = autowatch(["merge", "-m", "nope.cfg", "--watch-dir", "farm/watch"]);
    const check = autowatch(["check", "-m", "nope.cfg"]);
    const explain = autowatch(["explain", "-m", "nope.cfg", "--watch-dir", "farm/watch", "--builder", "one"]);
    for (const run of [merge, check, explain]) expect([run.code, run.stderr]).toEqual([1, "autowatch: nope.cfg: cannot read manifest: no such file\n"]);
  });

  it("usage errors in one style: no commander `error:`, a hint to --help, exit 2", () => {
    const bogus = autowatch([...mergeArgs, "--bogus"]);
    expect([bogus.code, bogus.stderr]).toEqual([2, "autowatch: merge: unknown option '--bogus'\nTry 'autowatch merge --help'.\n"]);
    const typo = autowatch(["check", "--jsn"]);
    expect(typo.stderr).toBe("autowatch: check: unknown option '--jsn' (did you mean --json?)\nTry 'autowatch check --help'.\n");
    const missing = autowatch(["merge", "--watch-dir", "farm/watch"]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      "autowatch: merge: --manifest FILE is required (or `manifest[] = FILE` in autowatch.ini)\nTry 'autowatch merge --help'.\n",
    ]);
    const number = autowatch([...mergeArgs, "--max-bytes", "zero"]);
    expect(number.code).toBe(2);
    expect(number.stderr).toMatch(/^autowatch: merge: option '--max-bytes <n>' argument 'zero' is invalid\. expected a positive whole number\.\nTry/);
  });

  it("an unknown option is reported before a missing required one", () => {
    const run = autowatch(["merge", "--bogus"]);
    expect(run.stderr).toContain("unknown option '--bogus'");
    expect(run.stderr).not.toContain("--manifest");
  });
});

describe("terminal", () => {
  it("colours levels on a TTY only, never with NO_COLOR or TERM=dumb; nothing coloured in a pipe", () => {
    const tty = onTty([...mergeArgs]);
    expect(tty.output).toContain(`${ESC}[31m`);
    expect(tty.output).toMatch(/farm\/watch\/broken-0\.json:1: \u001b\[31m\u001b\[1merror\u001b\[22m\u001b\[39m: not valid JSON/);
    for (const env of [{ NO_COLOR: "1" }, { TERM: "dumb" }] as Record<string, string>[]) expect(onTty([...mergeArgs], env).output).not.toContain(ESC);
    expect(autowatch([...mergeArgs]).stderr).not.toContain(ESC);
  });

  it("a progress bar for a large merge on a TTY only: none in a pipe, with NO_COLOR or TERM=dumb", () => {
    mkdirSync(join(dir, "big", "watch"), { recursive: true });
    writeFileSync(join(dir, "big", "MANIFEST.cfg"), Array.from({ length: 1500 }, (_, i) => `[b${i}]\nbuildout = standalone b.cfg\n`).join("\n"));
    const big = ["merge", "-m", "big/MANIFEST.cfg", "--watch-dir", "big/watch", "-o", "big/state.json"];
    expect(onTty(big).output).toMatch(/merging builders \[.*\] \d+\/1500/);
    for (const env of [{ NO_COLOR: "1" }, { TERM: "dumb" }] as Record<string, string>[]) expect(onTty(big, env).output).not.toContain("merging builders");
    const piped = autowatch(big);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain("merging builders");
    expect(piped.stderr).not.toContain("\r");
  });
});

describe("output", () => {
  it("--quiet and `-o -`", () => {
    const helper = autowatch(["buildbot-helper", "-o", "-"]);
    expect(helper.stdout).toContain("def change_sources");
    expect(helper.stderr).toBe("");
    const quiet = autowatch(["buildbot-helper", "-q", "-o", "helper.py"]);
    expect([quiet.code, quiet.stderr]).toEqual([0, ""]);
    expect(autowatch(["buildbot-helper", "-o", "helper.py"]).stderr).toBe("autowatch buildbot-helper: wrote helper.py\n");
    writeFileSync(join(dir, "good.cfg"), "[a]\n");
    expect(autowatch(["check", "-q", "-m", "good.cfg"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

describe("options", () => {
  it("lists are spelled the same in every command: `-m A B` or `--manifest A --manifest B`", () => {
    for (const manifests of [
      ["-m", "farm/MANIFEST.cfg", "farm/extra.cfg"],
      ["--manifest", "farm/MANIFEST.cfg", "--manifest", "farm/extra.cfg"],
    ]) {
      const merge = autowatch(["merge", ...manifests, "--watch-dir", "farm/watch"]);
      expect(merge.code).toBe(0);
      expect(Object.keys(JSON.parse(merge.stdout).builders)).toContain("two");
      expect(autowatch(["check", ...manifests]).stderr).toContain("28 build factories in 2 manifests");
      expect(autowatch(["explain", ...manifests, "--watch-dir", "farm/watch", "--builder", "two"]).code).toBe(0);
    }
  });

  it("every command's help has an exit-status section; numeric defaults are numbers", () => {
    for (const command of ["introspect", "resolve", "merge", "explain", "check", "buildbot-helper"]) {
      const help = autowatch([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/\nExit status:\n {2}0 /);
    }
    const merge = autowatch(["merge", "--help"]).stdout;
    expect(merge).toMatch(/\(default:\s+1048576\)/);
    expect(merge).toMatch(/\(default:\s+1000\)/);
    expect(autowatch(["explain", "--help"]).stdout.replace(/\s+/g, " ")).toContain(
      "-o, --output <state> the state file that merge writes: read, never written",
    );
  });

  it("explain takes merge's inputs and --strict", () => {
    const run = autowatch(["explain", ...mergeArgs.slice(1), "--builder", "broken-1", "--strict", "--max-entries", "5"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("farm/watch/broken-1.json:1: error: not valid JSON");
    expect(autowatch(["explain", ...mergeArgs.slice(1), "--builder", "one", "--strict"]).code).toBe(0);
  });
});

describe("autowatch.ini", () => {
  const ini = (text: string, name = "autowatch.ini") => writeFileSync(join(dir, name), text);
  afterAll(() => rmSync(join(dir, "autowatch.ini"), { force: true }));

  it("merge, explain and check read their inputs from ./autowatch.ini; flags override it", () => {
    ini("; the farm\nmanifest[] = farm/MANIFEST.cfg\nmanifest[] = farm/extra.cfg\nwatch-dir = farm/watch\nstate = farm/ini-state.json\nmax-entries = 5\n");
    const merge = autowatch(["merge"]);
    expect(merge.code).toBe(0);
    expect(merge.stderr).toContain("state written to farm/ini-state.json");
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "farm", "ini-state.json"), "utf8")).builders)).toContain("two");
    expect(autowatch(["check"]).stderr).toContain("28 build factories in 2 manifests");
    expect(autowatch(["explain", "--builder", "two"]).stdout).toContain('builder "two" (farm/extra.cfg:1)');
    const flags = autowatch(["check", "-m", "farm/extra.cfg"]);
    expect(flags.stderr).toContain("1 build factory in 1 manifest");
    // paths in the file are relative to the file, wherever the command runs
    mkdirSync(join(dir, "elsewhere"), { recursive: true });
    expect(autowatch(["check", "--config", "../autowatch.ini"], {}, join(dir, "elsewhere")).stderr).toContain("28 build factories in 2 manifests");
  });

  it("merge --follow reads it too (inputs, state, reconfig), and stops on SIGTERM", async () => {
    ini(
      `manifest[] = farm/MANIFEST.cfg\nwatch-dir = farm/watch\nstate = farm/follow-state.json\nreconfig = echo reconfigured > farm/reconfigured\n`,
      "follow.ini",
    );
    const child = spawn(process.execPath, [bin, "merge", "--follow", "--config", "follow.ini"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    for (let waited = 0; !existsSync(join(dir, "farm", "reconfigured")) && waited < 20_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toMatch(
      /re-merged: 27 builders, 1 poller, 25 errors, 0 warnings, \d+ info; pollers or change filters changed, running the reconfig command/,
    );
    expect(existsSync(join(dir, "farm", "follow-state.json"))).toBe(true);
  }, 30_000);

  it("refuses unknown keys and bad values at file:line, exit 2", () => {
    ini("manfest[] = farm/MANIFEST.cfg\nwatch-dir = farm/watch\nmax-bytes = lots\n[farm]\nx = 1\n", "bad.ini");
    const run = autowatch(["merge", "--config", "bad.ini"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      [
        'bad.ini:1: error: unknown key "manfest" (did you mean "manifest"?)',
        'bad.ini:3: error: "max-bytes" must be a positive whole number, got "lots"',
        'bad.ini:4: error: unknown section "farm": the keys of autowatch.ini have no section',
        'autowatch: config file "bad.ini" refused (3 problems)',
        "",
      ].join("\n"),
    );
    expect(autowatch(["check", "--config", "none.ini"])).toMatchObject({ code: 2, stderr: 'autowatch: cannot read config file "none.ini": no such file\n' });
    // a FIFO nobody writes would block a plain read for ever (spawnSync's timeout would end the run, without a status)
    execFileSync("mkfifo", [join(dir, "fifo.ini")]);
    expect(autowatch(["check", "--config", "fifo.ini"])).toMatchObject({
      code: 2,
      stderr: 'autowatch: cannot read config file "fifo.ini": is not a regular file (a FIFO, socket or device): refused\n',
    });
  });
});
