import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { digestOf, fileSystemClock } from "../src/cache/files.js";
import { serializeCache, type CachedBuilder } from "../src/cache/format.js";
import { parseCache } from "../src/cache/parse.js";
import { inputKey, planBuilders } from "../src/cache/plan.js";
import { Recaller } from "../src/cache/recall.js";
import { isRacy, racyFrom, stampOf } from "../src/cache/stamp.js";
import { CacheSession } from "../src/cache/session.js";
import { checksumOf } from "../src/cache/checksum.js";
import { DamagedTableError, WatchTable, type TableWatch } from "../src/cache/table.js";
import { stateLayout } from "../src/cache/statefile.js";
import { mergeFarm } from "../src/index.js";
import { renderState } from "../src/state.js";
import { fileInput, git, watchFileText } from "./helpers.js";
import { factoryKey } from "../src/factories.js";
import type { WatchFileInput } from "../src/types.js";
import { cacheDataOf, factory } from "./helpers.js";

/** A second, in the stamps' milliseconds. */
const S = 1000;
/** A microsecond: stamps keep fractions of a millisecond. */
const US = 0.001;

describe("racy stamps", () => {
  const stamp = (mtime: number, ctime: number) => `1:2:3:33188:${mtime}:${ctime}`;
  it("a file modified or changed within the window before the merge started cannot vouch for its content", () => {
    const started = 1_796_600_000 * S;
    const from = racyFrom(started);
    expect(isRacy(stamp(started - 10 * S, started - 10 * S), from)).toBe(false);
    expect(isRacy(stamp(started - S, started - 10 * S), from)).toBe(true);
    expect(isRacy(stamp(started - 10 * S, started - S), from)).toBe(true);
    // the same tick as the merge, or later
    expect(isRacy(stamp(started, started), from)).toBe(true);
    expect(isRacy(stamp(started - 2 * S, started - 2 * S), from)).toBe(true);
    expect(isRacy(stamp(started - 2 * S - US, started - 2 * S - US), from)).toBe(false);
    expect(isRacy("garbage", from)).toBe(true);
    expect(isRacy("1:2:3:33188::1", from)).toBe(true);
  });
});

describe("the file system's clock", () => {
  const stamp = (dev: number, mtime: number, ctime: number) => `${dev}:2:3:33188:${mtime}:${ctime}`;
  const started = 1_796_600_000 * S;
  const bound = racyFrom(started, 2 * S, { dev: 7, ms: started - 5 * US });

  it("on its device, a file modified or changed in the clock's tick or later is racy, one before it is not", () => {
    expect(isRacy(stamp(7, started - 6 * US, started - 6 * US), bound)).toBe(false);
    expect(isRacy(stamp(7, started - 5 * US, started - 6 * US), bound)).toBe(true);
    expect(isRacy(stamp(7, started - 6 * US, started), bound)).toBe(true);
  });

  it("on another device, the window before the start decides", () => {
    expect(isRacy(stamp(8, started - 6 * US, started - 6 * US), bound)).toBe(true);
    expect(isRacy(stamp(8, started - 3 * S, started - 3 * S), bound)).toBe(false);
  });

  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-clock-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("is read from a file made in the directory and removed at once: not before a file written earlier", () => {
    const file = join(root, "earlier.json");
    writeFileSync(file, "{}");
    const written = lstatSync(file);
    const clock = fileSystemClock(root);
    expect(clock?.dev).toBe(written.dev);
    expect(clock!.ms >= written.mtimeMs).toBe(true);
    expect(readdirSync(root)).toEqual(["earlier.json"]);
    expect(fileSystemClock(join(root, "missing"))).toBeUndefined();
  });

  it("settles the files a merge wrote when the cache is written: no longer racy once the clock moved on, racy when changed since", async () => {
    const output = join(root, "state.json");
    const settings = {
      output,
      lastGoodDir: `${output}.lastgood`,
      watchDir: root,
      manifests: [],
      policy: { maxBytes: 1, maxEntries: 1, allowHosts: null, allowSchemes: null },
      rules: [],
    };
    for (const changedSince of [false, true]) {
      const session = new CacheSession(settings as unknown as ConstructorParameters<typeof CacheSession>[0]);
      writeFileSync(output, "{}\n");
      const confirmed = session.confirmWritten(output, checksumOf(Buffer.from("{}\n")), true)!;
      // written after the session read the clock: racy, as any file written during the merge
      expect(confirmed.racy).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (changedSince) writeFileSync(output, "[]\n");
      const state = { ...confirmed, text: "t", fingerprint: "f", counts: { builders: 0, scheduled: 0, watching: 0, pollers: 0 } };
      session.writeCache(
        {
          code: "c",
          key: session.key,
          startedMs: 0,
          today: "2026-12-07",
          global: "g",
          manifests: [],
          factories: null,
          state,
          lastGoodIndex: null,
          builders: [],
        },
        () => [],
      );
      const check = JSON.parse(readFileSync(`${output}.cache`, "utf8").split("\n")[1]!) as { state: { racy: boolean; stamp: string } };
      expect(check.state.stamp).toBe(confirmed.stamp);
      expect(check.state.racy).toBe(changedSince);
      expect(stampOf(lstatSync(output)) === confirmed.stamp).toBe(!changedSince);
    }
  });
});

describe("which builders the cache gives back", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-cache-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function setup(bytes: string, recorded: string) {
    const file = join(root, "b.json");
    writeFileSync(file, bytes);
    const given: WatchFileInput = { file, read: () => ({ file, bytes: Buffer.from(bytes) }) };
    const table = new WatchTable();
    const made = factory("b");
    const key = inputKey(given, racyFrom(0));
    const record: CachedBuilder = {
      name: "b",
      section: factoryKey(made),
      input: key.input,
      racy: false,
      digest: digestOf(recorded),
      lastGood: null,
      schedule: true,
      autoWatch: true,
      watches: [],
      watchesDigest: digestOf("[]"),
      problems: [],
      watchFile: { status: "accepted", file },
      kept: null,
    };
    const data = cacheDataOf(table, [record]);
    const plan = (racy: boolean) =>
      planBuilders({ ...data, builders: [{ ...record, racy }] }, new Map([["b", made]]), new Map([["b", given]]), {
        maxBytes: 1024,
        racy: racyFrom(0),
        lastGoodKey: () => "none",
        recaller: new Recaller(table, "2026-12-06", () => []),
      });
    return { plan, data };
  }

  it("trusts an unchanged stamp taken outside the racy window, and confirms a racy one by its digest", () => {
    // the file now holds other bytes of the same size, with the stamp the cache recorded
    const { plan } = setup("bytes-B", "bytes-A");
    expect(plan(false).recalled.has("b")).toBe(true);
    expect(plan(true).recalled.has("b")).toBe(false);
  });

  it("gives back a builder whose file has the recorded digest, whatever its stamp says", () => {
    const { plan } = setup("bytes-A", "bytes-A");
    expect(plan(true).recalled.has("b")).toBe(true);
  });

  it("reads back what it wrote, and nothing from another code, other settings, or a damaged body", () => {
    const { data } = setup("x", "x");
    const text = serializeCache(data);
    const read = (t: string, code = "c", key = "k") => parseCache(Buffer.from(t), code, key);
    expect(read(text)?.full()?.builders).toEqual(data.builders);
    expect(read(text)?.check.builders.map((b) => b.name)).toEqual(["b"]);
    expect(read(text, "other code")).toBeUndefined();
    expect(read(text, "c", "other settings")).toBeUndefined();
    // a damaged payload is found when it is read, a damaged check line at once
    expect(read(text.replace('"accepted"', '"rejected"'))?.full()).toBeUndefined();
    expect(read(text.replace('"today":"2026-12-06"', '"today":"2026-12-07"'))).toBeUndefined();
    expect(read(text.slice(0, -2))).toBeUndefined();
    expect(read("")).toBeUndefined();
  });
});

describe("the watch table", () => {
  const storedLine = (table: WatchTable) => [...table.storedPieces()].join("");
  const watch = (url: string, branch: string): TableWatch => ({ vcs: "git", url, original: url, branch, from: ["auto"] });

  it("numbers a known watch as it was, whether its URL was indexed alone or not", () => {
    const table = new WatchTable();
    const ids = [watch("https://a.example/x.git", "main"), watch("https://b.example/y.git", "main"), watch("https://b.example/y.git", "dev")].map((w) =>
      table.id(w),
    );
    const read = WatchTable.fromStored(storedLine(table))!;
    read.indexOnly(new Set(["https://a.example/x.git"]));
    expect(read.id(watch("https://a.example/x.git", "main"))).toBe(ids[0]);
    // a URL left out of the index: the whole table is indexed, never a second number for a known watch
    expect(read.id(watch("https://b.example/y.git", "dev"))).toBe(ids[2]);
    expect(read.id(watch("https://b.example/y.git", "main"))).toBe(ids[1]);
    expect(read.id(watch("https://a.example/x.git", "dev"))).toBe(3);
    expect(read.size).toBe(4);
    // appended to the line as read, it reads back as the whole table
    const appended = [...read.storedPieces(Buffer.from(storedLine(table)))];
    const text = appended.map((piece) => (typeof piece === "string" ? piece : Buffer.from(piece).toString("utf8"))).join("");
    expect(text).toBe(storedLine(read));
  });

  it("finds the URLs of rows it has not decoded, escaped or not", () => {
    const urls = ["https://a.example/x.git", 'https://b.example/q"uote\\d.git', "https://c.example/caf\u00e9\t.git"];
    for (const escapedToo of [false, true]) {
      const table = new WatchTable();
      const ids = urls.slice(0, escapedToo ? 3 : 1).flatMap((url) => [table.id(watch(url, "main")), table.id(watch(url, "dev"))]);
      const read = WatchTable.fromStored(storedLine(table))!;
      expect(read.size).toBe(ids.length);
      for (const url of urls.slice(0, escapedToo ? 3 : 1)) expect(read.idsOfUrl(url)).toEqual([table.id(watch(url, "main")), table.id(watch(url, "dev"))]);
      expect(read.get(ids.length - 1)).toEqual(table.get(ids.length - 1));
    }
  });

  it("is not used when a row is not a watch, whatever the checksum said", () => {
    const table = new WatchTable();
    table.id(watch("https://a.example/x.git", "main"));
    table.id(watch("https://a.example/x.git", "dev"));
    const line = storedLine(table);
    expect(WatchTable.fromStored(line.replace('"git"', "1"))?.decodeAll()).toBe(false);
    expect(() => WatchTable.fromStored(line.replace('"dev"', "2"))!.get(1)).toThrow(DamagedTableError);
    expect(WatchTable.fromStored(line.slice(0, -1))).toBeUndefined();
    expect(WatchTable.fromStored(line)?.decodeAll()).toBe(true);
  });
});

describe("the state file's layout", () => {
  /** Each poller and builder line as the file has it, found by parsing every line: the oracle. */
  function linesOf(text: string) {
    const bytes = Buffer.from(text);
    const pollers: { vcs: string; url: string; start: number; end: number }[] = [];
    const builders: { name: string; start: number; end: number }[] = [];
    let section = "";
    for (let start = 0, end = bytes.indexOf(10); end >= 0; start = end + 1, end = bytes.indexOf(10, start)) {
      const line = bytes.toString("utf8", start, end);
      if (line === '"pollers":[' || line === '"builders":{') section = line;
      else if (line.startsWith("]") || line.startsWith("}")) section = "";
      else if (section !== "") {
        const bare = line.endsWith(",") ? line.slice(0, -1) : line;
        const lineEnd = start + Buffer.byteLength(bare);
        if (section === '"pollers":[') pollers.push({ ...(JSON.parse(bare) as { vcs: string; url: string }), start, end: lineEnd });
        else builders.push({ name: Object.keys(JSON.parse(`{${bare}}`) as object)[0]!, start, end: lineEnd });
      }
    }
    return { bytes, pollers, builders };
  }

  it("finds every poller and builder line, with its key, whether the pollers are ASCII or not", () => {
    const urls = ["https://a.example/x.git", "https://b.example/y.git", "https://c.example/caf\u00e9.git", "https://d.example/back\\slash.git"];
    for (const extra of [[], [urls[2]!], [urls[3]!]]) {
      const chosen = [...urls.slice(0, 2), ...extra];
      const names = chosen.map((_, index) => `b${index}`);
      const { state } = mergeFarm({
        factories: names.map((name) => factory(name)),
        watchFiles: new Map(names.map((name, index) => [name, fileInput(name, watchFileText(name, [git(chosen[index]!, "main"), git(urls[0]!, "dev")]))])),
        now: new Date("2026-12-07T10:00:00Z"),
      });
      const expected = linesOf(renderState(state));
      expect(expected.pollers.map((poller) => poller.url)).toEqual(expect.arrayContaining(chosen));
      const layout = stateLayout(expected.bytes)!;
      expect(layout.pollers.keys).toEqual(expected.pollers.map(({ vcs, url }) => ({ vcs, url })));
      expect(layout.pollers.starts).toEqual(expected.pollers.map((poller) => poller.start));
      expect(layout.pollers.ends).toEqual(expected.pollers.map((poller) => poller.end));
      expect(layout.builders.keys).toEqual(names);
      expect(layout.builders.starts).toEqual(expected.builders.map((builder) => builder.start));
      expect(layout.builders.ends).toEqual(expected.builders.map((builder) => builder.end));
    }
  });
});
