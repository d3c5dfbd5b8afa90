// 5. explain at 20,000 builders: one builder explained after a merge wrote the state, from
// STATE.factories (the fast path, "from": "state"), as a whole process and in-process; against
// the path that reads and parses every manifest again ("from": "merge", no state), the full
// one-shot merge it once redid (5.2 s and 341 MB before), `check` of the same manifest and
// `autowatch --version` (the process floor).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { farm, builderName } from "./gen/farm.mjs";
import { importDist, requireCli } from "./lib/paths.mjs";
import { peakRssMiB, runProcess } from "./lib/proc.mjs";
import { interleave, ratio, summary, wallAndCpu } from "./lib/stats.mjs";
import { atMost } from "./lib/targets.mjs";

const BUILDERS = 20_000;
const QUICK_BUILDERS = 2_000;
/** The fallback (manifests parsed again) must cost at most this fraction of a full merge. */
const VS_MERGE = 0.25;
/** ...and at most this multiple of linting the manifests (which it reads). */
const VS_CHECK = 1.0;
/**
 * The fast path as a whole process, CPU time, at most this fraction of the same explain that
 * parses the manifests. Most of what is left is starting Node and loading @autowatch/merge
 * and its dependencies (zod): the `--version` row shows that floor; wall times on a loaded
 * 2-core machine are too noisy for a target.
 */
const VS_PARSED_CPU = 0.9;
/** The fast path in-process: milliseconds at 20,000 builders. */
const IN_PROCESS_MS = 25;

export const explainBench = {
  id: "explain",
  title: "explain one builder at 20,000 builders: from the state, from the manifests, vs a full merge",
  async run({ quick, runs: runsOverride, log }) {
    const cli = requireCli();
    const { explainOne } = await importDist("merge", ["explainOne"]);
    const builders = quick ? QUICK_BUILDERS : BUILDERS;
    const generated = await farm(builders);
    log(`farm of ${builders} builders ${generated.reused ? "reused" : "generated"} in ${generated.dir}`);
    const runs = runsOverride ?? (quick ? 3 : 7);
    const inputs = ["-m", generated.manifest, "--watch-dir", generated.watchDir];
    const stateDir = mkdtempSync(join(tmpdir(), "autowatch-bench-explain-"));
    try {
      const state = join(stateDir, "state.json");
      // the cron merge: writes the state, its last-good store and STATE.factories
      runProcess(process.execPath, [cli, "merge", ...inputs, "-o", state, "--quiet"], { allowFailure: true });
      // a good builder and a broken one (every 20th watch file is broken by the generator)
      const good = builderName(Math.floor(builders / 2));
      const broken = builderName(19);
      const commands = {
        [`explain ${good} (from the state)`]: ["explain", ...inputs, "-o", state, "--builder", good],
        [`explain ${broken} (from the state)`]: ["explain", ...inputs, "-o", state, "--builder", broken],
        [`explain ${good} (manifests parsed, no state)`]: ["explain", ...inputs, "--builder", good],
        "check (manifest floor)": ["check", "-m", generated.manifest],
        "merge (no -o)": ["merge", ...inputs],
        "--version (process floor)": ["--version"],
      };
      const fromOf = (args) => JSON.parse(runProcess(process.execPath, [cli, ...args, "--json"], { allowFailure: true }).stdout).from;
      const paths = Object.fromEntries(
        Object.entries(commands)
          .filter(([name]) => name.startsWith("explain"))
          .map(([name, args]) => [name, fromOf(args)]),
      );
      log(`explain paths taken: ${JSON.stringify(paths)}`);
      const variants = Object.entries(commands).map(([name, args]) => ({
        name,
        // check exits 1 on a manifest with errors, merge writes the state to stdout: both are fine here
        run: () => runProcess(process.execPath, [cli, ...args], { allowFailure: true }),
      }));
      const samples = await interleave(variants, { runs, warmup: 1 });
      const rss = Object.fromEntries(
        Object.entries(commands).map(([name, args]) => [name, peakRssMiB(process.execPath, [cli, ...args], { allowFailure: true }).mib]),
      );
      const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, wallAndCpu(values)]));

      // in-process, the CLI's own call (explainOne as `autowatch explain` makes it), warm
      const options = { manifests: [generated.manifest], watchDir: generated.watchDir, output: state, readOnly: true };
      const inProcess = await inProcessTimes(explainOne, options, good, runs);
      return report({ builders, runs, commands, medians, rss, inProcess, paths });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};

/** explainOne's times in-process, warm, from the state and with the manifests parsed. */
async function inProcessTimes(explainOne, options, good, runs) {
  const inProcess = {};
  for (const [label, index] of [
    ["from the state", true],
    ["manifests parsed", false],
  ]) {
    const times = [];
    for (let round = -2; round < runs * 3; round += 1) {
      const start = process.hrtime.bigint();
      const report = await explainOne(options, good, { index });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (report.from !== (index ? "state" : "merge")) throw new Error(`explain took the ${report.from} path, not the expected one`);
      if (round >= 0) times.push(ms);
    }
    inProcess[label] = summary(times);
  }
  return inProcess;
}

/** The bench's result: description, table and targets from the measurements. */
function report({ builders, runs, commands, medians, rss, inProcess, paths }) {
  const merge = medians["merge (no -o)"].ms.median;
  const check = medians["check (manifest floor)"].ms.median;
  const version = medians["--version (process floor)"].ms.median;
  const fast = Object.keys(commands).filter((name) => name.endsWith("(from the state)"));
  const slow = Object.keys(commands).filter((name) => name.endsWith("(manifests parsed, no state)"));
  return {
    description: `Whole processes (\`node packages/cli/dist/index.js ...\`) on a generated farm of ${builders} builders, after a one-shot \`merge -o\` wrote the state and STATE.factories: \`explain --builder\` from the state (a builder with a good watch file and one with a broken one), the same without -o (every manifest read and parsed), \`check\` of the same manifest, the one-shot \`merge\` without -o and \`--version\`; interleaved, ${runs} runs each after a warm-up; medians of wall time, peak RSS from GNU time. In-process: \`explainOne\` from @autowatch/merge's dist, ${runs * 3} warm calls each.`,
    params: { builders, runs },
    measured: { ...medians, inProcess, paths },
    table: {
      columns: ["command", "ms", "CPU ms", "peak RSS MiB", "vs merge", "vs check", "vs --version"],
      rows: [
        ...Object.keys(commands).map((name) => [
          name,
          medians[name].ms.median,
          medians[name].cpuMs.median,
          Math.round(rss[name]),
          ratio(medians[name].ms.median, merge),
          ratio(medians[name].ms.median, check),
          ratio(medians[name].ms.median, version),
        ]),
        ...Object.entries(inProcess).map(([label, times]) => [
          `explainOne in-process (${label})`,
          times.median,
          "",
          "",
          ratio(times.median, merge),
          ratio(times.median, check),
          "",
        ]),
      ],
    },
    targets: [
      ...fast.map((name) =>
        atMost(
          `${name}: whole process, CPU vs the explain that parses the manifests`,
          ratio(medians[name].cpuMs.median, medians[slow[0]].cpuMs.median),
          VS_PARSED_CPU,
        ),
      ),
      atMost(`explainOne in-process from the state (${builders} builders)`, inProcess["from the state"].median, IN_PROCESS_MS, " ms"),
      ...slow.flatMap((name) => [
        atMost(`${name} vs a full merge (${builders} builders)`, ratio(medians[name].ms.median, merge), VS_MERGE),
        atMost(`${name} vs check of the manifest`, ratio(medians[name].ms.median, check), VS_CHECK),
      ]),
    ],
  };
}
