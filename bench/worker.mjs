#!/usr/bin/env node
// Runs one benchmark in a fresh process (run.mjs starts one per benchmark, so that one benchmark's
// heap never slows the next one's spawns or GCs) and writes its result as JSON to a file.
import { writeFileSync } from "node:fs";
import process from "node:process";
import { Unavailable } from "./lib/paths.mjs";
import { benchmarks } from "./suite.mjs";

const [id, optionsJson, resultFile] = process.argv.slice(2);
const bench = benchmarks.find((candidate) => candidate.id === id);
const options = JSON.parse(optionsJson);
let entry;
try {
  entry = await bench.run({ ...options, log: (line) => console.log(`   ${line}`) });
} catch (error) {
  // a benchmark that cannot run is a missed target, never a crash of the whole suite
  const reason = error instanceof Unavailable ? error.message : `failed: ${error instanceof Error ? error.message : String(error)}`;
  entry = { unavailable: reason, table: { columns: [], rows: [] }, targets: [] };
}
writeFileSync(resultFile, JSON.stringify(entry));
