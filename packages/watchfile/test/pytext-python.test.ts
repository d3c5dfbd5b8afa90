// Python's text rules as /usr/bin/python3 itself applies them, for every character of the BMP:
// str.isspace(), str.splitlines() and the whitespace int() skips around digits.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { isPySpace, PY_INT_SPACE, pySplitlines } from "../src/pytext.js";

const REFERENCE_PYTHON = "/usr/bin/python3";

const REFERENCE = String.raw`
import json, sys
def int_skips(c):
    try:
        return not c.isdecimal() and int(c + "1" + c) == 1
    except ValueError:
        return False
chars = [chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000]
json.dump({
    "space": [ord(c) for c in chars if c.isspace()],
    "lineBreak": [ord(c) for c in chars if len(("a" + c + "b").splitlines()) == 2],
    "intSpace": [ord(c) for c in chars if int_skips(c)],
    "samples": {text: text.splitlines() for text in ["", "a", "a\n", "a\n\n", "\n", "a\r\nb", "a\rb\r", "a\n\rb", "\x85a\u2028", "a\r\n\r\nb"]},
}, sys.stdout)
`;

interface Reference {
  space: number[];
  lineBreak: number[];
  intSpace: number[];
  samples: Record<string, string[]>;
}

let python: Reference;
const codes = Array.from({ length: 0x10000 }, (_, code) => code).filter((code) => code < 0xd800 || code >= 0xe000);

beforeAll(() => {
  const run = spawnSync(REFERENCE_PYTHON, ["-c", REFERENCE], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  if (run.status !== 0) throw new Error(`${REFERENCE_PYTHON} failed (${run.status}): ${run.stderr || run.error}`);
  python = JSON.parse(run.stdout) as Reference;
});

describe("Python's text rules, as Python applies them", () => {
  it("isPySpace is str.isspace()", () => {
    expect(codes.filter(isPySpace)).toEqual(python.space);
  });

  it("pySplitlines breaks lines where str.splitlines() does, and gives the same lines", () => {
    expect(codes.filter((code) => pySplitlines(`a${String.fromCharCode(code)}b`).length === 2)).toEqual(python.lineBreak);
    for (const [text, lines] of Object.entries(python.samples)) expect(pySplitlines(text), JSON.stringify(text)).toEqual(lines);
  });

  it("PY_INT_SPACE is what int() skips around digits", () => {
    const pattern = new RegExp(`^[${PY_INT_SPACE}]$`);
    expect(codes.filter((code) => pattern.test(String.fromCharCode(code)))).toEqual(python.intSpace);
  });
});
