import { describe, expect, it } from "vitest";
import { parseState, WATCHFILE_SCHEMA_ID } from "@autowatch/watchfile";
import type { ProblemCode } from "@autowatch/watchfile";

const text = (value: unknown) => JSON.stringify(value, null, 2);

describe("parseState", () => {
  const state = {
    schema: "autowatch.state/1",
    pollers: [{ vcs: "git", url: "ssh://m/OCB.git", original: "https://g/OCB.git", branches: ["10.0"], workdir: "gitpoller-1" }],
    builders: { "odoo-10.0": { schedule: true, autoWatch: true, watches: [{ vcs: "git", url: "ssh://m/OCB.git", branch: "10.0", from: ["auto"] }] } },
    problems: [],
  };

  it("reads a state file", () => {
    expect(parseState(text(state))).toEqual({ ok: true, value: state, warnings: [] });
  });

  it("rejects broken state files with clear problems", () => {
    const cases: [string, ProblemCode, RegExp][] = [
      ["", "watchfile.json.empty", /^empty file/],
      [text(state).slice(0, 50), "watchfile.json.invalid", /^not valid JSON \(truncated at byte 50\)/],
      ["[]", "watchfile.document.type", /^expected a state file: .* got a list of 0 items$/],
      [text({ ...state, schema: WATCHFILE_SCHEMA_ID }), "watchfile.schema.other", /is not a state file/],
      [
        text({ ...state, builders: { x: { schedule: "yes" } } }),
        "watchfile.value.invalid",
        /^builders\.x\.schedule: expected true or false, got the string "yes"$/,
      ],
      // builder names are names, not structure (issue 11): a "__proto__" key is refused below them
      [
        '{"schema": "autowatch.state/1", "builders": {"x": {"__proto__": {}}}}',
        "watchfile.json.forbidden-key",
        /^forbidden key "__proto__" at builders\.x\.__proto__/,
      ],
      [
        text({ ...state, builders: { x: { schedule: true, autoWatch: true, watches: [] } } })
          .replace('"x"', '"__proto__"')
          .replace("true", '"yes"'),
        "watchfile.value.invalid",
        /^builders\.__proto__\.schedule: expected true or false/,
      ],
    ];
    for (const [input, code, expected] of cases) {
      const result = parseState(input);
      if (result.ok) throw new Error(`accepted ${input}`);
      expect(result.problems[0]?.code).toBe(code);
      expect(result.problems[0]?.message).toMatch(expected);
    }
  });

  it("reads builders named like Object.prototype members as own fields, in the file's order (issue 11)", () => {
    const builder = { schedule: true, autoWatch: true, watches: [] };
    const names = ["__proto__", "constructor", "hasOwnProperty", "prototype", "toString"];
    const input = `{"schema": "autowatch.state/1", "fingerprint": "${"0".repeat(64)}", "pollers": [], "problems": [], "builders": {${names.map((name) => `"${name}": ${JSON.stringify(builder)}`).join(", ")}}}`;
    const result = parseState(input);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(Object.keys(result.value.builders)).toEqual(names);
    for (const name of names) expect(Object.getOwnPropertyDescriptor(result.value.builders, name)?.value).toEqual(builder);
    expect(Object.getPrototypeOf(result.value.builders)).toBe(Object.prototype);
  });

  it("warns about unknown fields in a state file", () => {
    const result = parseState(text({ ...state, future: true }));
    expect(result.ok && result.warnings.map((w) => w.message)).toEqual(["future: unknown field, ignored (written by a newer autowatch?)"]);
  });
});
