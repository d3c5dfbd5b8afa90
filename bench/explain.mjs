// 5. explain at 20,000 builders: one builder explained as a whole process, against the full
// one-shot merge it used to redo (5.2 s and 341 MB before) and against `check` of the same
// manifest (the floor: explain must read every manifest, as the merge refuses on any dialect error).
import { farm, builderName } from "./gen/farm.mjs";
import { requireCli } from "./lib/paths.mjs";
import { peakRssMiB, runProcess } from "./lib/proc.mjs";
import { interleave, ratio, wallAndCpu } from "./lib/stats.mjs";
import { atMost } from "./lib/targets.mjs";

const BUILDERS = 20_000;
const QUICK_BUILDERS = 2_000;
/** explain must cost at most this fraction of a full merge of the farm. */
const VS_MERGE = 0.25;
/** ...and at most this multiple of linting the manifests (which every explain reads). */
const VS_CHECK = 1.0;

export const explainBench = {
  id: "explain",
  title: "explain one builder at 20,000 builders vs a full merge and vs check",
  async run({ quick, runs: runsOverride, log }) {
    const cli = requireCli();
    const builders = quick ? QUICK_BUILDERS : BUILDERS;
    const generated = await farm(builders);
    log(`farm of ${builders} builders ${generated.reused ? "reused" : "generated"} in ${generated.dir}`);
    const runs = runsOverride ?? (quick ? 3 : 7);
    const inputs = ["-m", generated.manifest, "--watch-dir", generated.watchDir];
    // a good builder and a broken one (every 20th watch file is broken by the generator)
    const good = builderName(Math.floor(builders / 2));
    const broken = builderName(19);
    const commands = {
      [`explain ${good}`]: ["explain", ...inputs, "--builder", good],
      [`explain ${broken}`]: ["explain", ...inputs, "--builder", broken],
      "check (manifest floor)": ["check", "-m", generated.manifest],
      "merge (no -o)": ["merge", ...inputs],
    };
    const variants = Object.entries(commands).map(([name, args]) => ({
      name,
      // check exits 1 on a manifest with errors, merge writes the state to stdout: both are fine here
      run: () => runProcess(process.execPath, [cli, ...args], { allowFailure: true }),
    }));
    const samples = await interleave(variants, { runs, warmup: 1 });
    const rss = Object.fromEntries(Object.entries(commands).map(([name, args]) => [name, peakRssMiB(process.execPath, [cli, ...args], { allowFailure: true }).mib]));
    const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, wallAndCpu(values)]));
    const merge = medians["merge (no -o)"].ms.median;
    const check = medians["check (manifest floor)"].ms.median;
    const explains = Object.keys(commands).filter((name) => name.startsWith("explain"));
    return {
      description: `Whole processes (\`node packages/cli/dist/index.js ...\`) on a generated farm of ${builders} builders: \`explain --builder\` for a builder with a good watch file and one with a broken one, \`check\` of the same manifest, and the one-shot \`merge\` without -o; interleaved, ${runs} runs each after a warm-up; medians of wall time, peak RSS from GNU time.`,
      params: { builders, runs },
      measured: medians,
      table: {
        columns: ["command", "ms", "CPU ms", "peak RSS MiB", "vs merge", "vs check"],
        rows: Object.keys(commands).map((name) => [name, medians[name].ms.median, medians[name].cpuMs.median, Math.round(rss[name]), ratio(medians[name].ms.median, merge), ratio(medians[name].ms.median, check)]),
      },
      targets: explains.flatMap((name) => [
        atMost(`${name} vs a full merge (${builders} builders)`, ratio(medians[name].ms.median, merge), VS_MERGE),
        atMost(`${name} vs check of the manifest`, ratio(medians[name].ms.median, check), VS_CHECK),
      ]),
    };
  },
};
