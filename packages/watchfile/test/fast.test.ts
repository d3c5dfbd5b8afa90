import { describe, expect, it } from "vitest";
import { legacyEntry, pinnedEntry, problemEntry, readWatchFileFast, watchEntry } from "../src/fast.js";
import { parseWatchFile, parseWatchFileCarefully } from "../src/parse.js";
import type { ParseOptions } from "../src/parse.js";
import { legacyWatchFileSchema, pinnedEntrySchema, WATCHFILE_SCHEMA_ID, watchEntrySchema, watchFileProblemSchema } from "../src/schema.js";
import type { z } from "zod";
// the bench generators' mulberry32: a failing seed replays
import { seeded, type Seeded } from "../../../tests/support/random.mjs";

type Random = Seeded;

function validFile(random: Random): Record<string, unknown> {
  const watches = Array.from({ length: 1 + random.int(4) }, (_, index) => {
    const entry: Record<string, unknown> = {
      vcs: random.pick(["git", "hg", "bzr", "svn"]),
      url: `https://example.org/r${index}.git`,
      revspec: random.pick(["10.0", "", "main"]),
    };
    if (random.chance(0.7)) entry.origin = { file: "buildout.cfg", line: 10 + index, section: "odoo", option: "addons" };
    return entry;
  });
  const pinned = Array.from({ length: random.int(3) }, (_, index) => ({
    vcs: "git",
    url: `https://example.org/p${index}.git`,
    revspec: "a1b2c3d",
    why: random.pick(["commit", "tag", "revision", "node", "revid", "unknown"]),
  }));
  const file: Record<string, unknown> = { schema: WATCHFILE_SCHEMA_ID, builder: "odoo-10.0", generated: "2026-11-24T10:00:00Z" };
  if (random.chance(0.5)) file.generator = "@autowatch/introspect 0.1.0";
  if (random.chance(0.7)) file.buildout = random.chance(0.5) ? { config: "buildout.cfg", part: "odoo" } : { config: "b.cfg" };
  file.watches = watches;
  if (random.chance(0.8)) file.pinned = pinned;
  if (random.chance(0.5)) {
    // a code or none (workers older than codes), known or only code-shaped (a newer worker's)
    const code = random.chance(0.3) ? {} : { code: random.pick(["merge.url.option", "introspect.future.code"]) };
    file.problems = [{ level: random.pick(["error", "warning", "info"]), ...code, message: "m", ...(random.chance(0.5) ? { file: "f", line: 3 } : {}) }];
  }
  return file;
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  -0,
  2 ** 53,
  "",
  "x",
  "cvs",
  "git",
  "commit",
  "warning",
  "Merge.Url",
  "merge",
  "merge.url.option",
  [],
  [1],
  {},
  { file: "f" },
  { file: "f", line: -1 },
  { config: "c" },
  { line: 1, file: "f" },
];
const ODD_KEYS = ["__proto__", "constructor", "prototype", "extra", "vcs", "url", "origin", "line", "0", "why", "level", "code"];

/** Every object and list inside `root` (the root included). */
function containers(root: unknown): (Record<string, unknown> | unknown[])[] {
  const found: (Record<string, unknown> | unknown[])[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      found.push(value);
      value.forEach(walk);
    } else if (value !== null && typeof value === "object") {
      found.push(value as Record<string, unknown>);
      Object.values(value).forEach(walk);
    }
  };
  walk(root);
  return found;
}

/** One random change to a document: a value's type, a missing or extra field, reordered keys, proto keys, deep nesting. */
function mutate(document: unknown, random: Random): unknown {
  const target = random.pick(containers(document));
  if (Array.isArray(target)) {
    if (target.length === 0 || random.chance(0.3)) target.push(structuredClone(random.pick(ODD_VALUES)));
    else target[random.int(target.length)] = structuredClone(random.pick(ODD_VALUES));
    return document;
  }
  const keys = Object.keys(target);
  const key = keys.length > 0 ? random.pick(keys) : "x";
  switch (random.int(5)) {
    case 0:
      target[key] = structuredClone(random.pick(ODD_VALUES));
      break;
    case 1:
      delete target[key];
      break;
    case 2:
      Object.defineProperty(target, random.pick(ODD_KEYS), {
        value: structuredClone(random.pick(ODD_VALUES)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      break;
    case 3: {
      // same fields, another order
      const entries = Object.entries(target).reverse();
      for (const name of keys) delete target[name];
      for (const [name, value] of entries) target[name] = value;
      break;
    }
    default: {
      let deep: unknown = "v";
      for (let level = 0; level < 3 + random.int(40); level++) deep = random.chance(0.5) ? [deep] : { d: deep };
      target[key] = deep;
    }
  }
  return document;
}

function expectSameResult(input: string | Uint8Array, options: ParseOptions = {}) {
  const fast = parseWatchFile(input, options);
  const careful = parseWatchFileCarefully(input, options);
  expect(fast).toStrictEqual(careful);
  // key order too: the value is serialised and compared as text downstream
  expect(JSON.stringify(fast)).toBe(JSON.stringify(careful));
  return readWatchFileFast(input, { maxBytes: options.maxBytes ?? 1 << 20, maxEntries: options.maxEntries ?? 1000, maxDepth: options.maxDepth ?? 32 }).value;
}

describe("parseWatchFile fast path", () => {
  it("gives exactly the careful path's result on valid files and random mutations of them", () => {
    const random = seeded(20261124);
    let fast = 0;
    let fallback = 0;
    for (let round = 0; round < 1500; round++) {
      let document: unknown = validFile(random);
      if (random.chance(0.15))
        document = (document as { watches: { vcs: string; url: string; revspec: string }[] }).watches.map(({ vcs, url, revspec }) => ({ vcs, url, revspec }));
      for (let count = random.chance(0.25) ? 0 : 1 + random.int(3); count > 0; count--) document = mutate(document, random);
      const text = JSON.stringify(document, null, random.chance(0.5) ? 2 : undefined);
      const input = random.chance(0.5) ? Buffer.from(text) : text;
      const options: ParseOptions = random.chance(0.1) ? { maxEntries: 2, maxDepth: 1 + random.int(6), file: "w.json", builder: "b" } : {};
      if (expectSameResult(input, options) === undefined) fallback++;
      else fast++;
    }
    // both paths were really exercised
    expect(fast).toBeGreaterThan(300);
    expect(fallback).toBeGreaterThan(300);
  });

  it("takes the fast path for a file in schema order and hands back a value equal to zod's", () => {
    const document = validFile(seeded(1));
    expect(expectSameResult(JSON.stringify(document))).toBeDefined();
  });

  it("agrees on byte-level oddities: BOMs, bad UTF-8, lone surrogates, size limits, empty and deep input", () => {
    const good = JSON.stringify(validFile(seeded(2)));
    const inputs: (string | Uint8Array)[] = [
      `\uFEFF${good}`,
      `\uFEFF\uFEFF${good}`,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]),
      Buffer.concat([Buffer.from(good.slice(0, 20)), Buffer.from([0xc3, 0x28]), Buffer.from(good.slice(20))]),
      good.replace("odoo-10.0", "odoo-\uD800"),
      Buffer.from(good.replace("odoo-10.0", "odoo-é€𝄞")),
      Buffer.from(good.replace("odoo-10.0", "odoo-\u007f")),
      good.replace("odoo-10.0", "odoo-\\uD800"),
      good.replace('"builder"', '"\\u005f_proto__"'),
      good.replace('"builder"', '"constructor"'),
      "",
      "   ",
      "[]",
      "{}",
      "null",
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      `{"schema":"${WATCHFILE_SCHEMA_ID}","watches":[],"x":${'{"a":'.repeat(50)}1${"}".repeat(50)}}`,
    ];
    for (const input of inputs) expectSameResult(input);
    expectSameResult(good, { maxBytes: 10 });
    expectSameResult(Buffer.from(good), { maxBytes: 10 });
    expectSameResult(good, { maxDepth: 3 });
    expectSameResult(good, { maxEntries: 0 });
  });
});

describe("entry checks of the fast path", () => {
  const checks: [string, (item: unknown) => unknown, z.ZodType][] = [
    ["watch", watchEntry, watchEntrySchema],
    ["pinned", pinnedEntry, pinnedEntrySchema],
    ["problem", problemEntry, watchFileProblemSchema],
    ["legacy", legacyEntry, legacyWatchFileSchema.element],
  ];

  it("accept an entry only when zod does, and return what zod returns (keys in schema order)", () => {
    const random = seeded(7);
    const accepted = new Map<string, number>();
    for (let round = 0; round < 3000; round++) {
      const file = validFile(random) as { watches: unknown[]; pinned?: unknown[]; problems?: unknown[] };
      const entries = [...file.watches, ...(file.pinned ?? []), ...(file.problems ?? [])];
      let entry: unknown = structuredClone(random.pick(entries));
      for (let count = random.int(3); count > 0; count--) entry = (mutate({ entry }, random) as { entry: unknown }).entry;
      // through JSON, as the parser sees it
      entry = JSON.parse(JSON.stringify({ entry }) ?? "{}").entry;
      for (const [name, check, schema] of checks) {
        const ours = check(entry);
        if (ours === undefined) continue;
        accepted.set(name, (accepted.get(name) ?? 0) + 1);
        const theirs = schema.safeParse(entry);
        expect(theirs.success).toBe(true);
        expect(ours).toStrictEqual(theirs.data);
        expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs.data));
      }
    }
    for (const [name] of checks) expect(accepted.get(name) ?? 0).toBeGreaterThan(100);
  });
});
