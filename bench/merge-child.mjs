#!/usr/bin/env node
// One in-process merge in a fresh process, for peak RSS when the CLI's merge command is not
// usable: prints {"ms", "maxRssMiB"} (process.resourceUsage().maxRSS, the whole process).
// usage: node bench/merge-child.mjs MANIFEST WATCH_DIR STATE
import process from "node:process";
import { importDist } from "./lib/paths.mjs";

const [manifest, watchDir, output] = process.argv.slice(2);
const { runMerge } = await importDist("merge", ["runMerge"]);
const start = performance.now();
await runMerge({ manifests: [manifest], watchDir, output });
console.log(JSON.stringify({ ms: performance.now() - start, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
