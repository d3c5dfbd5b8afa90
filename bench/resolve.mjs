// 2. resolve vs zc.buildout: whole-process `autowatch resolve --json` against a Python process
// resolving the same generated buildout with Debian's zc.buildout (bench/zc_resolve.py).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildout } from "./gen/buildout.mjs";
import { profileProcess } from "./lib/cpuprofile.mjs";
import { PYTHON } from "./lib/machine.mjs";
import { BENCH_DIR, CLI_BUNDLE, requireCli, ROOT } from "./lib/paths.mjs";
import { runProcess } from "./lib/proc.mjs";
import { interleave, median, ratio, wallAndCpu } from "./lib/stats.mjs";
import { atLeast } from "./lib/targets.mjs";

const SPEEDUP_TARGET = 5;
// what `autowatch resolve` loads, and from which package directory each one resolves
const IMPORTS = [
  ["commander", "cli"],
  ["@autowatch/introspect/resolve", "cli"],
  ["@autowatch/introspect", "cli"],
  ["@autowatch/watchfile", "cli"],
  ["zod", "watchfile"],
  ["jsonc-parser", "watchfile"],
  ["secure-json-parse", "watchfile"],
  ["simple-git", "introspect"],
  ["p-limit", "introspect"],
  ["write-file-atomic", "introspect"],
];

/** CPU time a bare `node` spends importing each module (median over `runs`, bare node subtracted). */
async function importCosts(runs) {
  const load = (specifier, from) => () =>
    runProcess(process.execPath, ["--input-type=module", "-e", specifier ? `await import(${JSON.stringify(specifier)})` : ""], {
      cwd: join(ROOT, "packages", from),
      allowFailure: true,
    });
  const samples = await interleave(
    [{ name: "", run: load("", "cli") }, ...IMPORTS.map(([specifier, from]) => ({ name: specifier, run: load(specifier, from) }))],
    { runs, warmup: 1 },
  );
  const bare = median(samples[""].map((sample) => sample.cpuMs));
  return IMPORTS.filter(([specifier]) => samples[specifier].every((sample) => sample.status === 0)).map(([specifier]) => [
    specifier,
    Math.round(median(samples[specifier].map((sample) => sample.cpuMs)) - bare),
  ]);
}
const CASES = [
  { label: "depth 5, 200 addons", depth: 5, addons: 200, target: true },
  { label: "depth 1, 10 addons", depth: 1, addons: 10, target: false },
];

/** `{section: {option: value}}` from either tool's JSON (autowatch may wrap values with origins). */
export function flatten(document) {
  const sections = document?.sections ?? document;
  const flat = {};
  for (const [section, options] of Object.entries(sections ?? {})) {
    flat[section] = {};
    for (const [option, value] of Object.entries(options ?? {})) {
      flat[section][option] = typeof value === "string" ? value : value?.value;
    }
  }
  return flat;
}

/** Options both tools resolved, and how many of them got a different value. */
export function agreement(ours, theirs) {
  let compared = 0;
  const differing = [];
  for (const [section, options] of Object.entries(theirs)) {
    for (const [option, value] of Object.entries(options)) {
      const mine = ours[section]?.[option];
      if (mine === undefined) continue;
      compared += 1;
      if (mine !== value) differing.push(`${section}:${option}`);
    }
  }
  return { compared, differing };
}

export const resolveBench = {
  id: "resolve",
  title: "resolve vs zc.buildout (whole process, same buildout)",
  async run({ quick, runs: runsOverride, log }) {
    const binaries = [{ name: "dist/index.js", path: requireCli() }];
    if (existsSync(CLI_BUNDLE)) binaries.push({ name: "dist/autowatch.mjs", path: CLI_BUNDLE });
    const runs = runsOverride ?? (quick ? 3 : 10);
    const home = mkdtempSync(join(tmpdir(), "autowatch-bench-home-"));
    const env = { ...process.env, HOME: home, BUILDOUT_HOME: join(home, ".buildout"), NO_COLOR: "1" };
    const rows = [];
    const measured = [];
    try {
      for (const spec of CASES) {
        const input = await buildout(spec);
        const options = { cwd: input.dir, env };
        const theirs = () => runProcess(PYTHON, [join(BENCH_DIR, "zc_resolve.py"), input.config], options);
        const reference = flatten(JSON.parse(theirs().stdout));
        const variants = [{ name: "zc.buildout", run: theirs }];
        const agreeing = {};
        for (const binary of binaries) {
          const ours = () => runProcess(process.execPath, [binary.path, "resolve", "-c", input.config, "--json"], options);
          const check = agreement(flatten(JSON.parse(ours().stdout)), reference);
          if (check.differing.length > 0)
            log(`${spec.label}, ${binary.name}: ${check.differing.length} option(s) differ from zc.buildout, e.g. ${check.differing.slice(0, 5).join(", ")}`);
          agreeing[binary.name] = `${check.compared - check.differing.length}/${check.compared}`;
          variants.push({ name: binary.name, run: ours });
        }
        const samples = await interleave(variants, { runs, warmup: 1 });
        const zcBuildout = wallAndCpu(samples["zc.buildout"]);
        rows.push([spec.label, "zc.buildout (bench/zc_resolve.py)", zcBuildout.ms.median, zcBuildout.cpuMs.median, "", "", "reference"]);
        for (const binary of binaries) {
          const autowatch = wallAndCpu(samples[binary.name]);
          const row = {
            case: spec.label,
            binary: binary.name,
            target: spec.target,
            autowatchMs: autowatch.ms,
            zcBuildoutMs: zcBuildout.ms,
            speedup: ratio(zcBuildout.ms.median, autowatch.ms.median),
            autowatchCpuMs: autowatch.cpuMs,
            zcBuildoutCpuMs: zcBuildout.cpuMs,
            cpuSpeedup: ratio(zcBuildout.cpuMs.median, autowatch.cpuMs.median),
            agree: agreeing[binary.name],
          };
          measured.push(row);
          rows.push([spec.label, `autowatch ${binary.name}`, row.autowatchMs.median, row.autowatchCpuMs.median, row.speedup, row.cpuSpeedup, row.agree]);
        }
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const targeted = measured.filter((row) => row.target);
    const profiles = [];
    const notes = [];
    const missed = targeted.find((row) => row.binary === "dist/index.js" && row.speedup < SPEEDUP_TARGET);
    if (missed) {
      log("speedup under the target: profiling one autowatch resolve process");
      const input = await buildout(CASES.find((spec) => spec.target));
      profiles.push({
        title: `autowatch resolve --json, whole process (${missed.case})`,
        ...profileProcess([requireCli(), "resolve", "-c", input.config, "--json"], { cwd: input.dir, env: { ...process.env, HOME: tmpdir() } }),
      });
      log("measuring what each module costs to import");
      const costs = await importCosts(quick ? 3 : 7);
      notes.push(
        `Import cost of what \`autowatch resolve\` loads (CPU ms over a bare \`node\`, median): ${costs.map(([name, ms]) => `${name} ${ms}`).join(", ")}. The resolver itself is the small remainder.`,
      );
    }
    return {
      profiles,
      notes,
      description:
        `Generated buildouts (an extends chain of 5 files, one level with two bases, 200 \`addons\` lines spread with \`+=\`, a \`-=\`, a \`<=\` macro, ~700 \`\${...}\` substitutions, 200 pinned versions; and a one-file buildout for the fixed cost). ` +
        `Whole process each: \`node packages/cli/dist/index.js resolve -c buildout.cfg --json\`${binaries.length > 1 ? " (and the single-file `dist/autowatch.mjs` that workers download)" : ""} against \`/usr/bin/python3 bench/zc_resolve.py buildout.cfg\` (zc.buildout's own Buildout class, every section resolved, no recipe loaded). ` +
        `Interleaved, ${runs} runs each after a warm-up, empty HOME; medians of wall time (the target) and of CPU time (user + system, 10 ms resolution; less sensitive to a loaded machine). "agree" counts the options both resolved with the same value.`,
      params: { runs, cases: CASES },
      measured,
      table: { columns: ["buildout", "command", "ms", "CPU ms", "speedup", "CPU speedup", "agree"], rows },
      targets: targeted.map((row) => atLeast(`${row.binary} resolve speedup over zc.buildout (${row.case})`, row.speedup, SPEEDUP_TARGET)),
    };
  },
};
