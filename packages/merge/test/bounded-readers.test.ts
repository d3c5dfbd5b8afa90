/**
 * Bounded on every input (issue 16): rewrite files and watch files on 1 MB runs of the
 * characters that make patterns backtrack, timed at n, 2n and 4n; a FIFO in place of a file the
 * merge keeps never blocks it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseWatchFile } from "@autowatch/watchfile";
import { parseRewriteFile, runMerge, type RunMergeOptions } from "../src/index.js";
import { makeFarm, manifestText, OCB, type Farm } from "./cache-farm.js";
import { git, NOW, watchFileText } from "./helpers.js";
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

describe("files the merge keeps beside the state: a FIFO in place of one never blocks it", () => {
  let root: string;
  let unblocker: ChildProcess | undefined;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-fifo-"));
  });
  afterEach(() => {
    unblocker?.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ["the state", (farm: Farm) => farm.a.output],
    ["the merge cache", (farm: Farm) => `${farm.a.output}.cache`],
    ["STATE.factories", (farm: Farm) => `${farm.a.output}.factories`],
    ["the last-good index", (farm: Farm) => join(farm.a.lastGoodDir, ".index.json")],
  ])(
    "%s: the merge goes on as without it, at once",
    async (_label, pathOf) => {
      const farm = makeFarm(root);
      writeFileSync(farm.manifest, manifestText({ extra: false, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" }));
      for (const builder of ["b01", "b02", "b07"]) writeFileSync(join(farm.watchDir, `${builder}.json`), watchFileText(builder, [git(OCB, "10.0")]));
      const options: RunMergeOptions = { manifests: [farm.manifest], watchDir: farm.watchDir, now: NOW, ...farm.a };
      await runMerge(options);
      const fifo = pathOf(farm);
      rmSync(fifo);
      execFileSync("mkfifo", [fifo]);
      // from 3 s on, the FIFO is opened read-write and closed again and again, which lets go each open
      // or read blocked on it: a merge that blocks then ends, after the marker is made, instead of hanging the run
      const marker = join(root, "let-go");
      unblocker = spawn("sh", ["-c", 'sleep 3; : > "$1"; while :; do exec 3<>"$0"; sleep 0.1; exec 3>&-; done', fifo, marker], { stdio: "ignore" });
      writeFileSync(join(farm.watchDir, "b02.json"), watchFileText("b02", [git(OCB, "11.0")]));
      const merged = await runMerge(options);
      expect(existsSync(marker), "the merge waited on the FIFO").toBe(false);
      // every builder watches what it would without the FIFO (a last-good index that cannot be read adds its warning)
      const fresh = await runMerge({ ...options, ...farm.b, cache: false });
      expect(merged.state.builders).toEqual(fresh.state.builders);
      expect(merged.state.pollers).toEqual(fresh.state.pollers);
    },
    15_000,
  );
});
