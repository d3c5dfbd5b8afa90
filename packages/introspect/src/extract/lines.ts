// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import { PY_SPACE, pySplit, pySplitlines, pyStrip } from "@autowatch/watchfile/text";

/**
 * Option values as anybox.recipe.odoo reads them (utils.option_splitlines and option_strip):
 * `str.splitlines()`, then a `;` at the start of a line or after whitespace (`re`'s `\s`)
 * starts a comment running to the end of that line, then `str.strip()`; blank lines vanish.
 * Python's whitespace and line breaks, not JavaScript's.
 */
const INLINE_COMMENT = new RegExp(`[${PY_SPACE}];|^;`);

/** One line (or a whole single-line option) without its inline comment, stripped: `option_strip`. */
export function stripInlineComment(value: string): string {
  const match = INLINE_COMMENT.exec(value);
  return pyStrip(match ? value.slice(0, match.index) : value);
}

/** A non-empty line of an option value, and the index of the `value.split("\n")` line it is on. */
export interface NumberedLine {
  text: string;
  index: number;
}

/**
 * The lines of a value cleaned by `clean`, empty ones dropped, each with the index of its
 * `\n`-separated line (what ResolvedOption.lines is indexed by). `split` cuts each of those
 * further: by default at the other line breaks of Python's `str.splitlines()` (`\r`, `\v`,
 * `\x1c`, U+2028...), as the recipe does; gp.vcsdevelop splits at `\n` only.
 */
export function numberedLines(value: string | undefined, clean: (line: string) => string, split: (line: string) => string[] = pySplitlines): NumberedLine[] {
  if (value === undefined) return [];
  return value.split("\n").flatMap((line, index) =>
    split(line)
      .map(clean)
      .filter((text) => text !== "")
      .map((text) => ({ text, index })),
  );
}

/** For `numberedLines`: no cut but at `\n`, as gp.vcsdevelop's `value.split('\n')` (a `\r` inside a line is whitespace `strip` may remove). */
export function newlinesOnly(line: string): string[] {
  return [line];
}

/** The recipe's lines of an option value (inline comments stripped, empty lines dropped), numbered. */
export function numberedOptionLines(value: string | undefined): NumberedLine[] {
  return numberedLines(value, stripInlineComment);
}

/** Splits a multi-line option value the way the recipe does: comments stripped, empty lines dropped. */
export function optionLines(value: string | undefined): string[] {
  return numberedOptionLines(value).map(({ text }) => text);
}

/** Whitespace-separated tokens: Python's `str.split()`. */
export function tokens(text: string): string[] {
  return pySplit(text);
}

/**
 * Trailing `key=value` tokens of an addons/merges line. The recipe builds a dict from
 * `token.split('=')`, which fails unless each token has exactly one `=`: null then.
 */
export function lineOptions(extra: string[]): Record<string, string> | null {
  const options: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const token of extra) {
    const parts = token.split("=");
    if (parts.length !== 2) return null;
    options[parts[0] as string] = parts[1] as string;
  }
  return options;
}
