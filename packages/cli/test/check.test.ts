import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CHECK_SCHEMA_ID, checkReportSchema, EXPLAIN_SCHEMA_ID, RESOLVE_SCHEMA_ID } from "@autowatch/watchfile";
import { runCli } from "./support.js";

const fixtures = fileURLToPath(new URL("../../manifest/test/fixtures/realistic/", import.meta.url));

describe("autowatch check", () => {
  const dir = mkdtempSync(join(tmpdir(), "autowatch-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const inDir = { cwd: dir };

  it("a clean manifest: nothing on stdout, a summary on stderr, exit 0", async () => {
    const run = await runCli(["check", "--manifest", `${fixtures}MANIFEST.cfg`]);
    expect(run).toMatchObject({ code: 0, stdout: "" });
    expect(run.stderr).toBe("autowatch check: 36 build factories in 1 manifest: 0 errors, 0 warnings\n");
  });

  it("prints each problem as FILE:LINE: level: message, files as given, and exits 1 on an error", async () => {
    const good = write("good.cfg", "[a]\nwatch = git u b\n");
    const bad = write("bad.cfg", "[b]\nwatch = git u\n   svn v\n[a]\nauto-watch = perhaps\n");
    const run = await runCli(["check", "--manifest", good, bad], inDir);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      'bad.cfg:2: error: section "b": watch line must be "git URL BRANCH", got "git u"',
      'bad.cfg:4: error: section "a" is already defined at "good.cfg:1"; this definition is ignored',
      "",
    ]);
    expect(run.stderr).toContain("2 build factories in 2 manifests: 2 errors, 0 warnings");
  });

  it("accepts --manifest repeated, and -m", async () => {
    const a = write("ra.cfg", "[ra]\n");
    const b = write("rb.cfg", "[rb]\ninherit = ra\n");
    const run = await runCli(["check", "-m", a, "--manifest", b], inDir);
    expect(run).toMatchObject({ code: 0, stdout: "" });
    expect(run.stderr).toContain("2 build factories in 2 manifests");
  });

  it("warnings alone exit 0", async () => {
    const file = write("warn.cfg", "[a]\ninherit =\n");
    const run = await runCli(["check", "--manifest", file], inDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('warn.cfg:2: warning: section "a": inherit is empty: nothing is inherited\n');
  });

  it("--json gives the same problems as JSON on stdout", async () => {
    const both = [`${fixtures}MANIFEST.cfg`, `${fixtures}broken.cfg`];
    const text = await runCli(["check", "--manifest", ...both]);
    const json = await runCli(["check", "--json", "--manifest", ...both]);
    expect(json.code).toBe(1);
    expect(text.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      schema: string;
      problems: { file: string; line: number; level: string; message: string }[];
      errors: number;
      factories: number;
    };
    expect(report).toMatchObject({ manifests: both, factories: 38, errors: 5, warnings: 0 });
    expect(report.problems.map((p) => `${relative(process.cwd(), p.file)}:${p.line}: ${p.level}: ${p.message}`).join("\n") + "\n").toBe(text.stdout);
    expect(checkReportSchema.parse(report).schema).toBe(CHECK_SCHEMA_ID);
    expect(json.stderr).toBe("");
  });

  it("escapes control characters in file names and messages", async () => {
    const name = write("odd\u001b[2J\u2028.cfg", "[a\u0007]\nwatch = git\u001b[31m u\n");
    const run = await runCli(["check", "--manifest", name], inDir);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028]/);
    expect(run.stdout).toContain("odd\\u001b[2J\\u2028.cfg:2: error:");
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
    const json = await runCli(["check", "--json", "--manifest", name], inDir);
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028]/);
    expect((JSON.parse(json.stdout) as { problems: { file: string }[] }).problems[0]?.file).toBe(name);
  });

  it("a missing manifest is a one-line error, exit 1", async () => {
    const run = await runCli(["check", "--manifest", "good.cfg", "nope.cfg"], inDir);
    expect(run).toEqual({ code: 1, stdout: "", stderr: "autowatch: nope.cfg: cannot read manifest: no such file\n" });
    const directory = await runCli(["check", "--manifest", "."], inDir);
    expect(directory).toMatchObject({ code: 1, stderr: "autowatch: .: cannot read manifest: not a regular file\n" });
  });

  it("no --manifest at all is a usage error, exit 2", async () => {
    const run = await runCli(["check"], inDir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("autowatch: check: --manifest FILE is required (or `manifest[] = FILE` in autowatch.ini)\nTry 'autowatch check --help'.\n");
  });

  it("lists its options in --help", async () => {
    const run = await runCli(["check", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--manifest <file...>");
    expect(run.stdout).toContain("--json");
  });
});

describe("--json schema ids", () => {
  it("the commands print the ids that @autowatch/watchfile's schemas hold", async () => {
    const { jsonId } = await import("../src/schemas.js");
    expect([jsonId("check"), jsonId("explain"), jsonId("resolve")]).toEqual([CHECK_SCHEMA_ID, EXPLAIN_SCHEMA_ID, RESOLVE_SCHEMA_ID]);
  });
});
