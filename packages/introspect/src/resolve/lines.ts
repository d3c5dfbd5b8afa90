/**
 * Per-line origins of option values: which file line each line of a value (`value.split("\n")`)
 * was written on, kept through every transformation zc.buildout applies. Where the mapping
 * cannot be kept exact the line's origin becomes undefined, never a neighbour's.
 */
import type { ValueOrigin } from "../types.js";

/** One entry per line of a value. */
export type LineOrigins = (ValueOrigin | undefined)[];

export interface TrackedValue {
  value: string;
  lines: LineOrigins;
}

const TEMPLATE_SPLIT = /(\$\{[^}]*\})/;

function newlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

export function unknownLines(value: string): LineOrigins {
  return new Array<undefined>(newlines(value) + 1).fill(undefined);
}

/**
 * Origins of `value` once it replaced `previous` by a computation of the whole text (a path
 * made absolute): still the same line when both are one line, unknown otherwise.
 */
export function rewrittenLines(previous: TrackedValue, value: string): LineOrigins {
  return previous.lines.length === 1 && !value.includes("\n") ? [...previous.lines] : unknownLines(value);
}

/**
 * `_sub` over a whole value (`$$` pieces, then `${...}` references left to right, in the
 * order zc.buildout evaluates them). A line keeps its origin when it is one line of the
 * template with single-line replacements inside; a line made of a multi-line replacement,
 * or of a reference written across lines, has no known origin.
 */
export function substituteLines(template: TrackedValue, replace: (reference: string) => string): TrackedValue {
  const lines: LineOrigins = [];
  let value = "";
  let source = 0;
  let exact = true;
  const literal = (text: string): void => {
    for (let count = newlines(text); count > 0; count--) {
      lines.push(exact ? template.lines[source] : undefined);
      source++;
      exact = true;
    }
    value += text;
  };
  template.value.split("$$").forEach((piece, index) => {
    if (index > 0) value += "$$";
    const parts = piece.split(TEMPLATE_SPLIT);
    literal(parts[0]!);
    for (let i = 1; i < parts.length; i += 2) {
      const reference = parts[i]!;
      const replacement = replace(reference);
      const inside = newlines(reference);
      const produced = newlines(replacement);
      if (inside > 0 || produced > 0) exact = false;
      for (let count = produced; count > 0; count--) lines.push(undefined);
      source += inside;
      value += replacement;
      literal(parts[i + 1]!);
    }
  });
  lines.push(exact ? template.lines[source] : undefined);
  return { value, lines };
}
