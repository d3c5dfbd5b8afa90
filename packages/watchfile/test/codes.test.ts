import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseWatchFile, WATCHFILE_SCHEMA_ID } from "@autowatch/watchfile";
import { isProblemCode, makeProblem, PROBLEM_CODE_SHAPE, PROBLEM_CODES } from "@autowatch/watchfile/text";
import { problemSchema } from "../src/schema.js";

const valid = { schema: WATCHFILE_SCHEMA_ID, watches: [{ vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0" }] };
const text = (value: unknown) => JSON.stringify(value, null, 2);

describe("problem codes", () => {
  it("are unique, code-shaped, and each documented once in the README with its level", () => {
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
    for (const code of PROBLEM_CODES) expect(code).toMatch(PROBLEM_CODE_SHAPE);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const rows = [...readme.matchAll(/^\| `([^`]+)` \| ((?:error|warning|info)(?:, (?:error|warning|info))*) \| .+ \|$/gm)].map((row) => row[1]);
    expect(rows.sort()).toEqual([...PROBLEM_CODES].sort());
  });

  it("make problems with keys in schema order, leaving out what is not known", () => {
    const problem = makeProblem("error", "merge.url.option", "m", { line: 3, file: "f", builder: undefined });
    expect(problem).toEqual({ level: "error", code: "merge.url.option", message: "m", file: "f", line: 3 });
    expect(Object.keys(makeProblem("info", "merge.watchfile.missing", "m", { line: 1, file: "f", builder: "b" }))).toEqual(Object.keys(problemSchema.shape));
    expect(problemSchema.safeParse(problem).success).toBe(true);
    expect(isProblemCode("merge.url.option")).toBe(true);
    expect(isProblemCode("merge.url")).toBe(false);
  });

  it("reads a watch file's problems without a code (workers older than codes) and with any code-shaped one (newer workers)", () => {
    const problems = [
      { level: "warning", message: "old worker" },
      { level: "warning", code: "introspect.revision.unverified", message: "known code" },
      { level: "info", code: "introspect.some-future.kind", message: "code of a newer worker" },
    ];
    const result = parseWatchFile(text({ ...valid, problems }));
    expect(result).toMatchObject({ ok: true, warnings: [] });
    expect(result.ok && result.value.problems).toEqual(problems);
    // not code-shaped: that entry alone is refused, as any invalid entry
    const odd = parseWatchFile(text({ ...valid, problems: [...problems, { level: "info", code: "Not a code", message: "m" }] }));
    if (!odd.ok) throw new Error(JSON.stringify(odd.problems));
    expect(odd.value.problems).toEqual(problems);
    expect(odd.warnings.map((warning) => [warning.code, warning.message])).toEqual([
      ["watchfile.entry.invalid", "problems[3].code: not a problem code (lower-case words joined by dots, such as merge.url.option); entry ignored"],
    ]);
  });
});
