#!/usr/bin/env node
// `pnpm bench [FILTER...] [--quick] [--runs N]`: runs the benchmarks against the built packages,
// prints a table each, writes bench/results.json (quick mode: bench/results-quick.json), regenerates
// docs/performance.md from it (full runs), and exits non-zero when a target is missed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { machineInfo } from "./lib/machine.mjs";
import { BENCH_DIR } from "./lib/paths.mjs";
import { formatTable } from "./lib/table.mjs";
import { writeReport } from "./report.mjs";
import { benchmarks } from "./suite.mjs";

const RESULTS_SCHEMA = "autowatch.bench/1";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: "boolean", default: process.env.BENCH_QUICK === "1" },
    runs: { type: "string" },
    list: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help || values.list) {
  console.log("usage: pnpm bench [FILTER...] [--quick] [--runs N]\n\nbenchmarks:");
  for (const bench of benchmarks) console.log(`  ${bench.id.padEnd(10)} ${bench.title}`);
  process.exit(0);
}

const selected = benchmarks.filter(
  (bench) => positionals.length === 0 || positionals.some((filter) => bench.id.includes(filter) || bench.title.toLowerCase().includes(filter.toLowerCase())),
);
if (selected.length === 0) {
  console.error(`bench: no benchmark matches ${positionals.join(" ")} (try --list)`);
  process.exit(2);
}

const quick = values.quick;
const runs = values.runs ? Number(values.runs) : undefined;
const machine = machineInfo();
console.log(
  `bench: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverage.join(" ")}${quick ? " (quick mode)" : ""}\n`,
);

const resultsFile = join(BENCH_DIR, quick ? "results-quick.json" : "results.json");
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, "utf8")) : undefined;
const results = { schema: RESULTS_SCHEMA, machine, benchmarks: { ...(previous?.schema === RESULTS_SCHEMA ? previous.benchmarks : {}) } };

const missed = [];
for (const bench of selected) {
  console.log(`== ${bench.id}: ${bench.title}`);
  const started = new Date().toISOString();
  const resultFile = join(tmpdir(), `autowatch-bench-${bench.id}-${process.pid}.json`);
  const child = spawnSync(process.execPath, [join(BENCH_DIR, "worker.mjs"), bench.id, JSON.stringify({ quick, runs }), resultFile], { stdio: "inherit" });
  let entry;
  try {
    entry = JSON.parse(readFileSync(resultFile, "utf8"));
  } catch {
    entry = { unavailable: `failed: the benchmark process exited with ${child.status ?? child.signal}`, table: { columns: [], rows: [] }, targets: [] };
  } finally {
    rmSync(resultFile, { force: true });
  }
  const after = machineInfo();
  entry = { id: bench.id, title: bench.title, date: started, commit: after.commit, quick, loadAverage: after.loadAverage, ...entry };
  results.benchmarks[bench.id] = entry;
  if (entry.unavailable) {
    console.log(`   UNAVAILABLE: ${entry.unavailable}`);
    missed.push(`${bench.id}: unavailable (${entry.unavailable})`);
  } else {
    console.log(formatTable(entry.table).replace(/^/gm, "   "));
  }
  for (const target of entry.targets) {
    console.log(`   ${target.ok ? "ok  " : "MISS"} ${target.description}: ${target.measured}${target.unit ?? ""} (limit ${target.limit}${target.unit ?? ""})`);
    if (!target.ok)
      missed.push(`${bench.id}: ${target.description}: measured ${target.measured}${target.unit ?? ""}, limit ${target.limit}${target.unit ?? ""}`);
  }
  console.log("");
}

const temporary = `${resultsFile}.tmp${process.pid}`;
writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
renameSync(temporary, resultsFile);
console.log(`bench: wrote ${resultsFile}`);
if (!quick) console.log(`bench: wrote ${writeReport(resultsFile)}`);

if (missed.length > 0) {
  console.error(`\nbench: ${missed.length} target(s) missed:\n${missed.map((line) => `  - ${line}`).join("\n")}`);
  process.exitCode = 1;
} else {
  console.log("bench: every target met");
}
