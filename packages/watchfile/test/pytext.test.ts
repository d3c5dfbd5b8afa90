import { describe, expect, it } from "vitest";
import { isPySpace, PY_SPACE, pyRstrip, pySplit, pyStrip } from "../src/pytext.js";

// Python's whitespace (str.isspace), written as a character class: the loops must agree with it.
const SPACE = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING = new RegExp(`^[${SPACE}]+`);
const TRAILING = new RegExp(`[${SPACE}]+$`);
const RUNS = new RegExp(`[${SPACE}]+`);
const reference = {
  strip: (text: string) => text.replace(LEADING, "").replace(TRAILING, ""),
  rstrip: (text: string) => text.replace(TRAILING, ""),
  split: (text: string) => {
    const stripped = reference.strip(text);
    return stripped === "" ? [] : stripped.split(RUNS);
  },
};

function expectSame(text: string) {
  expect(pyStrip(text)).toBe(reference.strip(text));
  expect(pyRstrip(text)).toBe(reference.rstrip(text));
  expect(pySplit(text)).toEqual(reference.split(text));
}

describe("Python whitespace helpers", () => {
  it("agree with Python's whitespace class for every character up to U+3100, alone and around text", () => {
    for (let code = 0; code < 0x3100; code++) {
      const char = String.fromCharCode(code);
      for (const text of [char, `${char}x${char}`, `x${char}${char}y`]) expectSame(text);
    }
    for (const text of ["\ufeffx\ufeff", "\u200bx", "", "a b", "  a  b  "]) expectSame(text);
  });

  it("PY_SPACE, the class the buildout reader builds patterns from, is the same set as isPySpace", () => {
    const pattern = new RegExp(`^[${PY_SPACE}]$`);
    for (let code = 0; code < 0x10000; code++) expect(pattern.test(String.fromCharCode(code))).toBe(isPySpace(code));
  });

  it("agree on mixes of spaces and text", () => {
    const pool = [" ", "\t", "\u0085", "\u3000", "\u001c", "\u2000", "\ufeff", "\u200b", "x", "y"];
    for (let seed = 0; seed < 3000; seed++) {
      let text = "";
      for (let rest = seed; rest > 0; rest = Math.floor(rest / pool.length)) text += pool[rest % pool.length];
      expectSame(text);
    }
  });
});
