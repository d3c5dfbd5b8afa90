import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serializeCache, type MergeCacheData } from "../src/cache/format.js";
import { holdCache, takeHeldCache } from "../src/cache/held.js";
import { Recaller } from "../src/cache/recall.js";
import { WatchTable } from "../src/cache/table.js";
import { digestOf } from "../src/cache/files.js";
import { factoryKey } from "../src/factories.js";
import type { CachedBuilder } from "../src/cache/format.js";
import { cacheDataOf, factory, git, NOW, watchFileText } from "./helpers.js";
import { makeFarm, manifestText, OCB, OTHER_HOST } from "./cache-farm.js";
import { runMerge } from "../src/index.js";

/** What a merge just wrote to its cache file (no builders: enough for these checks). */
function cacheData(today: string): MergeCacheData {
  return cacheDataOf(new WatchTable(), [], today);
}

describe("the cache a process holds between merges (merge --follow)", () => {
  let root: string;
  let file: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-held-"));
    file = join(root, "state.json.cache");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function written(data: MergeCacheData): string {
    const text = serializeCache(data);
    writeFileSync(file, text);
    holdCache(file, data, text);
    return text;
  }

  it("gives back what it wrote, once, while the file is the one it wrote", () => {
    const data = cacheData("2026-12-06");
    written(data);
    const held = takeHeldCache(file, "c", "k");
    expect(held?.full()).toBe(data);
    expect(held?.intact()).toBe(true);
    // taken: the merge that took it holds what it writes next
    expect(takeHeldCache(file, "c", "k")).toBeUndefined();
  });

  it("reads the file when another code or other settings ask", () => {
    written(cacheData("2026-12-06"));
    expect(takeHeldCache(file, "other", "k")).toBeUndefined();
    written(cacheData("2026-12-06"));
    expect(takeHeldCache(file, "c", "other")).toBeUndefined();
  });

  it("reads the file when someone else wrote it since, even the same bytes or the same size", () => {
    const text = written(cacheData("2026-12-06"));
    // the same bytes, by another writer (another inode)
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    expect(takeHeldCache(file, "c", "k")).toBeUndefined();
    // other bytes of the same size, written in place
    written(cacheData("2026-12-06"));
    writeFileSync(file, text.replace("2026-12-06", "2026-12-07"));
    expect(takeHeldCache(file, "c", "k")).toBeUndefined();
    // gone
    written(cacheData("2026-12-06"));
    rmSync(file);
    expect(takeHeldCache(file, "c", "k")).toBeUndefined();
  });
});

describe("results rebuilt from a record the process holds", () => {
  it("are rebuilt once per record: a follow re-merge takes them again, with a fresh last good entry", () => {
    const table = new WatchTable();
    const made = factory("b");
    const id = table.id({ vcs: "git", url: "https://example.com/r.git", original: "https://example.com/r.git", branch: "main", from: ["auto"] });
    const record: CachedBuilder = {
      name: "b",
      section: factoryKey(made),
      input: "missing",
      racy: false,
      digest: null,
      lastGood: null,
      schedule: true,
      autoWatch: true,
      watches: [id],
      watchesDigest: digestOf(table.json([id])),
      problems: [],
      watchFile: { status: "accepted", file: "b.json" },
      kept: { hash: "h", date: null },
    };
    const first = new Recaller(table, "2026-12-06", () => []).recall(record, made);
    const again = new Recaller(table, "2026-12-07", () => []).recall(record, made);
    expect(again.detail).toBe(first.detail);
    expect(again.state).toBe(first.state);
    // dated by the merge that takes it
    expect([first.lastGood?.date, again.lastGood?.date]).toEqual(["2026-12-06", "2026-12-07"]);
    // another record (its input changed), another table, or the section moved in its manifest: rebuilt
    expect(new Recaller(table, "2026-12-06", () => []).recall({ ...record }, made).detail).not.toBe(first.detail);
    expect(new Recaller(WatchTable.fromStored(table.toStored())!, "2026-12-06", () => []).recall(record, made).detail).not.toBe(first.detail);
    const moved = new Recaller(table, "2026-12-06", () => []).recall(record, { ...made, line: made.line + 1 });
    expect(moved.detail).not.toBe(first.detail);
    expect(moved.detail.line).toBe(made.line + 1);
  });
});

describe("a re-merge in the process that holds the cache", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-held-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("tallies again only the builders that changed (the other pollers are the objects it had), and gives what a merge without the cache gives", async () => {
    const farm = makeFarm(root);
    writeFileSync(farm.manifest, manifestText({ extra: true, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" }));
    for (const builder of ["b01", "b02", "b03"]) writeFileSync(join(farm.watchDir, `${builder}.json`), watchFileText(builder, [git(OCB, "10.0")]));
    const options = { manifests: [farm.manifest], watchDir: farm.watchDir, now: NOW, ...farm.a };
    const first = await runMerge(options);
    writeFileSync(join(farm.watchDir, "b01.json"), watchFileText("b01", [git(OCB, "10.0"), git(OTHER_HOST, "master")]));
    const again = await runMerge(options);
    expect(again.reused).toBeGreaterThan(0);
    expect(again.stateText).toBe((await runMerge({ ...options, ...farm.b, cache: false })).stateText);
    expect(again.state.pollers.filter((poller) => first.state.pollers.includes(poller)).length).toBeGreaterThan(0);
  });
});
