import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXPLAIN_SCHEMA_ID, explainReportSchema } from "@autowatch/watchfile";
import { runCli } from "./support.js";

const MANIFEST = `[odoo-10.0]
buildout = git https://git.example.com/buildouts.git odoo-10 buildout.cfg
watch = git https://github.com/OCA/server-tools.git 10.0
        git https://github.com/OCA/OCB.git 10.0

[release]
buildout = standalone release.cfg
watch =

[manual-only]
buildout = standalone x.cfg
auto-watch = off

[waiting]
buildout = standalone w.cfg

[broken]
buildout = standalone b.cfg
`;

let dir: string;
const explain = (builder: string, ...extra: string[]) =>
  runCli(["explain", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--builder", builder, ...extra], { cwd: dir });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "autowatch-explain-"));
  mkdirSync(join(dir, "watch"));
  writeFileSync(join(dir, "MANIFEST.cfg"), MANIFEST);
  const watches = [{ vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0", origin: { file: "buildout.cfg", line: 12 } }];
  writeFileSync(join(dir, "watch", "odoo-10.0.json"), JSON.stringify({ schema: "autowatch.watchfile/2", builder: "odoo-10.0", watches }));
  writeFileSync(join(dir, "watch", "manual-only.json"), JSON.stringify(watches));
  writeFileSync(join(dir, "watch", "broken.json"), Buffer.from([0x5b, 0xff]));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("autowatch explain", () => {
  it("says where each watched repository comes from: auto (origin file:line), manual (manifest line), buildout", async () => {
    const run = await explain("odoo-10.0");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("watches 3 branches:");
    expect(run.stdout).toMatch(
      /git https:\/\/github\.com\/OCA\/OCB\.git branch 10\.0\n {4}auto: watch file \S*odoo-10\.0\.json, declared at "buildout\.cfg":12\n {4}manual: watch line at \S*MANIFEST\.cfg:4/,
    );
    expect(run.stdout).toMatch(/git https:\/\/git\.example\.com\/buildouts\.git branch odoo-10\n {4}buildout: the buildout itself, \S*MANIFEST\.cfg:2/);
    expect(run.stdout).toMatch(/server-tools\.git branch 10\.0\n {4}manual: watch line at \S*MANIFEST\.cfg:3/);
  });

  it.each([
    ["release", "`watch =` is empty"],
    ["manual-only", "auto-watch is off"],
    ["waiting", "no watch file yet"],
    ["broken", /watch file rejected: not valid UTF-8.*; no earlier good watch file/],
  ])("says why %s watches nothing", async (builder, reason) => {
    const run = await explain(builder);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("watches nothing:");
    expect(run.stdout).toMatch(reason);
  });

  it("an unknown builder exits 1 with close names", async () => {
    const run = await explain("odoo-10");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('autowatch: unknown builder "odoo-10"; did you mean "odoo-10.0"?\n');
    const far = await explain("zzzzzzzzzz");
    expect(far.stderr).toBe('autowatch: unknown builder "zzzzzzzzzz"\n');
  });

  it("writes nothing, and --json gives the same explanation as data", async () => {
    const run = await explain("odoo-10.0", "-o", "state.json", "--json");
    const data = JSON.parse(run.stdout);
    expect(explainReportSchema.parse(data)).toMatchObject({ schema: EXPLAIN_SCHEMA_ID, found: true });
    expect(explainReportSchema.parse(JSON.parse((await explain("odoo-10", "--json")).stdout))).toMatchObject({ found: false, suggestions: ["odoo-10.0"] });
    const release = explainReportSchema.parse(JSON.parse((await explain("release", "--json", "-o", "state.json")).stdout));
    expect(release).toMatchObject({ found: true, builder: { schedule: false }, state: { file: join(dir, "state.json"), modified: null } });
    expect(data.builder.watches).toHaveLength(3);
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(dir, "state.json"))).toBe(false);
    expect(existsSync(join(dir, "state.json.lastgood"))).toBe(false);
  });
});

describe("autowatch explain against the state's merge", () => {
  it("warns when its flags differ from those the state was merged with, and notes inputs newer than the state", async () => {
    expect((await runCli(["merge", "-m", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json", "--allow-host", "github.com"], { cwd: dir })).code).toBe(
      0,
    );
    const same = await explain("odoo-10.0", "-o", "state.json", "--allow-host", "github.com");
    expect(same.stdout).not.toMatch(/^(warning|note):/m);
    const other = await explain("odoo-10.0", "-o", "state.json", "--rewrite", "https://github.com/=ssh://mirror/");
    expect(other.stdout).toContain(
      '\nwarning: --rewrite is "https://github.com/=ssh://mirror/" here, but the state was merged with (none): this answer may not be the merge\'s\n',
    );
    expect(other.stdout).toContain(
      '\nwarning: --allow-host is (not given) here, but the state was merged with "github.com": this answer may not be the merge\'s\n',
    );
    const json = explainReportSchema.parse(JSON.parse((await explain("odoo-10.0", "-o", "state.json", "--json")).stdout));
    expect(json.state?.differ).toHaveLength(1);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "watch", "odoo-10.0.json"), later, later);
    expect((await explain("odoo-10.0", "-o", "state.json", "--allow-host", "github.com")).stdout).toContain(
      "note: watch/odoo-10.0.json changed after the state state.json was written: the next merge takes it into account",
    );
  });

  it("answers from STATE.factories while the manifests are unchanged, and says so in --json; the same text as from the manifests", async () => {
    const { appendFileSync, renameSync } = await import("node:fs");
    expect(JSON.parse((await explain("odoo-10.0", "-o", "state.json", "--json")).stdout).from).toBe("merge");
    expect((await runCli(["merge", "-m", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json"], { cwd: dir })).code).toBe(0);
    const names = ["odoo-10.0", "release", "manual-only", "waiting", "broken", "odoo-10"];
    const fast = await Promise.all(names.map((name) => explain(name, "-o", "state.json")));
    for (const name of names) expect(JSON.parse((await explain(name, "-o", "state.json", "--json")).stdout).from).toBe("state");
    renameSync(join(dir, "state.json.factories"), join(dir, "aside"));
    const slow = await Promise.all(names.map((name) => explain(name, "-o", "state.json")));
    expect(fast.map((run) => [run.code, run.stdout, run.stderr])).toEqual(slow.map((run) => [run.code, run.stdout, run.stderr]));
    expect(JSON.parse((await explain("odoo-10.0", "-o", "state.json", "--json")).stdout).from).toBe("merge");
    renameSync(join(dir, "aside"), join(dir, "state.json.factories"));
    appendFileSync(join(dir, "MANIFEST.cfg"), "\n[odoo-10]\nbuildout = standalone y.cfg\n");
    const edited = explainReportSchema.parse(JSON.parse((await explain("odoo-10", "-o", "state.json", "--json")).stdout));
    expect(edited).toMatchObject({ found: true, from: "merge" });
  });
});
