import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESOLVE_SCHEMA_ID, resolveReportSchema } from "@autowatch/watchfile";
import { runCli } from "./support.js";

/** The sections of `resolve --json`, checked against its schema (autowatch.resolve/1). */
function sectionsOf(stdout: string): Record<string, Record<string, string>> {
  const report = resolveReportSchema.parse(JSON.parse(stdout));
  expect(report.schema).toBe(RESOLVE_SCHEMA_ID);
  return report.sections;
}

let root: string;

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "case-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function resolveIn(dir: string, argv: string[]) {
  return runCli(["resolve", ...argv], { cwd: dir, env: { NO_COLOR: "1", HOME: join(dir, "no-home"), BUILDOUT_HOME: join(dir, "home") } });
}

const BUILDOUT = `[buildout]
extends = base.cfg
parts = odoo

[odoo]
recipe = anybox.recipe.odoo:server
addons += git https://example.com/b.git b 10.0
data = \${:location}/data
`;
const BASE = `[odoo]
addons = git https://example.com/a.git a 10.0
version = git https://github.com/OCA/OCB.git odoo 10.0
`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "autowatch-resolve-cli-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("autowatch resolve", () => {
  it("--json prints every section's resolved options, sorted", async () => {
    const dir = write({ "buildout.cfg": BUILDOUT, "base.cfg": BASE });
    const run = await resolveIn(dir, ["-c", "buildout.cfg", "--json"]);
    expect(run.code).toBe(0);
    const parsed = sectionsOf(run.stdout);
    expect(parsed.odoo).toEqual({
      addons: "git https://example.com/a.git a 10.0\ngit https://example.com/b.git b 10.0",
      data: "${odoo:location}/data",
      recipe: "anybox.recipe.odoo:server",
      version: "git https://github.com/OCA/OCB.git odoo 10.0",
    });
    expect(parsed.buildout!.directory).toBe(dir);
    expect(parsed.buildout!["parts-directory"]).toBe(join(dir, "parts"));
    expect(Object.keys(parsed)).toEqual(["buildout", "odoo", "versions"]);
    expect(Object.keys(parsed.buildout!)).toEqual([...Object.keys(parsed.buildout!)].sort());
    expect(run.stderr).toContain("buildout.cfg:8: warning: [odoo] data: ${odoo:location}");
  });

  it("--json keeps sections named like Object.prototype members, as zc.buildout does", async () => {
    const dir = write({ "buildout.cfg": "[buildout]\nparts =\n\n[__proto__]\nx = 1\n\n[constructor]\ny = ${__proto__:x}\n" });
    const run = await resolveIn(dir, ["-c", "buildout.cfg", "--json"]);
    expect(run.code).toBe(0);
    const sections = JSON.parse(run.stdout).sections;
    expect(Object.hasOwn(sections, "__proto__")).toBe(true);
    expect(sections["__proto__"]).toEqual({ x: "1" });
    expect(sections.constructor).toEqual({ y: "1" });
  });

  it("prints an annotated listing with file:line origins by default", async () => {
    const dir = write({ "buildout.cfg": BUILDOUT, "base.cfg": BASE });
    const run = await resolveIn(dir, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Annotated sections\n==================\n");
    expect(run.stdout).toContain("[odoo]\naddons= git https://example.com/a.git a 10.0\ngit https://example.com/b.git b 10.0\n    buildout.cfg:7\n");
    expect(run.stdout).toContain("version= git https://github.com/OCA/OCB.git odoo 10.0\n    base.cfg:3\n");
    expect(run.stdout).toContain("log-level= INFO\n    DEFAULT_VALUE\n");
  });

  it("applies command-line assignments, += included", async () => {
    const dir = write({ "buildout.cfg": BUILDOUT, "base.cfg": BASE });
    const run = await resolveIn(dir, ["--json", "odoo:addons+=local extra", "odoo:version=git https://example.com/ocb.git odoo 11.0"]);
    expect(run.code).toBe(0);
    const parsed = sectionsOf(run.stdout);
    expect(parsed.odoo!.addons!.split("\n")).toEqual(["git https://example.com/a.git a 10.0", "git https://example.com/b.git b 10.0", "local extra"]);
    expect(parsed.odoo!.version).toBe("git https://example.com/ocb.git odoo 11.0");
  });

  it("reads $BUILDOUT_HOME/default.cfg unless -U", async () => {
    const dir = write({ "buildout.cfg": "[buildout]\nparts =\n", "home/default.cfg": "[buildout]\nnewest = false\n[mine]\nx = 1\n" });
    const withDefaults = sectionsOf((await resolveIn(dir, ["--json"])).stdout);
    expect(withDefaults.buildout!.newest).toBe("false");
    expect(withDefaults.mine).toEqual({ x: "1" });
    const without = sectionsOf((await resolveIn(dir, ["--json", "-U"])).stdout);
    expect(without.buildout!.newest).toBe("true");
    expect(without.mine).toBeUndefined();
  });

  it("exits 1 with one FILE:LINE: message line when zc.buildout would stop", async () => {
    const dir = write({ "buildout.cfg": "[buildout]\nparts =\nx = ${settings:missing}\n[settings]\n" });
    const run = await resolveIn(dir, []);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("buildout.cfg:3: referenced option does not exist: ${settings:missing}\n");
  });

  it("names the extending file and line when an extended file is missing", async () => {
    const dir = write({ "buildout.cfg": "[buildout]\nparts =\nextends = nowhere.cfg\n" });
    const run = await resolveIn(dir, ["--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^buildout\.cfg:3: cannot read ".*nowhere\.cfg": no such file\n$/);
  });

  it("reports a missing configuration file", async () => {
    const dir = write({});
    const run = await resolveIn(dir, ["-c", "missing.cfg"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("couldn't open");
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("refuses an argument that is not an assignment (usage error)", async () => {
    const dir = write({ "buildout.cfg": "[buildout]\nparts =\n" });
    const run = await resolveIn(dir, ["install"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not a section:option=value assignment");
  });

  it("escapes control characters of values in the listing", async () => {
    const dir = write({ "buildout.cfg": "[buildout]\nparts =\n[s]\nx = a\u001b[31mb\n" });
    const run = await resolveIn(dir, []);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\u001b");
    expect(run.stdout).toContain("x= a\\u001b[31mb");
  });
});
