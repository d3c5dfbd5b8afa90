import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadLastGood, mergeFarm, type LastGoodEntry } from "../src/index.js";
import { contentHash, loadLastGoodOf } from "../src/lastgood.js";
import { factory, fileInput, git, watchFileText } from "./helpers.js";

const OCB = "https://github.com/OCA/OCB.git";
const entry = (date: string, branch = "10.0"): LastGoodEntry => ({
  date,
  watches: [{ vcs: "git", url: OCB, branch, origin: { file: "buildout.cfg", line: 3 } }],
});

describe("the last-good store", () => {
  let dir: string;
  const packs = () => readdirSync(dir).filter((name) => name.startsWith("pack-"));
  const index = () => JSON.parse(readFileSync(join(dir, ".index.json"), "utf8")) as { packs: [string, number, number?][] };
  /** The packs the index knows. */
  const indexedPacks = () => index().packs.map(([pack]) => pack);
  /** The packs the index says are retired, and since when. */
  const retired = () =>
    index()
      .packs.filter((row) => row.length === 3)
      .map(([pack, , since]) => [pack, since]);
  const packLines = (pack: string) =>
    readFileSync(join(dir, pack), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { builder: string });
  /** Spaces over the line's first bytes: still its length, no longer JSON. */
  const damageLine = (file: string, at: { offset: number; length: number }) => {
    const bytes = readFileSync(file);
    bytes.fill(0x20, at.offset, at.offset + 5);
    writeFileSync(file, bytes);
  };
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), "autowatch-lastgood-")), "store");
  });
  afterEach(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

  it("writes a builder's entry only when its content changes; the index keeps the last day it was accepted", async () => {
    expect(
      await loadLastGood(dir).lastGood.save(
        new Map([
          ["a", entry("2026-11-20")],
          ["b", entry("2026-11-20")],
        ]),
      ),
    ).toEqual(["a", "b"]);
    const [first] = packs();
    expect(packLines(first!).map((line) => line.builder)).toEqual(["a", "b"]);
    // the same content on later days: no entry written again, only the index
    expect(
      await loadLastGood(dir).lastGood.save(
        new Map([
          ["a", entry("2026-11-22")],
          ["b", entry("2026-11-22", "11.0")],
        ]),
      ),
    ).toEqual(["b"]);
    const second = packs().find((pack) => pack !== first)!;
    expect(packLines(second).map((line) => line.builder)).toEqual(["b"]);
    const store = loadLastGood(dir).lastGood;
    expect(store.fileOf("a")).toBe(join(dir, first!));
    expect(store.get("a")).toEqual(entry("2026-11-22"));
    expect(store.get("b")).toEqual(entry("2026-11-22", "11.0"));
    expect(store.get("c")).toBeUndefined();
    // nothing new: nothing written at all
    const index = statSync(join(dir, ".index.json"));
    expect(await store.save(new Map([["a", entry("2026-11-22")]]))).toEqual([]);
    expect(statSync(join(dir, ".index.json")).ino).toBe(index.ino);
    // a pack none of whose entries is indexed any more is retired, and removed 10 minutes later
    // (a merge running meanwhile may still index it)
    const at = new Date("2026-11-23T10:00:00Z");
    expect(await store.save(new Map([["a", entry("2026-11-23", "12.0")]]), at)).toEqual(["a"]);
    expect(packs()).toContain(first);
    expect(retired()).toEqual([[first, at.getTime()]]);
    expect(loadLastGood(dir).lastGood.get("a")).toEqual(entry("2026-11-23", "12.0"));
    expect(await loadLastGood(dir).lastGood.save(new Map([["b", entry("2026-11-23", "12.0")]]), new Date(at.getTime() + 9 * 60_000))).toEqual(["b"]);
    expect(packs()).toContain(first);
    expect(await loadLastGood(dir).lastGood.save(new Map([["b", entry("2026-11-23", "13.0")]]), new Date(at.getTime() + 10 * 60_000))).toEqual(["b"]);
    expect(packs()).not.toContain(first);
    expect(retired().map(([pack]) => pack)).not.toContain(first);
  });

  it("writes rows it read again as they were; an index out of order or laid out otherwise is read, and written in order", async () => {
    const file = join(dir, ".index.json");
    const builders = ["a", "b", "c", "d"];
    await loadLastGood(dir).lastGood.save(new Map(builders.map((name) => [name, entry("2026-11-20")])));
    const rows = () => readFileSync(file, "utf8").split("\n").slice(1, -2);
    const before = rows();
    expect(before).toHaveLength(4);
    // a row read as text is not made again: an operator's spaces in it stay
    const row = before[1]!.slice(0, -1);
    const spaced = row.replaceAll(",", ", ");
    writeFileSync(file, readFileSync(file, "utf8").replace(row, spaced));
    await loadLastGood(dir).lastGood.save(new Map([["c", entry("2026-11-21", "11.0")]]));
    expect(rows()[1]).toBe(`${spaced},`);
    expect(rows()[0]).toBe(before[0]);
    expect(rows()[2]).not.toBe(before[2]);
    // rows out of order (an operator's edit): sorted again at the next save
    const text = readFileSync(file, "utf8").split("\n");
    const [a, b, c, d] = text.slice(1, 5).map((line) => line.replace(/,$/, ""));
    writeFileSync(file, [text[0], [d, b, c, a].join(",\n"), ...text.slice(5)].join("\n"));
    const shuffled = loadLastGood(dir);
    expect(shuffled.problems).toEqual([]);
    await shuffled.lastGood.save(new Map([["a", entry("2026-11-22", "12.0")]]));
    expect(rows().map((row) => (JSON.parse(row.replace(/,$/, "")) as string[])[0])).toEqual(builders);
    // the same index as other JSON (pretty-printed): every entry read, the next save writes the usual layout
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    writeFileSync(file, JSON.stringify(data, null, 2));
    expect(loadLastGood(dir).problems).toEqual([]);
    const store = loadLastGood(dir).lastGood;
    for (const name of builders) expect(store.get(name)).toBeDefined();
    expect(store.get("a")).toEqual(entry("2026-11-22", "12.0"));
    await store.save(new Map([["d", entry("2026-11-23", "13.0")]]));
    expect(rows()).toHaveLength(4);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ schema: "autowatch.lastgood-index/2" });
    expect(loadLastGood(dir).problems).toEqual([]);
  });

  it("reads one builder's row alone for explain, as a whole read gives it; such a store is never saved", async () => {
    const builders = ["a", "b", "c"];
    await loadLastGood(dir).lastGood.save(new Map(builders.map((name) => [name, entry("2026-11-20")])));
    await loadLastGood(dir).lastGood.save(new Map([["b", entry("2026-11-21", "11.0")]]));
    const whole = loadLastGood(dir).lastGood;
    for (const name of [...builders, "missing"]) {
      const one = loadLastGoodOf(dir, name);
      expect(one.problems).toEqual([]);
      expect(one.lastGood.get(name)).toEqual(whole.get(name));
      const row = (store: typeof whole) => {
        const indexed = store.indexed(name);
        return indexed && { hash: indexed.hash, date: indexed.date, at: indexed.at };
      };
      expect(row(one.lastGood)).toEqual(row(whole));
    }
    // the row alone: the other builders' rows are not read
    expect(loadLastGoodOf(dir, "b").lastGood.indexed("a")).toBeUndefined();
    await expect(loadLastGoodOf(dir, "b").lastGood.save(new Map([["b", entry("2026-11-22", "12.0")]]))).rejects.toThrow(/never saved/);
    expect(loadLastGood(dir).lastGood.get("a")).toEqual(entry("2026-11-20"));
    // an index laid out otherwise is read whole
    const file = join(dir, ".index.json");
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, "utf8")), null, 2));
    expect(loadLastGoodOf(dir, "b").lastGood.indexed("a")?.hash).toBe(whole.indexed("a")?.hash);
    expect(loadLastGoodOf(dir, "b").lastGood.get("b")).toEqual(entry("2026-11-21", "11.0"));
  });

  it("two saves at once: the pack one retires is still there for the index of the other, which wins", async () => {
    await loadLastGood(dir).lastGood.save(new Map([["a", entry("2026-11-20")]]));
    const [first] = packs();
    const one = loadLastGood(dir).lastGood;
    const other = loadLastGood(dir).lastGood;
    // the first supersedes a's entry (its pack retired), the second, loaded before, still indexes it there
    await one.save(new Map([["a", entry("2026-11-21", "11.0")]]), new Date("2026-11-21T10:00:00Z"));
    await other.save(new Map([["b", entry("2026-11-21")]]), new Date("2026-11-21T10:00:01Z"));
    expect(packs()).toContain(first);
    expect(loadLastGood(dir).lastGood.get("a")).toEqual(entry("2026-11-20"));
    expect(loadLastGood(dir).lastGood.get("b")).toEqual(entry("2026-11-21"));
  });

  it("writes the entries still indexed as one pack when the packs are mostly entries that are not", async () => {
    const big = (date: string): LastGoodEntry => ({
      date,
      watches: Array.from({ length: 100 }, (_, n) => ({ vcs: "git" as const, url: `https://git.example.com/${"x".repeat(80)}/${n}.git`, branch: "main" })),
    });
    const builders = Array.from({ length: 120 }, (_, n) => `b${String(n).padStart(3, "0")}`);
    await loadLastGood(dir).lastGood.save(new Map(builders.map((b) => [b, big("2026-11-20")])));
    const [first] = packs();
    // every builder but one gets a small entry: the first pack is 1.2 MB of which 10 KB still count
    const at = new Date("2026-11-21T10:00:00Z");
    await loadLastGood(dir).lastGood.save(new Map(builders.slice(1).map((b) => [b, entry("2026-11-21")])), at);
    const live = indexedPacks().filter((pack) => !retired().some(([name]) => name === pack));
    expect(live).toHaveLength(1);
    expect(live[0]).not.toBe(first);
    expect(packLines(live[0]!).map((line) => line.builder)).toEqual(builders);
    expect(retired().map(([pack]) => pack)).toContain(first);
    const store = loadLastGood(dir).lastGood;
    expect(new Set(builders.map((b) => store.fileOf(b)))).toEqual(new Set([join(dir, live[0]!)]));
    expect(store.get(builders[0]!)).toEqual(big("2026-11-20"));
    for (const b of builders.slice(1)) expect(store.get(b)).toEqual(entry("2026-11-21"));
    // the packs it replaced are removed at a save 10 minutes later
    await store.save(new Map([["b001", entry("2026-11-21", "11.0")]]), new Date(at.getTime() + 10 * 60_000));
    expect(packs()).not.toContain(first);
    expect(new Set(packs())).toEqual(new Set(indexedPacks()));
  });

  it("is read only for rejected builders, and says from when", async () => {
    await loadLastGood(dir).lastGood.save(
      new Map([
        ["a", entry("2026-11-20")],
        ["b", entry("2026-11-20")],
      ]),
    );
    const store = loadLastGood(dir).lastGood;
    damageLine(store.fileOf("b"), store.indexed("b")!.at!);
    const asked: string[] = [];
    const spy = { get: (builder: string) => (asked.push(builder), store.get(builder)) };
    const { state, problems } = mergeFarm({
      factories: [factory("a"), factory("b"), factory("ok")],
      watchFiles: new Map([
        ["a", fileInput("a", "[1,")],
        ["b", fileInput("b", "")],
        ["ok", fileInput("ok", watchFileText("ok", [git(OCB, "12.0")]))],
      ]),
      lastGood: spy,
      now: new Date("2026-11-24T10:00:00Z"),
    });
    expect(asked).toEqual(["a", "b"]);
    expect(state.builders.a!.watches).toEqual([{ vcs: "git", url: OCB, branch: "10.0", from: ["auto"] }]);
    expect(problems.filter((p) => p.builder === "a").map((p) => p.message)).toEqual([expect.stringMatching(/: last good watches from 2026-11-20 kept$/)]);
    expect(problems.filter((p) => p.builder === "b" && p.level === "warning")).toEqual([
      { level: "warning", code: "merge.lastgood.invalid", builder: "b", file: store.fileOf("b"), message: "last-good file is not valid: ignored" },
    ]);
    expect(state.builders.b!.watches).toEqual([]);
  });

  it("reads a store of the layout before packs, and moves a builder's entry to a pack when its content changes", async () => {
    const own = (builder: string, date: string) => ({
      schema: "autowatch.lastgood/1",
      builder,
      date,
      watches: [{ vcs: "git", url: OCB, revspec: "10.0", origin: { file: "buildout.cfg", line: 3 } }],
    });
    mkdirSync(dir, { recursive: true });
    for (const builder of ["a", "b"]) writeFileSync(join(dir, `${builder}.json`), JSON.stringify(own(builder, "2026-11-20"), null, 2));
    const hash = contentHash(entry("2026-11-20").watches);
    writeFileSync(
      join(dir, ".index.json"),
      JSON.stringify({
        schema: "autowatch.lastgood-index/1",
        builders: [
          ["a", hash, "2026-11-21"],
          ["b", hash, "2026-11-20"],
        ],
      }),
    );
    const store = loadLastGood(dir).lastGood;
    expect(store.get("a")).toEqual(entry("2026-11-21"));
    expect(await store.save(new Map([["b", entry("2026-11-22", "11.0")]]))).toEqual(["b"]);
    const after = loadLastGood(dir).lastGood;
    expect(after.fileOf("a")).toBe(join(dir, "a.json"));
    expect(after.get("a")).toEqual(entry("2026-11-21"));
    expect(after.fileOf("b")).toMatch(/pack-[0-9a-f]{16}\.jsonl$/);
    expect(after.get("b")).toEqual(entry("2026-11-22", "11.0"));
    expect(JSON.parse(readFileSync(join(dir, ".index.json"), "utf8")).schema).toBe("autowatch.lastgood-index/2");
  });

  it("a damaged or missing index is reported and made again from the packs: every entry still counts", async () => {
    await loadLastGood(dir).lastGood.save(new Map([["a", entry("2026-11-20")]]));
    await loadLastGood(dir).lastGood.save(new Map([["a", entry("2026-11-21", "11.0")]]));
    // an entry of the store's layout before packs, in a file of its own, is still read
    const legacy = {
      schema: "autowatch.lastgood/1",
      builder: "legacy",
      date: "2026-11-19",
      watches: [{ vcs: "git", url: OCB, revspec: "10.0", origin: { file: "buildout.cfg", line: 3 } }],
    };
    writeFileSync(join(dir, "legacy.json"), JSON.stringify(legacy, null, 2));
    rmSync(join(dir, ".index.json"));
    expect(loadLastGood(dir).lastGood.get("a")).toEqual(entry("2026-11-21", "11.0"));
    expect(loadLastGood(dir).lastGood.get("legacy")).toEqual(entry("2026-11-19"));
    writeFileSync(join(dir, ".index.json"), "garbage");
    const { lastGood, problems } = loadLastGood(dir);
    expect(problems).toEqual([
      { level: "warning", code: "merge.lastgood.invalid", file: join(dir, ".index.json"), message: "last-good file is not valid: ignored" },
    ]);
    expect(lastGood.get("a")).toEqual(entry("2026-11-21", "11.0"));
    expect(await lastGood.save(new Map([["a", entry("2026-11-22")]]))).toEqual(["a"]);
    expect(JSON.parse(readFileSync(join(dir, ".index.json"), "utf8")).builders).toEqual([
      ["a", expect.stringMatching(/^[0-9a-f]{64}$/), "2026-11-22", expect.stringMatching(/^pack-[0-9a-f]{16}\.jsonl$/), 0, expect.any(Number)],
    ]);
  });
});
