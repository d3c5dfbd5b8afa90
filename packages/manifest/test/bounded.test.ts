/**
 * Bounded on every input (issue 16): the MANIFEST.cfg reader on long runs of the characters
 * that make patterns backtrack, inherit chains and cycles, `%(x)s` fan-out; timed at n, 2n, 4n.
 */
import { describe, expect, it } from "vitest";
import { parseManifests } from "../src/index.js";
import { MAX_INHERIT_CHAIN } from "../src/inherit.js";
import { expectLinear, itIsLinearOnRuns, WORST_RUNS as WORST } from "../../../tests/support/scaling.js";

const MB = 1024 * 1024;
const parse = (text: string) => parseManifests([{ file: "MANIFEST.cfg", text }]);

const SHAPES: Record<string, (run: string) => string> = {
  "inside a value": (run) => `[b]\nx = a${run}b\n`,
  "at the end of a value": (run) => `[b]\nx = a${run}\n`,
  "in a continuation line": (run) => `[b]\nwatch = git u b\n  a${run}b\n\n  c\n`,
  "in a header": (run) => `[a${run}x\n[b]\nx = 1\n`,
  "in an option name": (run) => `[b]\nx${run}y\n`,
  "after %(": (run) => `[b]\nx = %(${run}\n`,
  "in a reference": (run) => `[b]\ny = 1\nx = %(${run}y)s\n`,
  "in the watch option": (run) => `[b]\nwatch = git ${run} b\n`,
};

describe("manifest reader: no catastrophic backtracking", () => {
  itIsLinearOnRuns(SHAPES, WORST, (manifest) => () => parse(manifest));

  it("reads 1 MB of each worst character in each place, problems with a line and no raw control character", () => {
    for (const [shape, text] of Object.entries(SHAPES)) {
      for (const char of WORST.concat(["\u001b", "\u0085"])) {
        const result = parse(text(char.repeat(MB)));
        for (const problem of result.problems) {
          expect(problem.line, shape).toBeGreaterThan(0);
          expect(problem.message.length, shape).toBeLessThan(2000);
          expect(problem.message, shape).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        }
      }
    }
  });
});

describe("manifest resolver: linear time", () => {
  it("inherit chains, one distinct option per section", async () => {
    await expectLinear("inherit chain", 250, (n) => {
      const text = Array.from({ length: n }, (_, i) => `[s${i}]\n${i + 1 < n ? `inherit = s${i + 1}\n` : ""}o${i} = ${i}\n`).join("");
      return () => parse(text);
    });
    const long = parse(Array.from({ length: 100 }, (_, i) => `[s${i}]\n${i + 1 < 100 ? `inherit = s${i + 1}\n` : ""}o${i} = ${i}\n`).join(""));
    expect(long.factories[0]!.inherits).toHaveLength(MAX_INHERIT_CHAIN - 1);
    expect(long.problems[0]).toMatchObject({ level: "error", code: "manifest.inherit.limit", line: 2 });
    expect(long.problems[0]!.message).toMatch(
      /inherit chain longer than 64 sections \("s0" -> "s1" .*\(\d+ more\) -> \.\.\.\): options are inherited from the first 64 only/,
    );
  });

  it("an inherit cycle through many sections", async () => {
    await expectLinear("inherit cycle", 250, (n) => {
      const text = Array.from({ length: n }, (_, i) => `[s${i}]\ninherit = s${(i + 1) % n}\nwatch = git u${i} b\n`).join("");
      return () => parse(text);
    });
    const cycle = parse(Array.from({ length: 2000 }, (_, i) => `[s${i}]\ninherit = s${(i + 1) % 2000}\n`).join(""));
    expect(cycle.problems).toHaveLength(2000);
    expect(cycle.problems.every((p) => p.code === "manifest.inherit.limit")).toBe(true);
    expect(cycle.problems[0]!.message).toMatch(/^section "s0": inherit cycle of 2000 sections/);
    const short = parse("[a]\ninherit = b\n[b]\ninherit = a\n");
    expect(short.problems.map((p) => p.code)).toEqual(["manifest.inherit.cycle", "manifest.inherit.cycle"]);
    expect(short.problems.map((p) => p.message)).toEqual([
      'section "a": inherit cycle "a" -> "b" -> "a": each section of the cycle is used once',
      'section "b": inherit cycle "b" -> "a" -> "b": each section of the cycle is used once',
    ]);
  });

  it("%(x)s fan-out: each name expanded once per level, not width^levels times", async () => {
    // 9 levels, each option referring `width` times to the one below; an empty leaf
    await expectLinear("%(x)s fan-out", 4, (width) => {
      const lines = ["[s]", "l0 ="];
      for (let level = 1; level <= 9; level++) lines.push(`l${level} = ${`%(l${level - 1})s`.repeat(width)}`);
      const text = `${lines.join("\n")}\nwatch = git u%(l9)s b\n`;
      return () => expect(parse(text).factories[0]!.watches).toHaveLength(1);
    });
  });
});
