/**
 * The recipe, gp.vcsdevelop and git-aggregator read option values with Python's text rules, so
 * introspect must too: Python (/usr/bin/python3) says what each of these gives for the same
 * strings, full of the characters where Python and JavaScript disagree (U+001C..U+001F and
 * U+0085 are Python whitespace, U+FEFF is not; `\v`, `\f`, U+001C..U+001E, U+0085 and U+2028
 * end a line for `str.splitlines()`).
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { pyStrip } from "@autowatch/watchfile/text";
import { newlinesOnly, numberedLines, optionLines, stripInlineComment, tokens } from "../src/extract/lines.js";

const REFERENCE_PYTHON = "/usr/bin/python3";

// What each reader does with an option value (anybox.recipe.odoo's utils.option_strip and
// option_splitlines, gp.vcsdevelop's reading of `develop`/`vcs-extend-develop`, `str.split()`
// for the recipe's lines and git-aggregator's `target`)
const REFERENCE = String.raw`
import json, re, sys
inline = re.compile(r'\s;|^;')
def option_strip(value):
    return inline.split(value, 1)[0].strip()
def option_splitlines(value):
    return [line for line in (option_strip(raw) for raw in value.splitlines()) if line]
def vcsdevelop(value):
    return [d.strip() for d in value.split('\n') if d.strip()]
json.dump([{"split": text.split(), "strip": option_strip(text), "lines": option_splitlines(text), "develop": vcsdevelop(text)} for text in json.load(sys.stdin)], sys.stdout)
`;

const POOL = ["a", "b", ";", "#", " ", "\t", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028", "\u3000", "\ufeff", "\u200b"];

/** Seeded strings drawn from POOL, and a few a buildout could hold. */
function samples(): string[] {
  const texts = [
    "git\x1chttps://github.com/OCA/web.git\x1cweb\x1c10.0",
    "git https://github.com/OCA/web.git web 10.0\x85; a comment",
    "\ufeffgit https://github.com/OCA/web.git web 10.0\ufeff",
    "line1\vline2\fline3\x1eline4\u2028line5",
    "git+https://github.com/a/b.git#egg=b\rmore",
    "  ; a comment\n\x1f\n",
  ];
  let state = 20261206;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 3000; i++) {
    let text = "";
    for (let length = next() % 12; length > 0; length--) text += POOL[next() % POOL.length];
    texts.push(text);
  }
  return texts;
}

interface Reference {
  split: string[];
  strip: string;
  lines: string[];
  develop: string[];
}

const texts = samples();
let references: Reference[];

beforeAll(() => {
  const run = spawnSync(REFERENCE_PYTHON, ["-c", REFERENCE], {
    input: JSON.stringify(texts),
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  if (run.status !== 0) throw new Error(`${REFERENCE_PYTHON} failed (${run.status}): ${run.stderr || run.error}`);
  references = JSON.parse(run.stdout) as Reference[];
});

/** The first text where ours and Python's differ, with both answers (undefined when none). */
function firstDifference(ours: (text: string) => unknown, theirs: (reference: Reference) => unknown) {
  for (const [index, text] of texts.entries()) {
    const [mine, python] = [ours(text), theirs(references[index]!)];
    if (JSON.stringify(mine) !== JSON.stringify(python)) return { text, ours: mine, python };
  }
  return undefined;
}

describe("option values read with Python's whitespace and line breaks, as Python reads them", () => {
  it("tokens are str.split()'s", () => {
    expect(firstDifference(tokens, (reference) => reference.split)).toBeUndefined();
  });

  it("one line without its inline comment is the recipe's option_strip", () => {
    expect(firstDifference(stripInlineComment, (reference) => reference.strip)).toBeUndefined();
  });

  it("the lines of a value are the recipe's option_splitlines", () => {
    expect(firstDifference(optionLines, (reference) => reference.lines)).toBeUndefined();
  });

  it("the lines of develop and vcs-extend-develop are gp.vcsdevelop's", () => {
    const develop = (text: string) => numberedLines(text, pyStrip, newlinesOnly).map((line) => line.text);
    expect(firstDifference(develop, (reference) => reference.develop)).toBeUndefined();
  });
});
