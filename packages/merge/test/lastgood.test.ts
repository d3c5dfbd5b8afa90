import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadLastGood, mergeFarm, type LastGoodEntry } from "../src/index.js";
import { factory, fileInput, git, watchFileText } from "./helpers.js";

const OCB = "https://github.com/OCA/OCB.git";
const entry = (date: string, branch = "10.0"): LastGoodEntry => ({
  date,
  watches: [{ vcs: "git", url: OCB, branch, origin: { file: "buildout.cfg", line: 3 } }],
});

describe("the last-good store", () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), "autowatch-lastgood-")), "store");
  });
  afterEach(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

  it("writes a builder's file only when its content changes; the index keeps the last day it was accepted", async () => {
    expect(
      await loadLastGood(dir).lastGood.save(
        new Map([
          ["a", entry("2026-11-20")],
          ["b", entry("2026-11-20")],
        ]),
      ),
    ).toEqual(["a", "b"]);
    const before = statSync(join(dir, "a.json"));
    // the same content on later days: no builder file written, only the index
    expect(
      await loadLastGood(dir).lastGood.save(
        new Map([
          ["a", entry("2026-11-22")],
          ["b", entry("2026-11-22", "11.0")],
        ]),
      ),
    ).toEqual(["b"]);
    expect(statSync(join(dir, "a.json")).ino).toBe(before.ino);
    const store = loadLastGood(dir).lastGood;
    expect(store.get("a")).toEqual(entry("2026-11-22"));
    expect(store.get("b")).toEqual(entry("2026-11-22", "11.0"));
    expect(store.get("c")).toBeUndefined();
    // nothing new: nothing written at all
    const index = statSync(join(dir, ".index.json"));
    expect(await store.save(new Map([["a", entry("2026-11-22")]]))).toEqual([]);
    expect(statSync(join(dir, ".index.json")).ino).toBe(index.ino);
  });

  it("is read only for rejected builders, and says from when", async () => {
    await loadLastGood(dir).lastGood.save(
      new Map([
        ["a", entry("2026-11-20")],
        ["b", entry("2026-11-20")],
      ]),
    );
    writeFileSync(join(dir, "b.json"), "{ damaged");
    const store = loadLastGood(dir).lastGood;
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
      { level: "warning", code: "merge.lastgood.invalid", builder: "b", file: join(dir, "b.json"), message: "last-good file is not valid: ignored" },
    ]);
    expect(state.builders.b!.watches).toEqual([]);
  });

  it("a damaged index is reported and rebuilt; the builder files still count", async () => {
    await loadLastGood(dir).lastGood.save(new Map([["a", entry("2026-11-20")]]));
    writeFileSync(join(dir, ".index.json"), "garbage");
    const { lastGood, problems } = loadLastGood(dir);
    expect(problems).toEqual([
      { level: "warning", code: "merge.lastgood.invalid", file: join(dir, ".index.json"), message: "last-good file is not valid: ignored" },
    ]);
    expect(lastGood.get("a")).toEqual(entry("2026-11-20"));
    expect(await lastGood.save(new Map([["a", entry("2026-11-21")]]))).toEqual(["a"]);
    expect(JSON.parse(readFileSync(join(dir, ".index.json"), "utf8")).builders).toEqual([["a", expect.stringMatching(/^[0-9a-f]{64}$/), "2026-11-21"]]);
  });
});
