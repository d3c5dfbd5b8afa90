// 1. merge at farm scale, every variant a whole process, side by side in one run (issue 14's
// targets): the floor (node reads the same files and JSON.parses the watch files, nothing else),
// the cron merge (`autowatch merge -o STATE`) of an unchanged farm and with 1% of the watch files
// new, the seed system's merge re-encoded in Python 3 (bench/seed_merge.py) as a peer, and the
// re-merge of a running `autowatch merge --follow` process after 1% of the files are new.
// Peak RSS of each from GNU time (VmHWM from /proc for the follow process).
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { churnWatchFiles, farm } from "./gen/farm.mjs";
import { profileProcess } from "./lib/cpuprofile.mjs";
import { PYTHON } from "./lib/machine.mjs";
import { BENCH_DIR, requireCli } from "./lib/paths.mjs";
import { firstLines, peakRssMiB } from "./lib/proc.mjs";
import { interleave, ratio, round, summary } from "./lib/stats.mjs";
import { atLeast, atMost } from "./lib/targets.mjs";

export { readAndParseAll } from "./merge-floor.mjs";

const SIZES = [100, 1_000, 10_000];
const QUICK_SIZES = [100, 1_000];
/** Issue 14's targets, each a ratio to the floor measured in the same phase. */
const UNCHANGED_LIMIT = 1.0;
const NEW_LIMIT = 1.5;
const FOLLOW_LIMIT = 1.5;
const SEED_SLOWER_LIMIT = 4;
const RSS_LIMIT_MIB = 250;
/** Watch files new before a merge: 100 at 10,000 builders, an hour of uploads on a busy farm. */
const NEW_FRACTION = 0.01;
/** The follow process's quiet time before a re-merge: subtracted from the time it logs its merge. */
const DEBOUNCE_MS = 1000;
const FOLLOW_WAIT_MS = 5 * 60 * 1000;

/** One whole process under GNU time: wall ms (spawn to exit) and peak RSS. */
function measure(command, args) {
  const run = peakRssMiB(command, args);
  return { ms: run.ms, mib: run.mib };
}

/**
 * A running `autowatch merge --follow`: `reMerge()` makes `count` watch files new and resolves
 * to how long the re-merge took inside the process: the time of its "re-merged" log line
 * (the process's own clock, this machine's) minus the moment the last file was written and
 * the debounce it waits before merging.
 */
async function startFollow(cli, args) {
  const child = spawn(process.execPath, [cli, "merge", "--follow", "--debounce", String(DEBOUNCE_MS), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  let log = "";
  const merges = [];
  let waiting;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    log += chunk;
    const lines = log.split("\n");
    log = lines.pop();
    for (const line of lines) {
      const match = /^autowatch: (\S+) re-merged: /.exec(line);
      if (match) merges.push(Date.parse(match[1]));
    }
    if (waiting && merges.length >= waiting.count) waiting.resolve();
  });
  const mergedAtLeast = (count) =>
    new Promise((resolve, reject) => {
      if (merges.length >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`merge --follow: ${merges.length} of ${count} merges seen (${firstLines(log, 3)})`)), FOLLOW_WAIT_MS);
      waiting = {
        count,
        resolve: () => {
          clearTimeout(timer);
          waiting = undefined;
          resolve();
        },
      };
    });
  await mergedAtLeast(1);
  return {
    async reMerge(change) {
      for (let attempt = 1; ; attempt += 1) {
        const before = merges.length;
        change();
        const written = Date.now();
        await mergedAtLeast(before + 1);
        const ms = merges[before] - written - DEBOUNCE_MS;
        // quiet for a while: a second merge means the uploads were seen as two bursts (the
        // debounce fired while they were written), and the time is then not the re-merge's
        await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS + Math.max(ms, 0) + 200));
        if (merges.length === before + 1 && ms >= 0) return ms;
        if (attempt === 3) throw new Error(`merge --follow: ${merges.length - before} merges after one burst of uploads, ${ms} ms, 3 times`);
      }
    },
    async stop() {
      const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      child.kill("SIGTERM");
      const status = await exited;
      if (status !== 0) throw new Error(`merge --follow exited with ${status} after SIGTERM`);
      return { mib: peak ? Number(peak[1]) / 1024 : Number.NaN, merges: merges.length };
    },
    kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** New watch files before a merge: `fraction` of the builders, at least one. */
function newFilesFor(builders, fraction) {
  return Math.max(1, Math.round(builders * fraction));
}

function mibOf(samples) {
  return round(Math.max(...samples.map((sample) => sample.mib)), 1);
}

async function measureSize(builders, runs, cli, log) {
  const generated = await farm(builders);
  log(`${builders} builders: farm ${generated.reused ? "reused" : "generated"} in ${generated.dir}`);
  const work = mkdtempSync(join(tmpdir(), "autowatch-bench-merge-"));
  try {
    // a copy: files change between runs; the cached farm stays as generated
    const manifest = join(work, "MANIFEST.cfg");
    const watchDir = join(work, "watch");
    cpSync(generated.manifest, manifest);
    cpSync(generated.watchDir, watchDir, { recursive: true });
    mkdirSync(join(work, "cron"));
    mkdirSync(join(work, "follow"));
    const inputs = ["--manifest", manifest, "--watch-dir", watchDir];
    const newFiles = newFilesFor(builders, NEW_FRACTION);
    let churnRound = 0;
    const churn = () => churnWatchFiles(watchDir, builders, newFiles, (churnRound += 1));
    const cronArgs = [cli, "merge", ...inputs, "-o", join(work, "cron", "state.json"), "--quiet"];
    const floor = () => measure(process.execPath, [join(BENCH_DIR, "merge-floor.mjs"), watchDir, manifest]);
    // the cron merge's steady state: its state, last-good store and cache written by an earlier run
    measure(process.execPath, cronArgs);
    const cron = await interleave(
      [
        { name: "floor", run: floor },
        { name: "unchanged", run: () => measure(process.execPath, cronArgs) },
        { name: "new", run: () => (churn(), measure(process.execPath, cronArgs)) },
        { name: "seed", run: () => measure(PYTHON, [join(BENCH_DIR, "seed_merge.py"), watchDir, manifest]) },
      ],
      { runs, warmup: 1 },
    );
    // apart: a follow process re-merges whenever files change, and would run beside the others
    const follower = await startFollow(cli, [...inputs, "-o", join(work, "follow", "state.json")]);
    let followRss;
    let following;
    try {
      following = await interleave(
        [
          { name: "floor", run: floor },
          { name: "follow", run: async () => ({ ms: await follower.reMerge(churn), mib: Number.NaN }) },
        ],
        { runs, warmup: 1 },
      );
      followRss = await follower.stop();
    } finally {
      follower.kill();
    }
    let profile;
    const ms = (samples) => summary(samples.map((sample) => sample.ms));
    const row = {
      builders,
      newFiles,
      floorMs: ms(cron.floor),
      unchangedMs: ms(cron.unchanged),
      newMs: ms(cron.new),
      seedMs: ms(cron.seed),
      followFloorMs: ms(following.floor),
      followMs: ms(following.follow),
      floorRssMiB: mibOf(cron.floor),
      unchangedRssMiB: mibOf(cron.unchanged),
      newRssMiB: mibOf(cron.new),
      seedRssMiB: mibOf(cron.seed),
      followRssMiB: round(followRss.mib, 1),
    };
    row.unchangedRatio = ratio(row.unchangedMs.median, row.floorMs.median);
    row.newRatio = ratio(row.newMs.median, row.floorMs.median);
    row.seedRatio = ratio(row.seedMs.median, row.newMs.median);
    row.seedUnchangedRatio = ratio(row.seedMs.median, row.unchangedMs.median);
    row.followRatio = ratio(row.followMs.median, row.followFloorMs.median);
    if (row.newRatio > NEW_LIMIT || row.unchangedRatio > UNCHANGED_LIMIT) {
      log("cron merge over its target: profiling one more cron merge with 1% new");
      churn();
      profile = {
        title: `one cron merge process with ${newFiles} new watch files at ${builders.toLocaleString("en-US")} builders`,
        ...profileProcess(cronArgs),
      };
    }
    return { row, profile };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function tableRow(row) {
  return [
    row.builders.toLocaleString("en-US"),
    row.floorMs.median,
    row.unchangedMs.median,
    row.unchangedRatio,
    `${row.newMs.median} (${row.newFiles} new)`,
    row.newRatio,
    row.seedMs.median,
    row.seedRatio,
    row.followFloorMs.median,
    row.followMs.median,
    row.followRatio,
    `${row.floorRssMiB} / ${row.unchangedRssMiB} / ${row.newRssMiB} / ${row.followRssMiB} / ${row.seedRssMiB}`,
  ];
}

export const mergeBench = {
  id: "merge",
  title: "merge at farm scale, whole processes: cron merge (unchanged, 1% new), --follow re-merge, the seed system's merge in Python, vs the floor",
  async run({ quick, runs: runsOverride, log }) {
    const cli = requireCli();
    const sizes = quick ? QUICK_SIZES : SIZES;
    // 9 at 10,000 builders: a median of 5 moved by 10-20% between runs on a shared 2-core host
    const runsFor = (builders) => runsOverride ?? (quick ? 3 : builders >= 10_000 ? 9 : 7);
    const measured = [];
    const profiles = [];
    for (const builders of sizes) {
      const { row, profile } = await measureSize(builders, runsFor(builders), cli, log);
      measured.push(row);
      if (profile && builders === sizes[sizes.length - 1]) profiles.push(profile);
    }
    const largest = measured[measured.length - 1];
    const at = `at ${largest.builders.toLocaleString("en-US")} builders`;
    const pct = `${round(NEW_FRACTION * 100, 1)}%`;
    return {
      description:
        `Generated farms (${sizes.map((size) => size.toLocaleString("en-US")).join(", ")} builders; 20 watches per builder; 5% broken files; one MANIFEST.cfg with a section per builder), copied to a work directory. ` +
        `Every variant is a whole process, timed from spawn to exit under GNU time (which gives its peak RSS). ` +
        `Floor: \`node bench/merge-floor.mjs\`, which reads the manifest, lists the watch directory, reads every watch file and JSON.parses it, nothing else. ` +
        `Cron merge: \`autowatch merge --manifest M --watch-dir W -o STATE --quiet\` (packages/cli/dist/index.js) in its steady state (the state, last-good store and whatever it keeps beside the state written by an earlier run): of an unchanged farm, and after ${pct} of the builders (at least one) got a new watch file with other branches and repositories (so the state changes). ` +
        `Seed: the seed system's merge (anybox.buildbot.odoo's MultiWatcher.read_branches) re-encoded in Python 3, bench/seed_merge.py: ConfigParser with inherit, watch lines, buildout-self, json.loads of each watch file, poller and change-filter maps, no validation at all, nothing written. ` +
        `These four are interleaved, ${sizes.map(runsFor).join("/")} runs each (by size) after a warm-up; medians. ` +
        `Then, apart, a real \`autowatch merge --follow --debounce ${DEBOUNCE_MS}\` process on the same files, interleaved with the floor: ${pct} of the watch files are made new, and the re-merge's time is the time of its "re-merged" log line minus the moment the last file was written and the debounce; its peak RSS is VmHWM from /proc after every re-merge. ` +
        `Peak RSS column: floor / cron unchanged / cron ${pct} new / follow / seed, MiB (largest of the runs).`,
      params: { sizes, runs: sizes.map(runsFor), watchesPerBuilder: 20, brokenRatio: 0.05, newFraction: NEW_FRACTION, debounceMs: DEBOUNCE_MS },
      measured,
      profiles,
      table: {
        columns: [
          "builders",
          "floor ms",
          "cron, unchanged ms",
          "÷ floor",
          `cron, ${pct} new ms`,
          "÷ floor",
          "seed (Python) ms",
          `seed ÷ cron ${pct} new`,
          "floor ms (follow phase)",
          `follow re-merge ms (${pct} new)`,
          "÷ floor",
          "peak RSS MiB",
        ],
        rows: measured.map(tableRow),
      },
      targets: [
        atMost(`cron merge of an unchanged farm ÷ floor ${at}`, largest.unchangedRatio, UNCHANGED_LIMIT),
        atMost(`cron merge with ${pct} of the watch files new ÷ floor ${at}`, largest.newRatio, NEW_LIMIT),
        atLeast(
          `the seed system's merge (Python) ÷ autowatch's cron merge with ${pct} new ${at} (÷ unchanged: ${largest.seedUnchangedRatio}×)`,
          largest.seedRatio,
          SEED_SLOWER_LIMIT,
        ),
        atMost(`--follow re-merge with ${pct} new ÷ floor ${at}`, largest.followRatio, FOLLOW_LIMIT),
        atMost(
          `peak RSS of a cron merge process ${at} (largest of unchanged and ${pct} new)`,
          Math.max(largest.unchangedRssMiB, largest.newRssMiB),
          RSS_LIMIT_MIB,
          " MiB",
        ),
        atMost(`peak RSS of an \`autowatch merge --follow\` process ${at}`, largest.followRssMiB, RSS_LIMIT_MIB, " MiB"),
      ],
    };
  },
};
