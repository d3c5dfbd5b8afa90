/**
 * Conformance of our resolver with zc.buildout itself: every case under conformance/cases
 * is resolved by Debian's zc.buildout (conformance/driver.py, one Python process for all
 * cases) and by resolveBuildout, on the same copy of the files.
 *
 * Comparison rule (exact, no normalisation of values):
 * - both fail, or both succeed (a case.json may insist that it fails: "fails": true);
 * - the same sections; in each, the same options with byte-identical values;
 * - options zc.buildout could not resolve in a section nothing uses are the ones we flag
 *   with `error`; references only a recipe computes are the ones we flag as `unresolved`;
 * - the file each value comes from (zc.buildout's annotation) is ours, paths normalised.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveBuildout } from "../../src/resolve/index.js";
import { pyRstrip } from "@autowatch/watchfile/text";
import type { ResolvedSections } from "../../src/types.js";

const here = fileURLToPath(new URL("./conformance/", import.meta.url));
const REFERENCE_PYTHON = "/usr/bin/python3";

interface CaseSpec {
  config?: string;
  overrides?: string[];
  /** Directory of the case used as $BUILDOUT_HOME (user defaults). */
  home?: string;
  /** Directory of the case used as $HOME, with $BUILDOUT_HOME unset (~/.buildout/default.cfg). */
  userHome?: string;
  noUserDefaults?: boolean;
  fails?: boolean;
  /** The file (relative to the case) and line our error must name. */
  errorFile?: string;
  errorLine?: number;
}

interface Reference {
  name: string;
  ok: boolean;
  error?: string;
  sections?: Record<string, Record<string, string>>;
  sectionErrors?: Record<string, { error: string; options: Record<string, string> }>;
  origins?: Record<string, Record<string, string>>;
  unresolved?: [string, string][];
  executable: string;
  buildoutVersion: string;
  pythonVersion: string;
}

/** `record[key]` when it is the record's own key (JSON keeps `__proto__` as an own key). */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

const caseNames = readdirSync(join(here, "cases")).sort();
let work: string;
const references = new Map<string, Reference>();

function spec(name: string): CaseSpec {
  const file = join(here, "cases", name, "case.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as CaseSpec) : {};
}

function environment(name: string): Record<string, string> {
  const { home, userHome } = spec(name);
  if (userHome) return { HOME: join(work, "cases", name, userHome) };
  return { HOME: join(work, "no-home"), BUILDOUT_HOME: home ? join(work, "cases", name, home) : join(work, "no-buildout-home") };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "autowatch-conformance-"));
  cpSync(join(here, "cases"), join(work, "cases"), { recursive: true });
  mkdirSync(join(work, "no-home"));
  mkdirSync(join(work, "no-buildout-home"));
  const input = caseNames.map((name) => {
    const s = spec(name);
    return {
      name,
      dir: join(work, "cases", name),
      config: s.config ?? "buildout.cfg",
      overrides: s.overrides ?? [],
      userDefaults: !s.noUserDefaults,
      env: environment(name),
    };
  });
  const run = spawnSync(REFERENCE_PYTHON, [join(here, "driver.py")], {
    input: JSON.stringify(input),
    encoding: "utf8",
    timeout: 120_000,
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  if (run.status !== 0) throw new Error(`the zc.buildout driver failed (${run.status}): ${run.stderr || run.error}`);
  for (const line of run.stdout.split("\n").filter(Boolean)) {
    const reference = JSON.parse(line) as Reference;
    references.set(reference.name, reference);
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function normalizeSource(source: string, caseDir: string): string {
  return source.startsWith("/") ? normalize(source) : /^[a-z]+:\/\//.test(source) ? source : normalize(join(caseDir, source));
}

/** Options whose value zc.buildout computes from what is written (directories made absolute). */
const REWRITTEN = /-directory$|^(installed|download-cache|extends-cache)$/;

/**
 * Per-line origins point at the line the text was taken from: one origin per value line, and
 * a line written without `${` ends with the value's line (values are stripped and dedented).
 */
function checkLineOrigins(sections: ResolvedSections): void {
  const files = new Map<string, string[]>();
  const fileLines = (file: string) => {
    let lines = files.get(file);
    if (!lines) files.set(file, (lines = readFileSync(file, "utf8").split(/\r\n|\r|\n/)));
    return lines;
  };
  for (const [section, options] of Object.entries(sections)) {
    for (const [name, option] of Object.entries(options)) {
      if (!option.lines) continue;
      const values = option.value.split("\n");
      expect(option.lines, `lines of ${section}:${name}`).toHaveLength(values.length);
      if (section === "buildout" && REWRITTEN.test(name)) continue;
      option.lines.forEach((at, index) => {
        if (!at?.line || /^[a-z]+:\/\//.test(at.file)) return;
        const written = pyRstrip(fileLines(at.file)[at.line - 1] ?? "");
        if (!written.includes("${")) expect(written.endsWith(values[index]!), `${section}:${name} line ${index} at ${at.file}:${at.line}`).toBe(true);
      });
    }
  }
}

describe("resolve: conformance with zc.buildout", () => {
  it("has enough cases", () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(60);
  });

  for (const name of caseNames) {
    it(name, async () => {
      const s = spec(name);
      const reference = references.get(name);
      expect(reference, "zc.buildout produced no result for this case").toBeDefined();
      const caseDir = join(work, "cases", name);
      const ours = await resolveBuildout({
        config: s.config ?? "buildout.cfg",
        cwd: caseDir,
        overrides: s.overrides ?? [],
        env: environment(name),
        noUserDefaults: Boolean(s.noUserDefaults),
        executable: reference!.executable,
        pythonVersion: reference!.pythonVersion,
        buildoutVersion: reference!.buildoutVersion,
      });
      if (s.fails) expect(reference!.ok, `zc.buildout was expected to fail`).toBe(false);
      if (!reference!.ok) {
        expect(ours.ok, `zc.buildout failed with: ${reference!.error}`).toBe(false);
        if (!ours.ok) {
          expect(ours.error.message).not.toBe("");
          if (s.errorFile) expect(ours.error.file).toBe(join(caseDir, s.errorFile));
          if (s.errorLine !== undefined) expect(ours.error.line).toBe(s.errorLine);
        }
        return;
      }
      if (!ours.ok) throw new Error(`we failed where zc.buildout did not: ${ours.error.file}:${ours.error.line}: ${ours.error.message}`);

      const expected = reference!.sections!;
      expect(Object.keys(ours.sections).sort()).toEqual(Object.keys(expected).sort());
      const unresolved = new Set<string>();
      for (const [section, options] of Object.entries(expected)) {
        const mine = own(ours.sections, section)!;
        // own keys only: sections may be named like Object.prototype members (__proto__, constructor)
        const errors = own(reference!.sectionErrors, section);
        const values = Object.fromEntries(
          Object.entries(mine)
            .filter(([, o]) => !o.error)
            .map(([k, o]) => [k, o.value]),
        );
        expect(values, `[${section}]`).toEqual(options);
        const failed = Object.entries(mine)
          .filter(([, o]) => o.error)
          .map(([k]) => k)
          .sort();
        if (errors?.options["<"]) expect(mine).toEqual({});
        else expect(failed, `[${section}] options zc.buildout could not resolve`).toEqual(Object.keys(errors?.options ?? {}).sort());
        for (const option of Object.values(mine)) for (const u of option.unresolved ?? []) unresolved.add(u);
        for (const [option, source] of Object.entries(own(reference!.origins, section) ?? {})) {
          const mineOption = own(mine, option);
          if (!mineOption) continue;
          expect(normalizeSource(mineOption.origin.file, caseDir), `origin of ${section}:${option}`).toBe(normalizeSource(source, caseDir));
        }
      }
      expect([...unresolved].sort()).toEqual(reference!.unresolved!.map(([sec, opt]) => `\${${sec}:${opt}}`).sort());
      checkLineOrigins(ours.sections);
    });
  }
});
