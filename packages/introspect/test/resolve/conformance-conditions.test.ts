/**
 * Conditional-section expressions at Python's limits, zc.buildout deciding (issue 16): each
 * case is `[s: EXPRESSION]` in a generated buildout.cfg (some are hundreds of kilobytes, so
 * they are written here rather than kept under conformance/cases), resolved by zc.buildout
 * (conformance/driver.py) and by resolveBuildout. Both must accept or both refuse, and agree
 * on whether the section is kept.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveBuildout } from "../../src/resolve/index.js";

const driver = fileURLToPath(new URL("./conformance/driver.py", import.meta.url));
const REFERENCE_PYTHON = "/usr/bin/python3";

const repeat = (text: string, count: number, separator = "") => Array.from({ length: count }, () => text).join(separator);

/** Name and expression. */
const CASES: [string, string][] = [
  ["parentheses-199", `${repeat("(", 199)}True${repeat(")", 199)}`],
  ["parentheses-200", `${repeat("(", 200)}True${repeat(")", 200)}`],
  ["parentheses-1000", `${repeat("(", 1000)}True${repeat(")", 1000)}`],
  ["lists-1000", `${repeat("[", 1000)}True${repeat("]", 1000)}`],
  ["calls-300", `${repeat("str(", 300)}1${repeat(")", 300)}`],
  ["or-50000", `${repeat("False", 50_000, " or ")} or True`],
  ["or-50000-false", repeat("False", 50_000, " or ")],
  ["and-50000", repeat("True", 50_000, " and ")],
  ["and-or-25000", repeat("True and False", 25_000, " or ")],
  ["compare-100000", repeat("1", 100_000, " == ")],
  ["not-2000", `${repeat("not ", 2000)}False`],
  ["not-2977", `${repeat("not ", 2977)}False`],
  ["not-2978", `${repeat("not ", 2978)}False`],
  ["not-100000", `${repeat("not ", 100_000)}False`],
  ["minus-2000", `${repeat("-", 2000)}1`],
  ["minus-4000", `${repeat("-", 4000)}1`],
  ["plus-minus-2000", `${repeat("+-", 1000)}1`],
  ["index-2000", `'a'${repeat("[0]", 2000)}`],
  ["index-4000", `'a'${repeat("[0]", 4000)}`],
  ["digits-4300", repeat("1", 4300)],
  ["digits-4301", repeat("1", 4301)],
  ["zeros-5000", repeat("0", 5000)],
  ["float-5000-digits", `${repeat("1", 5000)}.5`],
  ["strings-100000", repeat('"a"', 100_000, " ")],
  ["tuple-100000", `(${repeat("1, ", 100_000)})`],
  ["string-1MB", `"${repeat("a", 1024 * 1024)}"`],
  // Python's whitespace, not JavaScript's: the tokenizer skips spaces, tabs and form feeds only;
  // int() skips str.isspace() characters but U+001C..U+001F (and never U+FEFF)
  ...["\f", "\v", "\x1c", "\x85", "\xa0", "\u3000", "\ufeff"].flatMap((space): [string, string][] => {
    const name = space.charCodeAt(0).toString(16).padStart(4, "0");
    return [
      [`between-tokens-u${name}`, `1${space}== 1`],
      [`int-around-digits-u${name}`, `int('${space}12${space}') == 12`],
    ];
  }),
];

let work: string;
const references = new Map<string, { ok: boolean; error?: string; sections?: Record<string, unknown> }>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "autowatch-conditions-"));
  mkdirSync(join(work, "home"));
  const input = CASES.map(([name, expression]) => {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "buildout.cfg"), `[buildout]\nparts =\n[s: ${expression}]\nx = 1\n`);
    return { name, dir, config: "buildout.cfg", overrides: [], userDefaults: false, env: { HOME: join(work, "home") } };
  });
  const run = spawnSync(REFERENCE_PYTHON, [driver], {
    input: JSON.stringify(input),
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  if (run.status !== 0) throw new Error(`the zc.buildout driver failed (${run.status}): ${run.stderr || run.error}`);
  for (const line of run.stdout.split("\n").filter(Boolean)) {
    const reference = JSON.parse(line) as { name: string; ok: boolean; error?: string; sections?: Record<string, unknown> };
    references.set(reference.name, reference);
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("conditional sections at Python's limits: conformance with zc.buildout", () => {
  for (const [name] of CASES) {
    it(name, async () => {
      const reference = references.get(name);
      expect(reference, "zc.buildout produced no result for this case").toBeDefined();
      const dir = join(work, name);
      const ours = await resolveBuildout({ config: "buildout.cfg", cwd: dir, noUserDefaults: true, env: { HOME: join(work, "home") } });
      expect(ours.ok, reference!.ok ? "zc.buildout accepts it" : `zc.buildout refuses it: ${reference!.error}`).toBe(reference!.ok);
      if (ours.ok) expect("s" in ours.sections).toBe("s" in reference!.sections!);
      else expect(ours.error).toMatchObject({ file: join(dir, "buildout.cfg"), line: 3 });
    });
  }
});
