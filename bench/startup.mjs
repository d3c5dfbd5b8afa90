// 4. CLI cold start: `autowatch --version` as a whole process against bare `node -e 0`.
import { existsSync } from "node:fs";
import { CLI_BUNDLE, requireCli } from "./lib/paths.mjs";
import { profileProcess } from "./lib/cpuprofile.mjs";
import { runProcess } from "./lib/proc.mjs";
import { interleave, ratio, wallAndCpu } from "./lib/stats.mjs";
import { atMost } from "./lib/targets.mjs";

const LIMIT = 2;

export const startupBench = {
  id: "startup",
  title: "CLI cold start (autowatch --version vs node -e 0)",
  async run({ quick, runs: runsOverride }) {
    const entries = [{ name: "dist/index.js", args: [requireCli(), "--version"] }];
    if (existsSync(CLI_BUNDLE)) entries.push({ name: "dist/autowatch.mjs", args: [CLI_BUNDLE, "--version"] });
    const runs = runsOverride ?? (quick ? 5 : 25);
    const variants = [{ name: "node -e 0", args: ["-e", "0"] }, ...entries].map((variant) => ({
      name: variant.name,
      run: () => runProcess(process.execPath, variant.args),
    }));
    const samples = await interleave(variants, { runs, warmup: 2 });
    const bare = wallAndCpu(samples["node -e 0"]);
    const measured = Object.entries(samples).map(([name, values]) => {
      const { ms, cpuMs } = wallAndCpu(values);
      return { name, ms, ratio: ratio(ms.median, bare.ms.median), cpuMs, cpuRatio: ratio(cpuMs.median, bare.cpuMs.median) };
    });
    const entryArgs = Object.fromEntries(entries.map((entry) => [entry.name, entry.args]));
    const profiles = measured
      .filter((row) => row.name in entryArgs && row.ratio > LIMIT)
      .map((row) => ({ title: `${row.name} --version, whole process`, ...profileProcess(entryArgs[row.name]) }));
    return {
      profiles,
      description: `Whole process from spawn to exit, \`node packages/cli/dist/index.js --version\`${entries.length > 1 ? " and the single-file `dist/autowatch.mjs`" : ""} against \`node -e 0\`; interleaved, ${runs} runs each after 2 warm-ups; medians of wall time (the target) and of CPU time (user + system, 10 ms resolution).`,
      params: { runs },
      measured,
      table: {
        columns: ["command", "ms", "vs node -e 0", "CPU ms", "CPU vs node -e 0"],
        rows: measured.map((row) => [row.name, row.ms.median, row.ratio, row.cpuMs.median, row.cpuRatio]),
      },
      targets: measured.filter((row) => row.name !== "node -e 0").map((row) => atMost(`${row.name} --version vs node -e 0`, row.ratio, LIMIT)),
    };
  },
};
