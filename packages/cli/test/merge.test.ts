import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadLastGood } from "@autowatch/merge";
import { runCli } from "./support.js";

const MANIFEST = `[DEFAULT]
auto-watch = true

[odoo-10.0]
buildout = git https://git.example.com/buildouts.git odoo-10 buildout.cfg
watch = git https://github.com/OCA/server-tools.git 10.0

[release]
buildout = standalone release.cfg
watch =

[odoo-9.0]
buildout = standalone odoo-9.cfg
`;

function watchFile(builder: string, watches: unknown[]): string {
  return JSON.stringify({ schema: "autowatch.watchfile/2", builder, watches });
}

let dir: string;
const args = (...extra: string[]) => ["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", ...extra];
const cli = (argv: string[]) => runCli(argv, { cwd: dir });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "autowatch-merge-cli-"));
  mkdirSync(join(dir, "watch"));
  writeFileSync(join(dir, "MANIFEST.cfg"), MANIFEST);
  writeFileSync(
    join(dir, "watch", "odoo-10.0.json"),
    watchFile("odoo-10.0", [{ vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0", origin: { file: "buildout.cfg", line: 12 } }]),
  );
  writeFileSync(join(dir, "watch", "odoo-9.0.json"), '{"schema": "autowatch.watchfile/2", "watc');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("autowatch merge", () => {
  it("writes the state, prints each problem as FILE:LINE: level: message (paths relative) then a summary, exits 0 despite problems", async () => {
    writeFileSync(join(dir, "watch", "stray\u001b]0;owned\u0007\u202e.json"), "[]");
    // a hostile entry (issue 11): the whole file is distrusted, and never becomes the last good one
    writeFileSync(
      join(dir, "watch", "odoo-10.0.json"),
      watchFile("odoo-10.0", [
        { vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0", origin: { file: "buildout.cfg", line: 12 } },
        { vcs: "git", url: "https://github.com/OCA/web.git", revspec: "10.0\u001b[2J" },
      ]),
    );
    const run = await cli(args("-o", "state.json"));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
    expect(state.builders["odoo-10.0"].watches).toEqual([
      { vcs: "git", url: "https://git.example.com/buildouts.git", branch: "odoo-10", from: ["buildout"] },
      { vcs: "git", url: "https://github.com/OCA/server-tools.git", branch: "10.0", from: ["manual"] },
    ]);
    expect(state.builders.release).toEqual({ schedule: false, autoWatch: false, watches: [] });
    expect(run.stderr).toContain("autowatch merge: 3 builders: 1 watching at least one branch, 1 watching nothing, 1 never scheduled by commits");
    expect(run.stderr).toMatch(
      /^watch\/odoo-10\.0\.json: error: file distrusted: 1 of 2 entries refused for security reasons \(watches\[1\] refused: [^\n]*\): no earlier good watch file, no auto watches\n/m,
    );
    expect(run.stderr).toMatch(
      /^watch\/odoo-10\.0\.json: error: watches\[1\] refused: branch name contains a space or control character: "10\.0\\u001b\[2J"\n/m,
    );
    expect(run.stderr).toMatch(/^watch\/odoo-9\.0\.json:1: error: not valid JSON \(truncated at byte 41\)[^\n]*: no earlier good watch file, no auto watches/m);
    expect(run.stderr).toMatch(
      /^watch\/stray\\u001b\]0;owned\\u0007\\u202e\.json: warning: watch file for "stray\\u001b\]0;owned\\u0007\\u202e", a builder in no manifest: ignored/m,
    );
    expect(run.stderr).toContain("autowatch merge: 2 pollers; 3 errors, 1 warning, 0 info\n");
    expect(run.stderr).not.toContain(dir);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(readFileSync(join(dir, "state.json"), "utf8")).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(run.stderr).toContain("(pollers or change filters changed)");
    expect(loadLastGood(join(dir, "state.json.lastgood")).lastGood.indexed("odoo-10.0")).toBeUndefined();

    const again = await cli(args("-o", "state.json", "--json"));
    expect(again.stdout).toBe(readFileSync(join(dir, "state.json"), "utf8"));
    expect(again.stderr).toContain("(pollers and change filters unchanged)");
  });

  it("--strict exits 1 on errors or warnings (not on info)", async () => {
    expect((await cli(args("--strict", "-o", "s.json"))).code).toBe(1);
    rmSync(join(dir, "watch", "odoo-9.0.json"));
    writeFileSync(join(dir, "watch", "odoo-10.0.json"), watchFile("odoo-10.0", []));
    const clean = await cli(args("--strict", "-o", "s.json"));
    expect(clean.stderr).toContain("0 errors, 0 warnings, 1 info");
    expect(clean.code).toBe(0);
  });

  it("says whether it wrote the state or left it as it was (an unchanged farm)", async () => {
    const summary = (run: { stderr: string }) => run.stderr.split("\n").filter((line) => line.includes("state "));
    expect(summary(await cli(args("-o", "state.json")))).toEqual(["autowatch merge: state written to state.json (pollers or change filters changed)"]);
    const first = statSync(join(dir, "state.json"), { bigint: true });
    // nothing changed: the file keeps its inode and time stamps, and the summary says so
    expect(summary(await cli(args("-o", "state.json")))).toEqual([
      "autowatch merge: state state.json already up to date (pollers and change filters unchanged)",
    ]);
    const kept = statSync(join(dir, "state.json"), { bigint: true });
    expect([kept.ino, kept.mtimeNs]).toEqual([first.ino, first.mtimeNs]);
    // a watch file with other branches: the state is written again
    writeFileSync(join(dir, "watch", "odoo-10.0.json"), watchFile("odoo-10.0", [{ vcs: "git", url: "https://github.com/OCA/web.git", revspec: "10.0" }]));
    expect(summary(await cli(args("-o", "state.json")))).toEqual(["autowatch merge: state written to state.json (pollers or change filters changed)"]);
    expect(statSync(join(dir, "state.json"), { bigint: true }).ino).not.toBe(first.ino);
  });

  it("without -o prints the state on stdout and writes nothing", async () => {
    const run = await cli(args());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).schema).toBe("autowatch.state/1");
    expect(existsSync(join(dir, "state.json"))).toBe(false);
  });

  it("refuses a FIFO given as manifest or rewrite file at once, without blocking", async () => {
    execFileSync("mkfifo", [join(dir, "fifo")]);
    const manifest = await cli(["merge", "--manifest", "fifo", "--watch-dir", "watch", "-o", "state.json"]);
    expect(manifest.code).not.toBe(0);
    expect(manifest.stderr).toMatch(/fifo: cannot read manifest: is not a regular file/);
    const rules = await cli(args("--rewrite-file", "fifo", "-o", "state.json"));
    expect(rules.code).not.toBe(0);
    expect(rules.stderr).toMatch(/cannot read rewrite file "\S*fifo": is not a regular file/);
  });

  it("applies --rewrite-file then --rewrite rules, in order", async () => {
    writeFileSync(join(dir, "rules.txt"), "# mirror\nhttps://github.com/ ssh://git@mirror/github/\n");
    const run = await cli(args("--rewrite-file", "rules.txt", "--rewrite", "ssh://git@mirror/=ssh://git@mirror2/"));
    const state = JSON.parse(run.stdout);
    const ocb = state.pollers.find((p: { original: string }) => p.original === "https://github.com/OCA/OCB.git");
    expect(ocb.url).toBe("ssh://git@mirror2/github/OCA/OCB.git");
    expect(ocb.workdir).toMatch(/^gitpoller-[0-9a-f]{10}$/);
  });

  it("--allow-host and --max-entries restrict what workers may send", async () => {
    const run = await cli(args("--allow-host", "example.org", "--max-entries", "5"));
    expect(run.stderr).toContain('watches[0] refused: host "github.com" not allowed');
    const tight = await cli(args("--max-entries", "1", "--max-bytes", "10"));
    expect(tight.stderr).toContain("file over the size limit");
  });

  it("reports operator errors in one line: unreadable manifest (1), bad numbers and bad rules (2)", async () => {
    const missing = await cli(["merge", "--manifest", "nope.cfg", "--watch-dir", "watch"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^autowatch: \S*nope\.cfg: cannot read manifest: no such file\n$/);
    expect((await cli(args("--max-bytes", "zero"))).code).toBe(2);
    const rule = await cli(args("--rewrite", "nothing"));
    expect(rule.code).toBe(1);
    expect(rule.stderr).toContain("expected FROM=TO or FROM TO");
    expect((await cli(args("--reconfig", "true"))).code).toBe(2);
    expect((await cli(["merge", "--watch-dir", "watch"])).code).toBe(2);
  });

  it("--help lists the options", async () => {
    const run = await cli(["merge", "--help"]);
    expect(run.code).toBe(0);
    for (const option of ["--manifest", "--watch-dir", "--rewrite", "--allow-host", "--allow-scheme", "--max-bytes", "--strict", "--follow", "--reconfig"]) {
      expect(run.stdout).toContain(option);
    }
  });
});
