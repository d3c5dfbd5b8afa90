// 1. merge at farm scale. Floor: in this same process, read every input file and JSON.parse it,
// nothing else. Measured: the whole in-process merge (manifests, validation, state written).
// Peak RSS: the real CLI in a child process under GNU time.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { farm } from "./gen/farm.mjs";
import { profileInProcess } from "./lib/cpuprofile.mjs";
import { fullGc } from "./lib/gc.mjs";
import { mergeStages } from "./merge-stages.mjs";
import { BENCH_DIR, importDist, requireCli } from "./lib/paths.mjs";
import { firstLines, peakRssMiB } from "./lib/proc.mjs";
import { interleave, median, ratio, round, summary, timed } from "./lib/stats.mjs";
import { atMost } from "./lib/targets.mjs";

const SIZES = [100, 1_000, 10_000];
const QUICK_SIZES = [100, 1_000];
const FLOOR_LIMIT = 2;
const GROWTH_LIMIT = 11;
const RSS_LIMIT_MIB = 300;

/** The floor: read every file the merge has to read and JSON.parse the watch files. */
export function readAndParseAll({ manifest, watchDir }) {
  let bytes = readFileSync(manifest, "utf8").length;
  let parsed = 0;
  for (const name of readdirSync(watchDir)) {
    const text = readFileSync(join(watchDir, name), "utf8");
    bytes += text.length;
    try {
      JSON.parse(text);
      parsed += 1;
    } catch {
      // broken files cost their read and a failed parse, like in the merge
    }
  }
  return { bytes, parsed };
}

/**
 * Peak RSS of a whole merge process: `autowatch merge` when the built CLI has it, else one
 * runMerge in a fresh process (bench/merge-child.mjs); medians of `runs`.
 */
function peakRss(cli, input, output, runs, log) {
  // the same state file as the in-process runs: the steady state of an hourly merge
  const cliArgs = [cli, "merge", "--manifest", input.manifest, "--watch-dir", input.watchDir, "-o", output];
  let of = "autowatch merge";
  let measured = Array.from({ length: runs }, () => peakRssMiB(process.execPath, cliArgs, { allowFailure: true }));
  const failed = measured.find((run) => run.status !== 0);
  if (failed) {
    log(`autowatch merge exited ${failed.status} (${firstLines(failed.stderr, 2)}): measuring runMerge in a child process instead`);
    of = "runMerge in a child";
    const childArgs = [join(BENCH_DIR, "merge-child.mjs"), input.manifest, input.watchDir, output];
    measured = Array.from({ length: runs }, () => peakRssMiB(process.execPath, childArgs));
  }
  return { of, ms: round(median(measured.map((run) => run.ms))), mib: round(median(measured.map((run) => run.mib)), 1) };
}

async function mergeInProcess(runMerge, input, output) {
  const result = await runMerge({ manifests: [input.manifest], watchDir: input.watchDir, output });
  return result;
}

export const mergeBench = {
  id: "merge",
  title: "merge at farm scale (in-process vs read+JSON.parse floor; CLI peak RSS)",
  async run({ quick, runs: runsOverride, log }) {
    const { runMerge } = await importDist("merge", ["runMerge"]);
    const cli = requireCli();
    const sizes = quick ? QUICK_SIZES : SIZES;
    // a 10,000-builder merge takes tens of seconds on a loaded machine: fewer runs there
    const runsFor = (builders) => runsOverride ?? (quick ? 3 : builders >= 10_000 ? 3 : 7);
    const rssRunsFor = (builders) => (quick || builders >= 10_000 ? 1 : 3);
    const rows = [];
    const measured = [];
    const profiles = [];
    const extraTables = [];
    for (const builders of sizes) {
      const input = await farm(builders);
      log(`${builders} builders: farm ${input.reused ? "reused" : "generated"} in ${input.dir}`);
      const work = mkdtempSync(join(tmpdir(), "autowatch-bench-merge-"));
      const output = join(work, "state.json");
      try {
        const samples = await interleave(
          [
            { name: "floor", run: async () => (fullGc(), (await timed(() => readAndParseAll(input))).ms) },
            { name: "merge", run: async () => (fullGc(), (await timed(() => mergeInProcess(runMerge, input, output))).ms) },
          ],
          { runs: runsFor(builders), warmup: 1 },
        );
        const rss = peakRss(cli, input, output, rssRunsFor(builders), log);
        if (builders === sizes[sizes.length - 1] && median(samples.merge) > FLOOR_LIMIT * median(samples.floor)) {
          log("merge/floor over the limit: profiling one more merge");
          fullGc();
          const profile = await profileInProcess(() => mergeInProcess(runMerge, input, output));
          profiles.push({ title: `runMerge at ${builders.toLocaleString("en-US")} builders (in-process, steady state)`, ...profile });
          log("timing each stage of the merge alone");
          extraTables.push({ title: `Stages of the merge at ${builders.toLocaleString("en-US")} builders: exported functions, each run alone (target missed)`, ...(await mergeStages(input, output, median(samples.floor), profile.seen)) });
        }
        const floor = median(samples.floor);
        const merge = median(samples.merge);
        const row = {
          builders,
          files: builders,
          floorMs: summary(samples.floor),
          mergeMs: summary(samples.merge),
          ratio: ratio(merge, floor),
          rssOf: rss.of,
          processMs: rss.ms,
          peakRssMiB: rss.mib,
        };
        measured.push(row);
        rows.push([builders.toLocaleString("en-US"), row.floorMs.median, row.mergeMs.median, row.ratio, row.processMs, row.peakRssMiB, row.rssOf]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    const largest = measured[measured.length - 1];
    const previous = measured[measured.length - 2];
    const growth = ratio(largest.mergeMs.median, previous.mergeMs.median);
    const floorGrowth = ratio(largest.floorMs.median, previous.floorMs.median);
    const scale = largest.builders / previous.builders;
    return {
      description:
        `Generated farms (${sizes.map((size) => size.toLocaleString("en-US")).join(", ")} builders; 20 watches per builder; 5% broken files; one MANIFEST.cfg with a section per builder). ` +
        `Floor: in the same process, read the manifest and every watch file and JSON.parse it, nothing else. ` +
        `Merge: \`runMerge\` from the built @autowatch/merge, manifests + validation + state written, run against an existing state (steady state, as under an hourly cron). ` +
        `Both interleaved, ${sizes.map(runsFor).join("/")} runs each (by size) after a warm-up, full GC before each run; medians. ` +
        `Peak RSS: \`autowatch merge\` (packages/cli/dist/index.js) as a whole process under GNU time, on the same steady-state state file (or one runMerge in a fresh process when the CLI cannot merge) (median of ${sizes.map(rssRunsFor).join("/")} runs by size; "process ms" is that process's wall time).`,
      params: { sizes, runs: sizes.map(runsFor), rssRuns: sizes.map(rssRunsFor), watchesPerBuilder: 20, brokenRatio: 0.05 },
      measured,
      profiles,
      extraTables,
      growth: { from: previous.builders, to: largest.builders, merge: growth, floor: floorGrowth },
      table: {
        columns: ["builders", "floor ms", "merge ms", "merge/floor", "process ms", "peak RSS MiB", "process"],
        rows,
      },
      targets: [
        atMost(`merge/floor at ${largest.builders.toLocaleString("en-US")} builders`, largest.ratio, FLOOR_LIMIT),
        atMost(`merge time growth ${previous.builders.toLocaleString("en-US")} → ${largest.builders.toLocaleString("en-US")} builders (${scale}× builders)`, growth, round((GROWTH_LIMIT * scale) / 10, 2)),
        atMost(`peak RSS of the merge process (${largest.rssOf}) at ${largest.builders.toLocaleString("en-US")} builders`, largest.peakRssMiB, RSS_LIMIT_MIB, " MiB"),
      ],
    };
  },
};
