import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeFarm, stateFingerprint, statesDiffer, type MergeInput } from "../src/index.js";
import { stateFromText } from "../src/state.js";
import { serializeState } from "@autowatch/watchfile";
import { readStateFingerprint, renderState, renderStatePieces } from "../src/state.js";
import { NOW, factory, fileInput, git, watchFileText } from "./helpers.js";

const OCB = "https://github.com/OCA/OCB.git";

/** A merge with odd names, rewrites, problems of every level, hostile values and mixed kinds. */
function oddMerge(explain?: boolean) {
  // (no "__proto__"/"constructor": the manifest refuses such sections, parseState such keys)
  const names = ["z", "10", "2", "a\u202eb", "émile", "m"];
  const input: MergeInput = {
    factories: [
      ...names.map((name, i) => factory(name, { manual: [{ vcs: "git", url: `https://git.example.com/r${i % 3}.git`, branch: `b${i}` }] })),
      factory("hg-one", { manual: [{ vcs: "hg", url: "https://git.example.com/r0.git", branch: "default" }] }),
      factory("off", { schedule: false }),
    ],
    watchFiles: new Map([
      ["z", fileInput("z", watchFileText("z", [git(OCB, "2", 3), git(OCB, "1"), git("https://x.example/\u2028y.git", "1"), git("-bad", "1")]))],
      ["m", fileInput("m", "not json\u0085")],
      ["10", fileInput("10", "[]")],
      ["ghost", fileInput("ghost", "[]")],
    ]),
    now: NOW,
    rules: [{ from: "https://git.example.com/", to: "ssh://git@mirror/" }],
    problems: [
      { level: "info", code: "manifest.inherit.empty", message: "from the manifest", file: "MANIFEST.cfg", line: 1 },
      { level: "error", code: "manifest.watch.vcs", message: "b", file: "MANIFEST.cfg", line: 1 },
    ],
    explain,
  };
  return mergeFarm(input);
}

describe("the state as mergeFarm builds it", () => {
  it("renders to the same bytes as serializeState, and parses back to itself", () => {
    const { state } = oddMerge();
    expect(state.problems.length).toBeGreaterThan(3);
    const text = renderState(state);
    expect(text).toBe(serializeState(state));
    expect(stateFromText(text)).toEqual(state);
    expect(text.startsWith(`{"schema":"autowatch.state/1","fingerprint":"${state.fingerprint}",\n"pollers":[\n`)).toBe(true);
  });

  it("writes one poller, builder or problem per line, and no raw control or bidi character", () => {
    const { state } = oddMerge();
    const lines = renderState(state).split("\n");
    for (const poller of state.pollers)
      expect(lines.filter((line) => line.startsWith(`{"vcs":${JSON.stringify(poller.vcs)},"url":${JSON.stringify(poller.url)},"original"`))).toHaveLength(1);
    for (const name of Object.keys(state.builders)) {
      const line = lines.find((candidate) => candidate.startsWith(`${JSON.stringify(name).replace("\u202e", "\\u202e")}:{"schedule":`));
      expect(line, name).toBeDefined();
      expect(JSON.parse(`{${line!.replace(/,$/, "")}}`)).toEqual({ [name]: state.builders[name] });
    }
    expect(lines.filter((line) => line.startsWith('{"level":'))).toHaveLength(state.problems.length);
    expect(renderState(state)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
  });

  it("without explain, keeps no reasons and changes no byte of the state nor any problem", () => {
    const explained = oddMerge();
    const plain = oddMerge(false);
    expect(renderState(plain.state)).toBe(renderState(explained.state));
    expect(plain.problems).toEqual(explained.problems);
    expect([...plain.lastGood]).toEqual([...explained.lastGood]);
    const reasons = (result: ReturnType<typeof oddMerge>) => [...result.details.values()].flatMap((detail) => detail.watches.flatMap((watch) => watch.reasons));
    expect(reasons(explained).length).toBeGreaterThan(5);
    expect(reasons(plain)).toEqual([]);
  });

  it("carries the fingerprint of its pollers and change filters, the same as computed from any copy", () => {
    const { state } = oddMerge();
    expect(state.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const copy = stateFromText(serializeState(state))!;
    expect(stateFingerprint({ ...copy, fingerprint: "forged" })).toBe(state.fingerprint);
    // order and problems do not count, schedule flags and branches do
    const shuffled = { ...copy, pollers: [...copy.pollers].reverse(), builders: Object.fromEntries(Object.entries(copy.builders).reverse()), problems: [] };
    expect(statesDiffer(state, shuffled)).toBe(false);
    const unscheduled = { ...copy, builders: { ...copy.builders, z: { ...copy.builders.z!, schedule: false } } };
    expect(statesDiffer(state, unscheduled)).toBe(true);
    const autoWatchOnly = { ...copy, builders: { ...copy.builders, z: { ...copy.builders.z!, autoWatch: false } } };
    expect(statesDiffer(state, autoWatchOnly)).toBe(false);
  });
});

describe("readStateFingerprint", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "autowatch-state-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the fingerprint from the head of a whole state file only", () => {
    const { state } = oddMerge();
    const text = renderState(state);
    const file = join(dir, "state.json");
    writeFileSync(file, text);
    expect(readStateFingerprint(file)).toBe(state.fingerprint);
    const small = renderState(mergeFarm({ factories: [], watchFiles: new Map(), now: NOW }).state);
    writeFileSync(file, small);
    expect(small.length).toBeLessThan(256);
    expect(readStateFingerprint(file)).toMatch(/^[0-9a-f]{64}$/);
    // truncated, without fingerprint (an older autowatch), garbled, missing: unknown (counts as changed)
    writeFileSync(file, text.slice(0, text.length - 10));
    expect(readStateFingerprint(file)).toBeUndefined();
    const { fingerprint: _, ...old } = state;
    writeFileSync(file, serializeState(old));
    expect(readStateFingerprint(file)).toBeUndefined();
    writeFileSync(file, text.replace('"fingerprint":"', '"fingerprint":"x'));
    expect(readStateFingerprint(file)).toBeUndefined();
    expect(readStateFingerprint(join(dir, "absent.json"))).toBeUndefined();
  });
});

describe("the state written in pieces", () => {
  it("gives the same bytes as rendered whole, for lists and maps longer than a piece", () => {
    // integer-like names sort first in a JS object, "__proto__" is an own key: pieces keep both
    const names = [...Array.from({ length: 700 }, (_, i) => `b${i}`), "7", "1000", "__proto__"];
    const { state } = mergeFarm({
      factories: names.map((name, i) => factory(name, { manual: [{ vcs: "git", url: `https://git.example.com/r${i}.git`, branch: "main" }] })),
      watchFiles: new Map(names.map((name) => [name, fileInput(name, "[1,")])),
      now: NOW,
    });
    expect(state.pollers.length).toBeGreaterThan(512);
    expect(state.problems.length).toBeGreaterThan(512);
    const pieces: string[] = [];
    renderStatePieces(state, (piece) => pieces.push(Buffer.from(piece).toString("utf8")));
    expect(pieces.length).toBeGreaterThan(6);
    expect(pieces.join("")).toBe(renderState(state));
    const small: string[] = [];
    const empty = mergeFarm({ factories: [], watchFiles: new Map(), now: NOW }).state;
    renderStatePieces(empty, (piece) => small.push(Buffer.from(piece).toString("utf8")));
    expect(small.join("")).toBe(serializeState(empty));
  });
});
