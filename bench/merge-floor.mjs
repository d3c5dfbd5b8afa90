#!/usr/bin/env node
// The merge benchmark's floor: read every file a merge has to read (the manifests, the watch
// directory's listing and every watch file) and JSON.parse the watch files, nothing else.
// Run as a whole process (the cron merge is one), or imported for its function.
// usage: node bench/merge-floor.mjs WATCH_DIR MANIFEST [MANIFEST...]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

/** Reads and parses; returns how many bytes were read and how many watch files parsed. */
export function readAndParseAll({ manifests, watchDir }) {
  let bytes = 0;
  for (const manifest of manifests) bytes += readFileSync(manifest, "utf8").length;
  let parsed = 0;
  for (const name of readdirSync(watchDir)) {
    const text = readFileSync(join(watchDir, name), "utf8");
    bytes += text.length;
    try {
      JSON.parse(text);
      parsed += 1;
    } catch {
      // broken files cost their read and a failed parse, like in the merge
    }
  }
  return { bytes, parsed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [watchDir, ...manifests] = process.argv.slice(2);
  console.log(JSON.stringify(readAndParseAll({ manifests, watchDir })));
}
