import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { autoUrls, cli, dir, GOOD, merge, pythonReads, state, useFaultFarm, watchFile } from "./faults-support.js";

/**
 * Issue 11, continued: builder names, watch files that stopped coming, cron, autowatch.ini,
 * explain's inputs, an emptied manifest. Each scenario runs through the CLI, as cron would.
 */

useFaultFarm();

describe("builder names: any name Buildbot accepts", () => {
  const NAMES = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf", "10"];

  it("is a builder in the state, in explain and in the last-good store", async () => {
    writeFileSync(join(dir, "MANIFEST.cfg"), NAMES.map((name) => `[${name}]\nbuildout = standalone ${name}.cfg\n`).join("\n"));
    for (const name of NAMES) {
      const file = (await import("@autowatch/watchfile/text")).watchFileNameFor(name);
      writeFileSync(join(dir, "watch", file), watchFile(name, [{ url: `https://github.com/OCA/${name}.git` }]));
    }
    rmSync(join(dir, "watch", "odoo-b.json"));
    const run = await merge();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${NAMES.length} builders: ${NAMES.length} watching at least one branch`);
    const text = readFileSync(join(dir, "state.json"), "utf8");
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed.builders).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      expect(Object.hasOwn(parsed.builders, name)).toBe(true);
      expect(autoUrls(name)).toEqual([`https://github.com/OCA/${name}.git`]);
    }
    expect(parsed.pollers).toHaveLength(NAMES.length);
    // what master.cfg reads
    const python = execFileSync(
      "/usr/bin/python3",
      ["-c", "import json, sys; print(json.dumps(sorted(json.load(open(sys.argv[1]))['builders'])))", join(dir, "state.json")],
      { encoding: "utf8" },
    );
    expect(JSON.parse(python)).toEqual([...NAMES].sort());

    for (const name of NAMES) {
      const explained = await cli(["explain", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--builder", name]);
      expect(explained.code, explained.stderr).toBe(0);
      expect(explained.stdout).toContain(`https://github.com/OCA/${name}.git branch 16.0`);
    }
    // the last-good store serves each of them
    for (const name of NAMES) {
      const file = (await import("@autowatch/watchfile/text")).watchFileNameFor(name);
      writeFileSync(join(dir, "watch", file), "{ truncated");
    }
    const again = await merge();
    expect(again.code).toBe(0);
    for (const name of NAMES) expect(autoUrls(name)).toEqual([`https://github.com/OCA/${name}.git`]);
    expect(again.stderr).toContain("(pollers and change filters unchanged)");
  });
});

describe("watch files that stopped coming", () => {
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

  it("merge --max-age reports watch files older than that (off by default); explain shows the file's age", async () => {
    writeFileSync(join(dir, "watch", "odoo-a.json"), watchFile("odoo-a", [{ url: "https://github.com/OCA/fresh.git" }]));
    utimesSync(join(dir, "watch", "odoo-b.json"), daysAgo(9), daysAgo(9));
    const plain = await merge();
    expect(plain.stderr).not.toMatch(/old/);
    const run = await merge("--max-age", "7d");
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^watch\/odoo-b\.json: warning: watch file not rewritten for 9 days \(since \d{4}-\d\d-\d\dT\d\d:\d\dZ; max age 7d\): is the builder still building\?$/m,
    );
    expect(run.stderr).not.toMatch(/odoo-a\.json: warning/);
    expect(state().problems.filter((p: { builder?: string; code: string }) => p.builder === "odoo-b" && p.code === "merge.watchfile.stale")).toHaveLength(1);
    // the watches stay: an old file is a question for the operator, not a fault
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
    expect((await merge("--max-age", "10d")).stderr).not.toContain("max age");
    expect((await merge("--max-age", "36h")).stderr).toContain("max age 36h");
    for (const bad of ["7", "seven days", "-1d", "0d"]) {
      const usage = await merge("--max-age", bad);
      expect(usage.code, bad).toBe(2);
      expect(usage.stderr).toMatch(/--max-age/);
    }
    const explained = await cli(["explain", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--builder", "odoo-b"]);
    expect(explained.stdout).toMatch(/watch file: watch\/odoo-b\.json \(accepted\), written \S+ \(9 days ago\)/);
  });
});

describe("cron needs no parsing of the output", () => {
  it("--quiet prints nothing when nothing needs attention, and only the problems otherwise", async () => {
    writeFileSync(join(dir, "watch", "odoo-a.json"), watchFile("odoo-a", [{ url: "https://github.com/OCA/a.git" }]));
    const clean = await merge("--quiet");
    expect(clean.code).toBe(0);
    expect([clean.stdout, clean.stderr]).toEqual(["", ""]);
    expect(existsSync(join(dir, "state.json"))).toBe(true);
    writeFileSync(join(dir, "watch", "odoo-a.json"), "{ truncated");
    const troubled = await merge("-q");
    expect(troubled.code).toBe(0);
    expect(troubled.stdout).toBe("");
    expect(troubled.stderr).toMatch(/^watch\/odoo-a\.json:1: error: not valid JSON/);
    expect(troubled.stderr).not.toContain("autowatch merge:");
  });

  it("--exit-code: 0 when the state was written unchanged, 3 when pollers or change filters changed", async () => {
    expect((await merge("--exit-code", "-q")).code).toBe(3); // no state before
    expect((await merge("--exit-code", "-q")).code).toBe(0);
    // problems alone change nothing Buildbot acts on
    writeFileSync(join(dir, "watch", "odoo-b.json"), "{ truncated");
    const problems = await merge("--exit-code", "-q");
    expect(problems.code).toBe(0);
    expect(problems.stderr).toContain("error");
    writeFileSync(join(dir, "MANIFEST.cfg"), `${GOOD}\n[odoo-c]\nwatch = git https://github.com/OCA/c.git 16.0\n`);
    expect((await merge("--exit-code", "-q")).code).toBe(3);
    expect((await merge("--exit-code")).code).toBe(0);
    // refused: 1, nothing written, whatever --exit-code
    writeFileSync(join(dir, "MANIFEST.cfg"), GOOD.replace("[odoo-b]", "[odoo-b"));
    expect((await merge("--exit-code", "-q")).code).toBe(1);
    // it needs a state file to compare with
    expect((await cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--exit-code"])).code).toBe(2);
  });

  it("`-o -` writes the state to stdout and creates no file named -", async () => {
    const run = await cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "-"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).builders["odoo-b"].watches).toHaveLength(2);
    expect(existsSync(join(dir, "-"))).toBe(false);
    expect(existsSync(join(dir, "-.lastgood"))).toBe(false);
    const json = await cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "-", "--json"]);
    expect(json.stdout).toBe(run.stdout);
  });
});

describe("autowatch.ini", () => {
  it("max-age = 7d works like --max-age 7d; a bad value is a usage error", async () => {
    utimesSync(join(dir, "watch", "odoo-b.json"), new Date(Date.now() - 9 * 86_400_000), new Date(Date.now() - 9 * 86_400_000));
    writeFileSync(join(dir, "autowatch.ini"), "max-age = 7d\n");
    expect((await merge()).stderr).toContain("max age 7d");
    writeFileSync(join(dir, "autowatch.ini"), "max-age = 7\n");
    expect((await merge()).code).toBe(2);
  });
});

describe("explain takes the same inputs as merge, and refuses the same faults", () => {
  const explain = (...extra: string[]) => cli(["explain", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--builder", "odoo-b", ...extra]);

  it("a mistyped --watch-dir is an error, not 'not uploaded yet'", async () => {
    const run = await cli(["explain", "--manifest", "MANIFEST.cfg", "--watch-dir", "wacth", "--builder", "odoo-b"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/watch directory \S*wacth does not exist/);
    expect(run.stdout).not.toContain("not uploaded yet");
  });

  it("a manifest Python's ConfigParser refuses is an error at FILE:LINE", async () => {
    writeFileSync(join(dir, "MANIFEST.cfg"), GOOD.replace("[odoo-b]", "[odoo-b"));
    const run = await explain();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("MANIFEST.cfg:4: error:");
  });
});

describe("a manifest emptied by accident (a failed `> MANIFEST.cfg`, a half deploy)", () => {
  it.each([
    ["empty", ""],
    ["only [DEFAULT]", "[DEFAULT]\nauto-watch = true\n"],
    ["comments only", "# builders\n; none yet\n"],
  ])("%s: the merge refuses, nothing written", async (_what, text) => {
    expect((await merge()).code).toBe(0);
    const before = readFileSync(join(dir, "state.json"), "utf8");
    expect(pythonReads(text)).toBe("ok");
    writeFileSync(join(dir, "MANIFEST.cfg"), text);
    const run = await merge();
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("autowatch: MANIFEST.cfg: manifest defines no builder (no [section] besides [DEFAULT]): an empty or cut file?\n");
    expect(readFileSync(join(dir, "state.json"), "utf8")).toBe(before);
    expect((await cli(["check", "--manifest", "MANIFEST.cfg"])).code).toBe(1);
  });
});
