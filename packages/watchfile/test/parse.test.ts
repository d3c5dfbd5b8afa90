import { describe, expect, it } from "vitest";
import { parseState, parseWatchFile, WATCHFILE_SCHEMA_ID } from "@autowatch/watchfile";
import { hasControlCharacters } from "@autowatch/watchfile/text";
import type { ProblemCode, WatchFileParseResult } from "@autowatch/watchfile";

const valid = {
  schema: WATCHFILE_SCHEMA_ID,
  builder: "odoo-10.0",
  generated: "2026-11-24T10:00:00Z",
  generator: "@autowatch/introspect 0.1.0",
  buildout: { config: "buildout.cfg", part: "odoo" },
  watches: [
    {
      vcs: "git",
      url: "https://github.com/OCA/OCB.git",
      revspec: "10.0",
      origin: { file: "buildout.cfg", line: 12, section: "odoo", option: "version" },
    },
    { vcs: "hg", url: "https://hg.example.org/addons", revspec: "default" },
  ],
  pinned: [{ vcs: "git", url: "https://github.com/OCA/web.git", revspec: "a1b2c3d", why: "commit" }],
  problems: [{ level: "warning", message: "revision of lp:foo not verified" }],
};

const text = (value: unknown) => JSON.stringify(value, null, 2);
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));

function rejected(result: WatchFileParseResult): string[] {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.level).toBe("error");
    expect(hasControlCharacters(problem.message)).toBe(false);
  }
  return result.problems.map((problem) => problem.message);
}

describe("parseWatchFile: valid input", () => {
  it("reads a v2 watch file from text and from bytes", () => {
    for (const input of [text(valid), Buffer.from(text(valid))]) {
      const result = parseWatchFile(input);
      expect(result).toEqual({ ok: true, value: valid, legacy: false, warnings: [] });
    }
  });

  it("fills in the lists a minimal file leaves out", () => {
    const result = parseWatchFile(text({ schema: WATCHFILE_SCHEMA_ID, watches: [] }));
    expect(result).toEqual({
      ok: true,
      value: { schema: WATCHFILE_SCHEMA_ID, watches: [], pinned: [], problems: [] },
      legacy: false,
      warnings: [],
    });
  });

  it("upgrades the legacy list format to the v2 shape", () => {
    const legacy = [
      { vcs: "git", url: "https://github.com/odoo/odoo.git", revspec: "11.0" },
      { vcs: "bzr", url: "lp:openobject-addons", revspec: "" },
    ];
    const result = parseWatchFile(text(legacy));
    expect(result).toEqual({
      ok: true,
      legacy: true,
      warnings: [],
      value: { schema: WATCHFILE_SCHEMA_ID, watches: legacy, pinned: [], problems: [] },
    });
  });

  it("accepts exactly one leading byte-order mark", () => {
    const result = parseWatchFile(bytes([0xef, 0xbb, 0xbf], text(valid)));
    expect(result.ok).toBe(true);
    expect(parseWatchFile(`\uFEFF${text(valid)}`).ok).toBe(true);
  });

  it("drops unknown fields with a warning naming each, so that a newer worker does not break an older master", () => {
    const newer = {
      ...valid,
      signature: "abc",
      watches: [{ ...valid.watches[0], priority: 3, origin: { file: "b.cfg", column: 4 } }],
    };
    const result = parseWatchFile(text(newer), { file: "watch/odoo-10.0.json", builder: "odoo-10.0" });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.value).not.toHaveProperty("signature");
    expect(result.value.watches[0]).not.toHaveProperty("priority");
    expect(result.value.watches[0]?.origin).toEqual({ file: "b.cfg" });
    expect(result.warnings.map((warning) => warning.message)).toEqual([
      "watches[0].origin.column: unknown field, ignored (written by a newer autowatch?)",
      "watches[0].priority: unknown field, ignored (written by a newer autowatch?)",
      "signature: unknown field, ignored (written by a newer autowatch?)",
    ]);
    expect(
      result.warnings.every(
        (w) => w.level === "warning" && w.code === "watchfile.field.unknown" && w.file === "watch/odoo-10.0.json" && w.builder === "odoo-10.0",
      ),
    ).toBe(true);
  });

  it("caps long lists of warnings", () => {
    const noisy = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`extra${index}`, index]));
    const result = parseWatchFile(text({ ...valid, ...noisy }));
    if (!result.ok) throw new Error("rejected");
    expect(result.warnings).toHaveLength(21);
    expect(result.warnings[20]?.message).toBe("… and 10 more of the same kind");
    expect(new Set(result.warnings.map((warning) => warning.code))).toEqual(new Set(["watchfile.field.unknown"]));
  });
});

describe("parseWatchFile: broken input gives a clear problem, never an exception", () => {
  const full = text(valid);
  const cases: [name: string, code: ProblemCode, input: string | Uint8Array, expected: RegExp, options?: object][] = [
    ["empty file", "watchfile.json.empty", "", /^empty file/],
    ["whitespace only", "watchfile.json.empty", " \n\t\n", /^empty file/],
    ["truncated", "watchfile.json.invalid", full.slice(0, 200), new RegExp(`^not valid JSON \\(truncated at byte 200\\): `)],
    [
      "truncated inside a string",
      "watchfile.json.invalid",
      full.slice(0, full.indexOf("OCA") + 2),
      /^not valid JSON \(truncated at byte \d+\): the file ends inside a string$/,
    ],
    [
      "syntax error with its place",
      "watchfile.json.invalid",
      '{\n  "schema": "autowatch.watchfile/2",\n  "watches": [}\n}',
      /^not valid JSON at line 3, column 15 \(byte 53\): expected a value$/,
    ],
    [
      "trailing comma",
      "watchfile.json.invalid",
      '{"schema": "autowatch.watchfile/2", "watches": [],}',
      /^not valid JSON at line 1, column 50 \(byte 49\): trailing comma/,
    ],
    ["single quotes", "watchfile.json.invalid", "{'schema': 1}", /single quotes are not JSON/],
    ["comments", "watchfile.json.invalid", '{"watches": [] // none\n}', /comments are not allowed/],
    [
      "NaN token",
      "watchfile.json.invalid",
      '{"schema": "autowatch.watchfile/2", "watches": [NaN]}',
      /at line 1, column 49 \(byte 48\): NaN is not a JSON value/,
    ],
    ["Infinity token", "watchfile.json.invalid", "[-Infinity]", /-Infinity is not a JSON value/],
    ["garbage after the document", "watchfile.json.invalid", `${full}\nxyz`, /unexpected content after the end of the JSON value/],
    [
      "line break inside a string",
      "watchfile.json.invalid",
      '{"schema": "autowatch.watchfile/2", "watches": ["a\nb"]}',
      /^not valid JSON at line 1, column 49 \(byte 48\): string not closed before the end of the line$/,
    ],
    ["raw control character in a string", "watchfile.json.invalid", '{"schema": "a\u0001b"}', /raw control character in a string/],
    [
      "null",
      "watchfile.document.type",
      "null",
      /^expected a watch file: a JSON object with "schema": "autowatch\.watchfile\/2" \(or a list of sources, the legacy format\), got null$/,
    ],
    ["a number", "watchfile.document.type", "42", /got the number 42$/],
    ["a string", "watchfile.document.type", '"hello"', /got the string "hello"$/],
    [
      "object without schema",
      "watchfile.schema.missing",
      text({ watches: [] }),
      /^no "schema" field: a watch file starts with "schema": "autowatch\.watchfile\/2"$/,
    ],
    [
      "newer schema id",
      "watchfile.schema.newer",
      text({ ...valid, schema: "autowatch.watchfile/3" }),
      /^schema: "autowatch\.watchfile\/3" is a newer format than this autowatch reads .*upgrade autowatch/,
    ],
    ["older schema id", "watchfile.schema.older", text({ ...valid, schema: "autowatch.watchfile/1" }), /is an older format/],
    [
      "a state file instead",
      "watchfile.schema.other",
      text({ schema: "autowatch.state/1", pollers: [] }),
      /^schema: "autowatch\.state\/1" is not a watch file/,
    ],
    ["foreign schema id", "watchfile.schema.other", text({ ...valid, schema: 7 }), /^schema: expected "autowatch\.watchfile\/2", got the number 7$/],
    ["double byte-order mark", "watchfile.encoding.bom", bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], full), /two byte-order marks/],
    [
      "invalid UTF-8",
      "watchfile.encoding.invalid",
      bytes('{"schema": "', [0xff, 0xfe], '"}'),
      /^not valid UTF-8 \(bad byte near offset 12\); the whole file is rejected$/,
    ],
    ["UTF-8 cut inside a character", "watchfile.encoding.invalid", bytes(full.slice(0, -2), [0xc3]), /ends in the middle of a character/],
    ["overlong UTF-8 encoding", "watchfile.encoding.invalid", bytes('["', [0xc0, 0xaf], '"]'), /^not valid UTF-8/],
    ["unpaired surrogate in text input", "watchfile.encoding.invalid", `["\uD800"]`, /unpaired surrogate/],
    [
      "__proto__ key",
      "watchfile.json.forbidden-key",
      '{"schema": "autowatch.watchfile/2", "watches": [{"__proto__": {"polluted": 1}}]}',
      /^forbidden key "__proto__" at watches\[0\]\.__proto__/,
    ],
    [
      "constructor key",
      "watchfile.json.forbidden-key",
      '{"schema": "autowatch.watchfile/2", "watches": [], "constructor": {"prototype": {"x": 1}}}',
      /^forbidden key "constructor" at constructor/,
    ],
    [
      "plain constructor key",
      "watchfile.json.forbidden-key",
      '{"schema": "autowatch.watchfile/2", "watches": [], "buildout": {"config": "b", "constructor": 1}}',
      /^forbidden key "constructor" at buildout\.constructor/,
    ],
    ["too large", "watchfile.size.limit", `${full}${" ".repeat(2000)}`, /^file too large: \d+ bytes, the limit is 1024 bytes$/, { maxBytes: 1024 }],
    ["huge text", "watchfile.size.limit", "x".repeat(2 * 1024 * 1024), /^file too large: 2097152 bytes, the limit is 1048576 bytes$/],
    ["huge bytes", "watchfile.size.limit", new Uint8Array(1024 * 1024 + 1), /^file too large: 1048577 bytes/],
    [
      "too many entries",
      "watchfile.entries.limit",
      text({ ...valid, watches: Array.from({ length: 1001 }, () => valid.watches[1]) }),
      /^watches: 1001 entries, over the limit of 1000 per file$/,
    ],
    [
      "too many legacy entries",
      "watchfile.entries.limit",
      text(Array.from({ length: 11 }, () => valid.watches[1])),
      /^legacy list of 11 sources, over the limit of 10 per file$/,
      { maxEntries: 10 },
    ],
    ["deep nesting", "watchfile.json.depth", `${"[".repeat(100000)}${"]".repeat(100000)}`, /^nested deeper than 32 levels at line 1, column 33 \(byte 32\)$/],
    [
      "deep nesting in a field",
      "watchfile.json.depth",
      text({ ...valid, generator: JSON.parse(`${"[".repeat(40)}${"]".repeat(40)}`) }),
      /^nested deeper than 32 levels/,
    ],
    ["empty url", "watchfile.entry.invalid", text({ ...valid, watches: [{ vcs: "git", url: "", revspec: "10.0" }] }), /^watches\[0\]\.url: must not be empty$/],
    [
      "unknown vcs",
      "watchfile.entry.invalid",
      text({ ...valid, watches: [{ vcs: "cvs", url: "x", revspec: "y" }] }),
      /^watches\[0\]\.vcs: expected one of "git", "hg", "bzr", "svn", got the string "cvs"$/,
    ],
    ["non-array watches", "watchfile.value.invalid", text({ ...valid, watches: { vcs: "git" } }), /^watches: expected a list, got an object$/],
    ["missing watches", "watchfile.value.invalid", text({ schema: WATCHFILE_SCHEMA_ID }), /^watches: missing \(expected a list\)$/],
    ["wrong type of a field", "watchfile.value.invalid", text({ ...valid, builder: 12 }), /^builder: expected a string, got the number 12$/],
    [
      "fractional line number",
      "watchfile.entry.invalid",
      text({ ...valid, watches: [{ ...valid.watches[0], origin: { file: "b", line: 1.5 } }] }),
      /^watches\[0\]\.origin\.line: expected a whole number, got the number 1\.5$/,
    ],
    [
      "unknown pin reason",
      "watchfile.entry.invalid",
      text({ ...valid, pinned: [{ vcs: "git", url: "u", revspec: "r", why: "because" }] }),
      /^pinned\[0\]\.why: expected one of /,
    ],
    ["legacy list with no valid entry", "watchfile.entry.invalid", text(["git x y"]), /^\[0\]: expected an object, got the string "git x y"$/],
  ];

  it.each(cases)("%s", (_name, code, input, expected, options) => {
    const result = parseWatchFile(input, options);
    const messages = rejected(result);
    expect(!result.ok && result.problems[0]?.code).toBe(code);
    expect(messages[0]).toMatch(expected);
  });

  it("refuses bad entries one by one and keeps the rest", () => {
    const result = parseWatchFile(text({ ...valid, watches: [valid.watches[1], { vcs: "fossil", url: "x", revspec: "y" }] }), { file: "w.json" });
    if (!result.ok) throw new Error("rejected");
    expect(result.value.watches).toEqual([valid.watches[1]]);
    expect(result.warnings[0]).toEqual({
      level: "error",
      code: "watchfile.entry.invalid",
      file: "w.json",
      message: 'watches[1].vcs: expected one of "git", "hg", "bzr", "svn", got the string "fossil"; entry ignored',
    });
    const legacy = parseWatchFile(text([valid.watches[1], "git x y"]));
    if (!legacy.ok) throw new Error("rejected");
    expect(legacy.value.watches).toHaveLength(1);
    expect(legacy.warnings[0]?.message).toBe('[1]: expected an object, got the string "git x y"; entry ignored');
  });

  it("names unknown fields by their place in the file, past refused entries", () => {
    const entries = [
      { vcs: "fossil", url: "x", revspec: "y", note: 1 },
      { ...valid.watches[1], priority: 2 },
    ];
    for (const [input, path] of [
      [text({ ...valid, watches: entries }), "watches[1].priority"],
      [text(entries), "[1].priority"],
    ] as const) {
      const result = parseWatchFile(input);
      if (!result.ok) throw new Error("rejected");
      expect(result.warnings.map((warning) => warning.message).filter((message) => message.includes("unknown field"))).toEqual([
        `${path}: unknown field, ignored (written by a newer autowatch?)`,
      ]);
    }
  });

  it("quotes hostile values without raw control characters", () => {
    const hostile = "cvs\n[2026-11-24] INFO fake log line\u001b[31m";
    const messages = rejected(parseWatchFile(text({ ...valid, watches: [{ vcs: hostile, url: "u", revspec: "r" }] })));
    expect(messages[0]).toContain('got the string "cvs\\n[2026-11-24] INFO fake log line\\u001b[31m"');
  });

  it("quotes hostile keys in paths", () => {
    const result = parseWatchFile(`{"schema": "autowatch.watchfile/2", "watches": [], "x\\u001b\\n": 1}`);
    if (!result.ok) throw new Error("rejected");
    expect(result.warnings[0]?.message).toBe('["x\\u001b\\n"]: unknown field, ignored (written by a newer autowatch?)');
  });

  it("reports every schema problem at once, attributed to the file", () => {
    const result = parseWatchFile(text({ ...valid, watches: [{ vcs: "git", url: "" }, 3] }), {
      file: "watch/x.json",
      builder: "x",
    });
    if (result.ok) throw new Error("accepted");
    expect(result.problems).toEqual([
      { level: "error", code: "watchfile.entry.invalid", builder: "x", file: "watch/x.json", message: "watches[0].url: must not be empty" },
      { level: "error", code: "watchfile.entry.invalid", builder: "x", file: "watch/x.json", message: "watches[0].revspec: missing (expected a string)" },
      { level: "error", code: "watchfile.entry.invalid", builder: "x", file: "watch/x.json", message: "watches[1]: expected an object, got the number 3" },
    ]);
  });

  it("gives the line of a syntax error as problem data", () => {
    const result = parseWatchFile('{\n\n  "schema": "autowatch.watchfile/2",\n  "watches": [1 2]\n}', { file: "w.json" });
    if (result.ok) throw new Error("accepted");
    expect(result.problems[0]).toMatchObject({ level: "error", code: "watchfile.json.invalid", file: "w.json", line: 4 });
    expect(result.problems[0]?.message).toMatch(/expected ',' between two values/);
  });

  it("survives every truncation and random byte damage of a valid file (bounded, deterministic)", () => {
    const original = Buffer.from(text(valid));
    let seed = 42;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    const inputs: Uint8Array[] = [];
    for (let cut = 0; cut < original.length; cut += 7) inputs.push(original.subarray(0, cut));
    for (let round = 0; round < 300; round++) {
      const damaged = Buffer.from(original);
      for (let hits = 1 + random(3); hits > 0; hits--) damaged[random(damaged.length)] = random(256);
      inputs.push(damaged);
    }
    for (const input of inputs) {
      const result = parseWatchFile(input);
      const messages = result.ok ? result.warnings : result.problems;
      expect(typeof result.ok).toBe("boolean");
      for (const problem of messages) expect(hasControlCharacters(problem.message)).toBe(false);
      if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
    }
  });

  it("does not count brackets inside strings (escaped quotes included) as nesting", () => {
    const tricky = `${"[".repeat(50)}\\"${"{".repeat(50)}\\\\`;
    const result = parseWatchFile(text({ ...valid, builder: tricky }));
    expect(result.ok && result.value.builder).toBe(tricky);
  });

  it("does not throw on input of the wrong type from untyped callers", () => {
    for (const input of [undefined, null, 42, {}, [], new ArrayBuffer(2)]) {
      const result = parseWatchFile(input as never, null as never);
      expect(result.ok || result.problems[0]?.message).toMatch(/^nothing to read: expected the file's text or bytes, got (undefined|null|object|number)$/);
      expect(result.ok || result.problems[0]?.code).toBe("watchfile.input.invalid");
    }
    const state = parseState(undefined as never);
    expect(state.ok || state.problems[0]?.code).toBe("watchfile.input.invalid");
  });

  it("leaves Object.prototype alone", () => {
    parseWatchFile('[{"__proto__": {"polluted": true}, "vcs": "git", "url": "u", "revspec": "r"}]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
