#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time and
// the most total (inclusive) time, with file and line, to find where a missed target goes.
// usage: node bench/profile.mjs FILE.cpuprofile [TOP]
import { readFileSync } from "node:fs";
import process from "node:process";
import { summarize } from "./lib/cpuprofile.mjs";

const [file, top = "25"] = process.argv.slice(2);
const summary = summarize(JSON.parse(readFileSync(file, "utf8")), Number(top));
console.log(`${file}: ${summary.durationMs} ms`);
for (const kind of ["self", "total"]) {
  console.log(`\n${kind} time`);
  for (const { name, ms, percent } of summary[kind]) console.log(`${String(ms).padStart(8)} ms  ${percent.toFixed(1).padStart(5)}%  ${name}`);
}
