// Where the time goes when a target is missed: V8 CPU profiles (in-process through the inspector,
// or of a whole child process with --cpu-prof), summarised by function with file and line.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT } from "./paths.mjs";
import { runProcess } from "./proc.mjs";

const sourceMaps = new Map();
// a package rebuilt during the run (others build too) has a map that no longer fits the code profiled
const LOADED_AT = Date.now();

/** A built file's position mapped back to its TypeScript source through the .js.map tsup writes. */
function original(file, line, column) {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    const usable = existsSync(mapFile) && statSync(mapFile).mtimeMs < LOADED_AT;
    sourceMaps.set(file, usable ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : undefined);
  }
  const entry = sourceMaps.get(file)?.findEntry(line, column);
  if (!entry?.originalSource) return undefined;
  return { file: join(file, "..", entry.originalSource.replace(/^file:\/\//, "")), line: entry.originalLine };
}

function label(callFrame) {
  const { functionName, url, lineNumber, columnNumber } = callFrame;
  let where = url.replace(/^file:\/\//, "");
  let line = lineNumber;
  if (where.startsWith(ROOT) && where.includes("/dist/")) {
    const mapped = original(where, lineNumber, columnNumber);
    if (mapped) ({ file: where, line } = mapped);
  }
  where = where.includes("/node_modules/.pnpm/")
    ? where.replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    : where.startsWith(ROOT)
      ? relative(ROOT, where)
      : where;
  return `${functionName || "(anonymous)"}${where ? ` ${where}:${line + 1}` : ""}`;
}

/** Self and total (inclusive) time per function, the `top` largest of each, in ms and %. */
export function summarize(profile, top = 15) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const durationMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = durationMs / Math.max(1, profile.samples.length);
  const self = new Map();
  const total = new Map();
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, count] of counts) {
    const name = label(nodes.get(id).callFrame);
    self.set(name, (self.get(name) ?? 0) + count);
    const seen = new Set();
    for (let current = id; current !== undefined; current = parent.get(current)) {
      const ancestor = label(nodes.get(current).callFrame);
      if (seen.has(ancestor)) continue; // recursion counts once
      seen.add(ancestor);
      total.set(ancestor, (total.get(ancestor) ?? 0) + count);
    }
  }
  const summary = {};
  const rank = (map) =>
    [...map]
      .filter(([name]) => name !== "(root)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, count]) => ({ name, ms: Math.round(count * msPerSample), percent: Math.round((1000 * count) / profile.samples.length) / 10 }));
  Object.assign(summary, { durationMs: Math.round(durationMs), self: rank(self), total: rank(total) });
  // every function seen, by bare name (not serialised: results.json keeps the top lists)
  const seen = new Set([...total.keys()].map((name) => name.split(" ")[0]));
  Object.defineProperty(summary, "seen", { value: seen, enumerable: false });
  return summary;
}

/** Profiles `fn` in this process. */
export async function profileInProcess(fn, top) {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 500 });
    await session.post("Profiler.start");
    await fn();
    const { profile } = await session.post("Profiler.stop");
    return summarize(profile, top);
  } finally {
    session.disconnect();
  }
}

/** Profiles a whole `node` child process (`node --cpu-prof ARGS`). */
export function profileProcess(args, options = {}, top) {
  const dir = mkdtempSync(join(tmpdir(), "autowatch-bench-prof-"));
  try {
    runProcess(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "500", ...args], options);
    const [file] = readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"));
    return summarize(JSON.parse(readFileSync(join(dir, file), "utf8")), top);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
