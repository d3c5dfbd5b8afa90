import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseState, parseWatchFile, serializeState, serializeWatchFile, STATE_SCHEMA_ID, WATCHFILE_SCHEMA_ID } from "@autowatch/watchfile";
import { PROBLEM_CODES } from "@autowatch/watchfile/text";
import { jsonSchemaFiles } from "../src/json-schema.js";
import type { State, WatchFile } from "@autowatch/watchfile";

/** The same object with its keys in reverse order, all the way down. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reverseKeys(item)]),
    );
  }
  return value;
}

const watchFile: WatchFile = {
  schema: WATCHFILE_SCHEMA_ID,
  builder: "odoo-10.0",
  generated: "2026-11-24T10:00:00Z",
  buildout: { config: "buildout.cfg", part: "odoo" },
  watches: [
    { vcs: "hg", url: "https://hg.example.org/a", revspec: "default" },
    { vcs: "git", url: "https://github.com/OCA/web.git", revspec: "10.0", origin: { file: "buildout.cfg", line: 14, section: "odoo", option: "addons" } },
    { vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0", origin: { file: "buildout.cfg", line: 12, section: "odoo", option: "version" } },
    { vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: "10.0", origin: { file: "base.cfg", line: 3 } },
  ],
  pinned: [
    { vcs: "git", url: "https://github.com/OCA/x.git", revspec: "v1", why: "tag" },
    { vcs: "git", url: "https://github.com/OCA/x.git", revspec: "a1b2c3d", why: "commit" },
  ],
  problems: [
    { level: "warning", message: "b" },
    { level: "error", message: "a", file: "buildout.cfg", line: 3 },
    { level: "info", message: "a" },
  ],
};

describe("serializeWatchFile", () => {
  const expected = serializeWatchFile(watchFile);

  it("writes 2-space JSON with a trailing newline, keys in schema order, lists sorted", () => {
    expect(expected.endsWith("}\n")).toBe(true);
    expect(expected.split("\n")[1]).toBe(`  "schema": "${WATCHFILE_SCHEMA_ID}",`);
    const parsed = JSON.parse(expected);
    expect(Object.keys(parsed)).toEqual(["schema", "builder", "generated", "buildout", "watches", "pinned", "problems"]);
    expect(parsed.watches.map((w: { url: string; origin?: { file: string } }) => `${w.url} ${w.origin?.file ?? "-"}`)).toEqual([
      "https://github.com/OCA/OCB.git base.cfg",
      "https://github.com/OCA/OCB.git buildout.cfg",
      "https://github.com/OCA/web.git buildout.cfg",
      "https://hg.example.org/a -",
    ]);
    expect(parsed.pinned.map((p: { revspec: string }) => p.revspec)).toEqual(["a1b2c3d", "v1"]);
    expect(parsed.problems.map((p: { level: string }) => p.level)).toEqual(["warning", "info", "error"]);
    expect(Object.keys(parsed.watches[1].origin)).toEqual(["file", "line", "section", "option"]);
  });

  it("gives byte-identical output whatever the order of keys and entries", () => {
    const shuffled = {
      ...(reverseKeys(watchFile) as typeof watchFile),
      watches: [...watchFile.watches].reverse().map(reverseKeys),
      pinned: [...watchFile.pinned].reverse(),
      problems: [...watchFile.problems].reverse().map(reverseKeys),
    };
    expect(serializeWatchFile(shuffled as never)).toBe(expected);
  });

  it("round-trips through parseWatchFile", () => {
    const parsed = parseWatchFile(expected);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(serializeWatchFile(parsed.value)).toBe(expected);
  });

  it("fills defaults and drops fields the schema does not know", () => {
    const text = serializeWatchFile({ schema: WATCHFILE_SCHEMA_ID, watches: [], extra: 1 } as never);
    expect(text).toBe(`{\n  "schema": "${WATCHFILE_SCHEMA_ID}",\n  "watches": [],\n  "pinned": [],\n  "problems": []\n}\n`);
  });

  it("escapes the control and bidi characters JSON.stringify leaves raw", () => {
    const text = serializeWatchFile({ schema: WATCHFILE_SCHEMA_ID, builder: "a\u2028b\u202ec\u0085\u0001", watches: [] });
    expect(text).toContain('"builder": "a\\u2028b\\u202ec\\u0085\\u0001"');
    const parsed = parseWatchFile(text);
    expect(parsed.ok && parsed.value.builder).toBe("a\u2028b\u202ec\u0085\u0001");
  });

  it("refuses a value that is not a watch file (a programming error)", () => {
    expect(() => serializeWatchFile({ schema: WATCHFILE_SCHEMA_ID, watches: [{ vcs: "cvs" }] } as never)).toThrow(TypeError);
  });
});

describe("serializeState", () => {
  const state: State = {
    schema: STATE_SCHEMA_ID,
    pollers: [
      { vcs: "git", url: "ssh://m/web.git", original: "https://g/web.git", branches: ["11.0", "10.0", "10.0"], workdir: "gitpoller-2" },
      { vcs: "git", url: "ssh://m/OCB.git", original: "https://g/OCB.git", branches: ["10.0"], workdir: "gitpoller-1" },
    ],
    builders: {
      "odoo-11.0": { schedule: true, autoWatch: true, watches: [{ vcs: "git", url: "ssh://m/web.git", branch: "11.0", from: ["auto"] }] },
      "odoo-10.0": {
        schedule: true,
        autoWatch: false,
        watches: [
          { vcs: "git", url: "ssh://m/web.git", branch: "10.0", from: ["buildout", "manual", "auto"] },
          { vcs: "git", url: "ssh://m/OCB.git", branch: "10.0", from: ["manual"] },
        ],
      },
      release: { schedule: false, autoWatch: false, watches: [] },
    },
    problems: [
      { level: "error", code: "watchfile.json.invalid", builder: "odoo-9.0", file: "watch/odoo-9.0.json", message: "not valid JSON" },
      { level: "warning", code: "merge.watch.vcs-conflict", builder: "odoo-10.0", message: "dropped" },
    ],
  };
  const expected = serializeState(state);

  it("sorts pollers, branches, builders, watches, sources and problems", () => {
    const parsed = JSON.parse(expected);
    expect(parsed.pollers.map((p: { url: string }) => p.url)).toEqual(["ssh://m/OCB.git", "ssh://m/web.git"]);
    expect(parsed.pollers[1].branches).toEqual(["10.0", "11.0"]);
    expect(Object.keys(parsed.builders)).toEqual(["odoo-10.0", "odoo-11.0", "release"]);
    expect(parsed.builders["odoo-10.0"].watches[1].from).toEqual(["auto", "manual", "buildout"]);
    expect(parsed.builders["odoo-10.0"].watches[0].url).toBe("ssh://m/OCB.git");
    expect(parsed.problems.map((p: { builder: string }) => p.builder)).toEqual(["odoo-10.0", "odoo-9.0"]);
  });

  it("is byte-identical for the same content in another order, and round-trips", () => {
    const shuffled = reverseKeys({ ...state, pollers: [...state.pollers].reverse(), problems: [...state.problems].reverse() });
    expect(serializeState(shuffled as never)).toBe(expected);
    const parsed = parseState(expected);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(serializeState(parsed.value)).toBe(expected);
  });

  it("never lets a builder named __proto__ reach a prototype", () => {
    const builders = JSON.parse('{"__proto__": {"schedule": true, "autoWatch": true, "watches": []}}');
    const text = serializeState({ schema: STATE_SCHEMA_ID, pollers: [], builders, problems: [] });
    expect(({} as Record<string, unknown>).schedule).toBeUndefined();
    // and it is a builder like any other (issue 11): written, and read back as an own field
    expect(text).toContain('"__proto__":{"schedule":true');
    const parsed = parseState(text);
    expect(parsed.ok && Object.hasOwn(parsed.value.builders, "__proto__")).toBe(true);
  });
});

describe("shipped JSON Schemas", () => {
  it.each(Object.entries(jsonSchemaFiles))("schema/%s equals the one generated from the zod schemas", (name, generate) => {
    const shipped = readFileSync(new URL(`../schema/${name}`, import.meta.url), "utf8");
    expect(shipped).toBe(`${JSON.stringify(generate(), null, 2)}\n`);
  });

  it("describe the formats (required fields, closed enums, the schema id)", () => {
    const schema = jsonSchemaFiles["watchfile.json"]() as {
      required: string[];
      properties: Record<string, { const?: string; items?: { properties: Record<string, { enum?: string[] }> } }>;
    };
    expect(schema.required).toEqual(["schema", "watches"]);
    expect(schema.properties.schema?.const).toBe(WATCHFILE_SCHEMA_ID);
    expect(schema.properties.watches?.items?.properties.vcs?.enum).toEqual(["git", "hg", "bzr", "svn"]);
    expect(jsonSchemaFiles["watchfile-legacy.json"]()).toMatchObject({ type: "array" });
    expect(jsonSchemaFiles["state.json"]()).toMatchObject({ required: ["schema", "pollers", "builders", "problems"] });
  });

  it("give every problem autowatch emits a code from the closed list; a watch file's own problems may have none", () => {
    type Problems = { items: { required: string[]; properties: { code: { $ref?: string; pattern?: string } } } };
    for (const name of ["state.json", "check.json"] as const) {
      const schema = jsonSchemaFiles[name]() as { properties: { problems: Problems }; $defs: { ProblemCode: { enum: string[] } } };
      expect(schema.properties.problems.items.required).toEqual(["level", "code", "message"]);
      expect(schema.properties.problems.items.properties.code.$ref).toBe("#/$defs/ProblemCode");
      expect(schema.$defs.ProblemCode.enum).toEqual([...PROBLEM_CODES]);
    }
    const watchFile = jsonSchemaFiles["watchfile.json"]() as { properties: { problems: Problems } };
    expect(watchFile.properties.problems.items.required).toEqual(["level", "message"]);
    expect(watchFile.properties.problems.items.properties.code.pattern).toBeDefined();
  });
});
