#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time and
// the most total (inclusive) time, with file and line, to find where a missed target goes.
// usage: node bench/profile.mjs FILE.cpuprofile [TOP]
import { readFileSync } from "node:fs";
import process from "node:process";

const [file, top = "25"] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const interval = (profile.endTime - profile.startTime) / 1000 / profile.samples.length; // ms per sample

const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);

const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^file:\/\//, "").replace(/.*\/node_modules\/\.pnpm\//, "pnpm:")}:${lineNumber + 1}` : "";
  return `${functionName || "(anonymous)"} ${where}`.trim();
};

const self = new Map();
const total = new Map();
for (const [id, count] of selfSamples) {
  const node = nodes.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + count);
  const seen = new Set();
  for (let current = id; current !== undefined; current = parent.get(current)) {
    const name = label(nodes.get(current));
    if (seen.has(name)) continue; // recursion counts once
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + count);
  }
}

const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${(count * interval).toFixed(0).padStart(8)} ms  ${((100 * count) / profile.samples.length).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`${file}: ${profile.samples.length} samples, ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms`);
show("self time", self);
show("total time", total);
