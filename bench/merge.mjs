// 1. merge at farm scale. Floor: in this same process, read every input file and JSON.parse it,
// nothing else. Measured: a one-shot merge (cron) and re-merges with a memo (merge --follow),
// each whole (manifests, validation, state written). Peak RSS: the real CLI in a child process
// under GNU time, and a follow process.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { churnWatchFiles, farm } from "./gen/farm.mjs";
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
/** Watch files new before each re-merge: 100 at 10,000 builders, uploads of a busy farm within one debounce window. */
const NEW_FRACTION = 0.01;
const BUSY_FRACTION = 0.05;
/** The follow process measured for peak RSS: its first merge and 9 re-merges. */
const FOLLOW_RSS_MERGES = 10;
const FOLLOW_WAIT_MS = 5 * 60 * 1000;

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

function mergeInProcess(runMerge, input, output, memo) {
  return runMerge({ manifests: [input.manifest], watchDir: input.watchDir, output, memo });
}

/**
 * Peak RSS of the real `autowatch merge --follow` process: its first merge, then `merges - 1`
 * re-merges, each after `newFiles` watch files are new; read from /proc (VmHWM, the peak RSS
 * GNU time reports too) before it is stopped by SIGTERM.
 */
async function followProcessRss(cli, input, output, builders, newFiles, merges, firstRound) {
  const args = [cli, "merge", "--follow", "--debounce", "300", "--manifest", input.manifest, "--watch-dir", input.watchDir, "-o", output];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  let merged = 0;
  let log = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    log += chunk;
    merged = log.split("\n").filter((line) => line.includes(" re-merged: ")).length;
  });
  const mergedAtLeast = async (count) => {
    const deadline = Date.now() + FOLLOW_WAIT_MS;
    while (merged < count) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`merge --follow: ${merged} of ${count} merges seen (${firstLines(log, 3)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    await mergedAtLeast(1);
    for (let merge = 1; merge < merges; merge += 1) {
      churnWatchFiles(input.watchDir, builders, newFiles, firstRound + merge);
      await mergedAtLeast(merge + 1);
    }
    const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
    child.kill("SIGTERM");
    const status = await exited;
    if (status !== 0) throw new Error(`merge --follow exited with ${status} after SIGTERM (${firstLines(log, 3)})`);
    return { mib: peak ? round(Number(peak[1]) / 1024, 1) : Number.NaN, merges: merged };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/** New watch files before each re-merge: `fraction` of the builders, at least one. */
function newFilesFor(builders, fraction) {
  return Math.max(1, Math.round(builders * fraction));
}

export const mergeBench = {
  id: "merge",
  title: "merge at farm scale (one-shot and --follow re-merges vs read+JSON.parse floor; peak RSS)",
  async run({ quick, runs: runsOverride, log }) {
    const { runMerge, MergeMemo } = await importDist("merge", ["runMerge", "MergeMemo"]);
    const cli = requireCli();
    const sizes = quick ? QUICK_SIZES : SIZES;
    // a 10,000-builder merge takes seconds on a loaded machine: fewer runs there
    const runsFor = (builders) => runsOverride ?? (quick ? 3 : builders >= 10_000 ? 5 : 7);
    const rssRunsFor = (builders) => (quick || builders >= 10_000 ? 1 : 3);
    const rows = [];
    const measured = [];
    const profiles = [];
    const extraTables = [];
    for (const builders of sizes) {
      const generated = await farm(builders);
      log(`${builders} builders: farm ${generated.reused ? "reused" : "generated"} in ${generated.dir}`);
      const work = mkdtempSync(join(tmpdir(), "autowatch-bench-merge-"));
      try {
        // a copy: re-merges need watch files that change between runs; the cached farm stays as generated
        const input = { manifest: join(work, "MANIFEST.cfg"), watchDir: join(work, "watch") };
        cpSync(generated.manifest, input.manifest);
        cpSync(generated.watchDir, input.watchDir, { recursive: true });
        const output = join(work, "state.json");
        mkdirSync(join(work, "follow"));
        const followOutput = join(work, "follow", "state.json");
        const floorRun = async () => (fullGc(), (await timed(() => readAndParseAll(input))).ms);
        const oneShot = await interleave(
          [
            { name: "floor", run: floorRun },
            { name: "merge", run: async () => (fullGc(), (await timed(() => mergeInProcess(runMerge, input, output))).ms) },
          ],
          { runs: runsFor(builders), warmup: 1 },
        );
        // then, apart, the re-merges: the memo's results stay in this heap and would slow the
        // collections of the one-shot merges (and it is part of the floor's heap here, as it is
        // in a follow process)
        let memo = new MergeMemo();
        let round = 0;
        // what \`merge --follow\` does after a burst of uploads: some files new, then a re-merge
        const reMerge = (fraction) => async () => {
          round += 1;
          churnWatchFiles(input.watchDir, builders, newFilesFor(builders, fraction), round);
          fullGc();
          return (await timed(() => mergeInProcess(runMerge, input, followOutput, memo))).ms;
        };
        // the follow process's first merge: everything merged once
        await mergeInProcess(runMerge, input, followOutput, memo);
        const following = await interleave(
          [
            { name: "floor", run: floorRun },
            { name: "follow", run: reMerge(NEW_FRACTION) },
            { name: "busy", run: reMerge(BUSY_FRACTION) },
          ],
          { runs: runsFor(builders), warmup: 1 },
        );
        const samples = { floor: oneShot.floor, merge: oneShot.merge, followFloor: following.floor, follow: following.follow, busy: following.busy };
        const rss = peakRss(cli, input, output, rssRunsFor(builders), log);
        const follow = await followProcessRss(
          cli,
          input,
          join(work, "follow-rss-state.json"),
          builders,
          newFilesFor(builders, NEW_FRACTION),
          FOLLOW_RSS_MERGES,
          1_000,
        );
        const floor = median(samples.floor);
        const followFloor = median(samples.followFloor);
        if (builders === sizes[sizes.length - 1] && median(samples.follow) > FLOOR_LIMIT * followFloor) {
          log("re-merge/floor over the limit: profiling one more re-merge");
          round += 1;
          churnWatchFiles(input.watchDir, builders, newFilesFor(builders, NEW_FRACTION), round);
          fullGc();
          const profile = await profileInProcess(() => mergeInProcess(runMerge, input, followOutput, memo));
          profiles.push({ title: `re-merge with a memo at ${builders.toLocaleString("en-US")} builders (in-process)`, ...profile });
          // the stages below are one-shot: the memo's heap would only slow their collections
          memo = new MergeMemo();
          log("timing each stage of a one-shot merge alone");
          extraTables.push({
            title: `Stages of a one-shot merge at ${builders.toLocaleString("en-US")} builders: exported functions, each run alone (target missed)`,
            ...(await mergeStages(input, output, floor, profile.seen)),
          });
        }
        const row = {
          builders,
          files: builders,
          newFiles: newFilesFor(builders, NEW_FRACTION),
          busyNewFiles: newFilesFor(builders, BUSY_FRACTION),
          floorMs: summary(samples.floor),
          mergeMs: summary(samples.merge),
          ratio: ratio(median(samples.merge), floor),
          followFloorMs: summary(samples.followFloor),
          followMs: summary(samples.follow),
          followRatio: ratio(median(samples.follow), followFloor),
          busyMs: summary(samples.busy),
          busyRatio: ratio(median(samples.busy), followFloor),
          rssOf: rss.of,
          processMs: rss.ms,
          peakRssMiB: rss.mib,
          followPeakRssMiB: follow.mib,
        };
        measured.push(row);
        rows.push([
          builders.toLocaleString("en-US"),
          row.floorMs.median,
          row.mergeMs.median,
          row.ratio,
          row.followFloorMs.median,
          `${row.followMs.median} (${row.newFiles} new)`,
          row.followRatio,
          `${row.busyMs.median} (${row.busyNewFiles} new)`,
          row.busyRatio,
          row.processMs,
          row.peakRssMiB,
          row.followPeakRssMiB,
        ]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    const largest = measured[measured.length - 1];
    const previous = measured[measured.length - 2];
    const growth = ratio(largest.mergeMs.median, previous.mergeMs.median);
    const followGrowth = ratio(largest.followMs.median, previous.followMs.median);
    const floorGrowth = ratio(largest.floorMs.median, previous.floorMs.median);
    const followFloorGrowth = ratio(largest.followFloorMs.median, previous.followFloorMs.median);
    // Sizes are measured minutes apart, and this machine's speed drifts by tens of percent in
    // that time (the floor, linear by construction, has grown 9× to 15× for 10× the files).
    // Growth is therefore judged per unit of floor work: the growth of merge/floor, times the
    // builders' scale. Raw growth is kept beside it.
    const perFloor = (merge, floor) => round((merge / floor) * (largest.builders / previous.builders), 3);
    const scale = largest.builders / previous.builders;
    const at = `at ${largest.builders.toLocaleString("en-US")} builders`;
    const growthLimit = round((GROWTH_LIMIT * scale) / 10, 2);
    const span = `${previous.builders.toLocaleString("en-US")} → ${largest.builders.toLocaleString("en-US")} builders (${scale}× builders)`;
    return {
      description:
        `Generated farms (${sizes.map((size) => size.toLocaleString("en-US")).join(", ")} builders; 20 watches per builder; 5% broken files; one MANIFEST.cfg with a section per builder), copied to a work directory. ` +
        `Floor: in the same process, read the manifest and every watch file and JSON.parse it, nothing else. ` +
        `One-shot merge: \`runMerge\` from the built @autowatch/merge without a memo (what \`autowatch merge\` from cron does), manifests + validation + state written, against an existing state. ` +
        `Re-merge: what \`autowatch merge --follow\` does after a burst of uploads: ${pct(NEW_FRACTION)} of the builders (at least one) get a new watch file with other branches and repositories (so the state changes), then \`runMerge\` with the process's \`MergeMemo\` (every file is still listed, read and compared by sha256; only changed builders are validated and merged again; the state is rendered and written). "Busy": the same with ${pct(BUSY_FRACTION)} new files. ` +
        `Two phases, each interleaved with the floor, ${sizes.map(runsFor).join("/")} runs each (by size) after a warm-up, full GC before each run; medians: first the floor and one-shot merges, then the floor and re-merges with the memo alive in the heap (as in a follow process); each ratio uses the floor of its phase. ` +
        `Growth from one size to the next is judged per unit of floor work: (merge growth ÷ floor growth) × the builders' scale, because sizes are measured minutes apart on a machine whose speed drifts (the raw growths are in the target lines). ` +
        `Peak RSS: \`autowatch merge\` (packages/cli/dist/index.js) as a whole process under GNU time, one-shot on the steady-state state file (median of ${sizes.map(rssRunsFor).join("/")} runs by size; "process ms" is that process's wall time); ` +
        `and the real \`autowatch merge --follow\` process (VmHWM from /proc): its first merge and ${FOLLOW_RSS_MERGES - 1} re-merges, each after ${pct(NEW_FRACTION)} of the watch files are new, then SIGTERM.`,
      params: {
        sizes,
        runs: sizes.map(runsFor),
        rssRuns: sizes.map(rssRunsFor),
        watchesPerBuilder: 20,
        brokenRatio: 0.05,
        newFraction: NEW_FRACTION,
        busyFraction: BUSY_FRACTION,
        followRssMerges: FOLLOW_RSS_MERGES,
      },
      measured,
      profiles,
      extraTables,
      growth: {
        from: previous.builders,
        to: largest.builders,
        merge: growth,
        follow: followGrowth,
        floor: floorGrowth,
        followFloor: followFloorGrowth,
        mergePerFloor: perFloor(growth, floorGrowth),
        followPerFloor: perFloor(followGrowth, followFloorGrowth),
      },
      table: {
        columns: [
          "builders",
          "floor ms",
          "one-shot ms",
          "one-shot/floor",
          "floor ms (follow phase)",
          `re-merge ms (${pct(NEW_FRACTION)} new)`,
          "re-merge/floor",
          `busy re-merge ms (${pct(BUSY_FRACTION)} new)`,
          "busy/floor",
          "one-shot process ms",
          "one-shot peak RSS MiB",
          "follow peak RSS MiB",
        ],
        rows,
      },
      targets: [
        atMost(`re-merge (--follow, ${pct(NEW_FRACTION)} of watch files new)/floor ${at}`, largest.followRatio, FLOOR_LIMIT),
        atMost(
          `one-shot merge time growth ${span}, per unit of floor work (raw ${growth}×, floor ${floorGrowth}×)`,
          perFloor(growth, floorGrowth),
          growthLimit,
        ),
        atMost(
          `re-merge time growth ${span}, per unit of floor work (raw ${followGrowth}×, floor ${followFloorGrowth}×)`,
          perFloor(followGrowth, followFloorGrowth),
          growthLimit,
        ),
        atMost(`peak RSS of a one-shot merge process (${largest.rssOf}) ${at}`, largest.peakRssMiB, RSS_LIMIT_MIB, " MiB"),
        atMost(`peak RSS of an \`autowatch merge --follow\` process (${FOLLOW_RSS_MERGES} merges) ${at}`, largest.followPeakRssMiB, RSS_LIMIT_MIB, " MiB"),
      ],
    };
  },
};

function pct(fraction) {
  return `${round(fraction * 100, 1)}%`;
}
