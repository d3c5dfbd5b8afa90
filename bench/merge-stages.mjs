// When the merge misses its floor: what each stage of runMerge costs on its own, next to the
// floor, through the functions @autowatch/merge and @autowatch/watchfile export (a stage whose
// function is not exported any more is left out). Each stage once, after a full GC.
import { readFileSync } from "node:fs";
import { fullGc } from "./lib/gc.mjs";
import { importDist } from "./lib/paths.mjs";
import { ratio, round } from "./lib/stats.mjs";

const MAX_BYTES = 1024 * 1024;

/** An entry whose read is deferred (`{read()}`) read now, as the merge does when it reaches it. */
function settleRead(entry) {
  let current = entry;
  while (current && typeof current.read === "function") current = current.read();
  return current;
}

async function timeOnce(fn) {
  fullGc();
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** `seen`: the functions a profile of runMerge saw (stages it does not call are marked). */
export async function mergeStages(input, output, floorMs, seen) {
  const merge = await importDist("merge", []);
  const watchfile = await importDist("watchfile", []);
  const manifest = await importDist("manifest", []);
  const rows = [];
  // `called`: the exported function the stage times, looked up in the runMerge profile
  const stage = async (name, fn, called) => {
    const label = called && seen && !seen.has(called) ? `${name} (${called}; not seen in the runMerge profile)` : called ? `${name} (${called})` : name;
    try {
      const { ms, value } = await timeOnce(fn);
      rows.push([label, round(ms), ratio(ms, floorMs)]);
      return value;
    } catch (error) {
      rows.push([label, `failed: ${error instanceof Error ? error.message : String(error)}`, ""]);
      return undefined;
    }
  };
  const has = (module, name) => typeof module[name] === "function";
  const manifests = has(manifest, "readManifests")
    ? await stage("read and parse the manifest", () => manifest.readManifests([input.manifest]), "readManifests")
    : undefined;
  const names = manifests?.factories?.map((factory) => factory.name) ?? [];
  const files = has(merge, "readWatchDir")
    ? await stage(
        "read the watch directory and each file",
        async () => {
          const watch = await merge.readWatchDir(input.watchDir, names, MAX_BYTES);
          return [...watch.files.values()].map(settleRead).filter((file) => file?.bytes);
        },
        "readWatchDir",
      )
    : [];
  if (has(watchfile, "parseWatchFile"))
    await stage(
      `validate ${files?.length ?? 0} watch files`,
      () => (files ?? []).forEach((file) => watchfile.parseWatchFile(file.bytes, { maxBytes: MAX_BYTES })),
      "parseWatchFile",
    );
  if (has(merge, "loadLastGood")) await stage("read the last-good store", () => merge.loadLastGood(`${output}.lastgood`), "loadLastGood");
  const previousText = readFileSync(output, "utf8");
  const previous = has(merge, "parseState")
    ? await stage(`parse the previous state, ${round(previousText.length / 1e6, 1)} MB`, () => merge.parseState(previousText), "parseState")
    : undefined;
  if (previous && has(merge, "serializeState")) await stage("serialise the state", () => merge.serializeState(previous), "serializeState");
  if (previous && has(merge, "statesDiffer")) await stage("compare with the previous state", () => merge.statesDiffer(previous, previous), "statesDiffer");
  // plain-JavaScript lower bounds of the same work, for scale
  await stage("for scale: JSON.parse of the previous state", () => JSON.parse(previousText));
  if (previous) await stage("for scale: JSON.stringify(state, null, 2)", () => JSON.stringify(previous, null, 2));
  return { columns: ["stage (run alone)", "ms", "× floor"], rows: [["floor (read + JSON.parse every input)", round(floorMs), 1], ...rows] };
}
