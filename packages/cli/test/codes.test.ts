import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkReportSchema, explainReportSchema, stateSchema } from "@autowatch/watchfile";
import { PROBLEM_CODES } from "@autowatch/watchfile/text";
import { runCli } from "./support.js";

const packages = fileURLToPath(new URL("../../", import.meta.url));

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("problem codes", () => {
  it("each code of the union is emitted by some package's source, or listed as reserved in @autowatch/watchfile's README", () => {
    const union = join(packages, "watchfile", "src", "problem.ts");
    const text = ["watchfile", "manifest", "introspect", "merge", "cli"]
      .flatMap((name) => sources(join(packages, name, "src")))
      .filter((file) => file !== union)
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const readme = readFileSync(join(packages, "watchfile", "README.md"), "utf8");
    const reserved = new Set([...(/### Reserved codes\n([\s\S]*?)(?:\n#|$)/.exec(readme)?.[1] ?? "").matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]));
    const unused = PROBLEM_CODES.filter((code) => !text.includes(JSON.stringify(code)) && !reserved.has(code));
    expect(unused).toEqual([]);
    // and a reserved code is one nothing emits yet
    for (const code of reserved) expect(text.includes(JSON.stringify(code)), code).toBe(false);
  });

  describe("--json outputs carry a known code on every problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "autowatch-codes-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, "watch"));
    writeFileSync(
      join(dir, "MANIFEST.cfg"),
      "[a]\nwatch = git https://example.com/a.git 1.0\n[b]\nwatch = git https://example.com/b.git\n[c]\nauto-watch = perhaps\n",
    );
    writeFileSync(join(dir, "watch", "a.json"), '{"schema": "autowatch.watchfile/2", "watches": [');
    const hostile = { schema: "autowatch.watchfile/2", builder: "b", watches: [{ vcs: "git", url: "--upload-pack=x", revspec: "1.0" }] };
    writeFileSync(join(dir, "watch", "b.json"), JSON.stringify(hostile));
    writeFileSync(join(dir, "watch", "ghost.json"), "[]");
    const inDir = { cwd: dir };

    it("check --json", async () => {
      const run = await runCli(["check", "--json", "--manifest", "MANIFEST.cfg"], inDir);
      const report = checkReportSchema.parse(JSON.parse(run.stdout));
      expect(report.problems.map((p) => [p.code, p.builder, p.line])).toEqual([
        ["manifest.watch.tokens", "b", 4],
        ["manifest.auto-watch.invalid", "c", 6],
      ]);
    });

    it("merge --json (the state)", async () => {
      const run = await runCli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "-", "--json"], inDir);
      expect(run.code).toBe(0);
      const state = stateSchema.parse(JSON.parse(run.stdout));
      expect(state.problems.map((p) => [p.level, p.code, p.builder ?? null])).toEqual([
        ["warning", "merge.watchfile.orphan", null],
        ["error", "watchfile.json.invalid", "a"],
        ["error", "manifest.watch.tokens", "b"],
        ["error", "merge.watchfile.distrusted", "b"],
        ["error", "merge.url.option", "b"],
        ["error", "manifest.auto-watch.invalid", "c"],
        ["info", "merge.watchfile.missing", "c"],
      ]);
    });

    it("explain --json", async () => {
      const run = await runCli(["explain", "--json", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--builder", "b"], inDir);
      const report = explainReportSchema.parse(JSON.parse(run.stdout));
      if (!report.found) throw new Error("b not found");
      expect(report.builder.problems.map((p) => p.code).sort()).toEqual(["merge.url.option", "merge.watchfile.distrusted"]);
    });
  });
});
