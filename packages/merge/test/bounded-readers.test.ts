/**
 * Bounded on every input (issue 16): rewrite files and watch files on 1 MB runs of the
 * characters that make patterns backtrack, timed at n, 2n and 4n.
 */
import { describe, expect, it } from "vitest";
import { parseWatchFile } from "@autowatch/watchfile";
import { parseRewriteFile } from "../src/index.js";
import { itIsLinearOnRuns, WORST_RUNS } from "../../../tests/support/scaling.js";

const MB = 1024 * 1024;
const WORST = [...WORST_RUNS, "=", "\u001b"];

const REWRITE_SHAPES: Record<string, (run: string) => string> = {
  "in FROM": (run) => `https://a${run}b=https://c\n`,
  "between FROM and TO": (run) => `https://a${run}https://c\n`,
  "at the end of TO": (run) => `https://a=https://c${run}\n`,
  "in a comment": (run) => `# ${run}\nhttps://a=https://c\n`,
};

const WATCH_SHAPES: Record<string, (run: string) => string> = {
  "inside a string": (run) => `{"schema": "autowatch.watchfile/2", "builder": "b${run}", "watches": []}`,
  "between tokens": (run) => `{"schema": "autowatch.watchfile/2",${run}"builder": "b", "watches": []}`,
  unterminated: (run) => `{"schema": "autowatch.watchfile/2", "builder": "b", "watches": [${run}`,
  "in a URL": (run) => `{"schema": "autowatch.watchfile/2", "builder": "b", "watches": [{"vcs": "git", "url": "https://a${run}", "revspec": "main"}]}`,
};

describe("rewrite files: no catastrophic backtracking", () => {
  itIsLinearOnRuns(REWRITE_SHAPES, WORST, (rules) => () => parseRewriteFile(rules, "rules.txt"));

  it("1 MB of each: problems name the line and hold no raw control character", () => {
    for (const [shape, text] of Object.entries(REWRITE_SHAPES)) {
      for (const char of WORST) {
        const { problems } = parseRewriteFile(text(char.repeat(MB)), "rules.txt");
        for (const problem of problems) {
          expect(problem.line, shape).toBeGreaterThan(0);
          expect(problem.message, shape).not.toMatch(/[\u0000-\u001f]/);
        }
      }
    }
  });
});

describe("watch files: no catastrophic backtracking", () => {
  itIsLinearOnRuns(WATCH_SHAPES, WORST, (file) => () => parseWatchFile(file, { maxBytes: 16 * MB }));
});
