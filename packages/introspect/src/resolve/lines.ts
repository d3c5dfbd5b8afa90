// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
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
export function substituteLines(template: TrackedValue, replace: (reference: string) => string, maxLength = Number.POSITIVE_INFINITY): TrackedValue {
  const text = template.value;
  const lines: LineOrigins = [];
  let value = "";
  let source = 0;
  let exact = true;
  const grow = (part: string): void => {
    if (value.length + part.length > maxLength) throw new ValueTooLong(value.length + part.length);
    value += part;
  };
  const literal = (from: number, to: number): void => {
    for (let at = text.indexOf("\n", from); at >= 0 && at < to; at = text.indexOf("\n", at + 1)) {
      lines.push(exact ? template.lines[source] : undefined);
      source++;
      exact = true;
    }
    grow(from === 0 && to === text.length ? text : text.slice(from, to));
  };
  // One scan, as `value.split("$$")` then `([$]{[^}]*})` on each piece would cut it (the pattern
  // is quadratic on a run of "${" without "}"): a reference runs to the first "}" and may not
  // hold a "$$". The next "}" and "$$" are searched again only once passed: linear.
  let done = 0;
  let close = -1;
  let pair = -1;
  for (let at = text.indexOf("$"); at >= 0;) {
    const next = text.charCodeAt(at + 1);
    if (next === DOLLAR) {
      at = text.indexOf("$", at + 2);
      continue;
    }
    if (next === OPEN_BRACE) {
      if (close < at + 2) close = text.indexOf("}", at + 2);
      // no "}" after this "${": no reference after it either
      if (close < 0) break;
      if (pair < at + 2) pair = indexOrEnd(text, "$$", at + 2);
      if (close < pair) {
        literal(done, at);
        const reference = text.slice(at, close + 1);
        const replacement = replace(reference);
        const inside = newlines(reference);
        const produced = newlines(replacement);
        if (inside > 0 || produced > 0) exact = false;
        for (let count = produced; count > 0; count--) lines.push(undefined);
        source += inside;
        grow(replacement);
        done = close + 1;
        at = text.indexOf("$", done);
        continue;
      }
    }
    at = text.indexOf("$", at + 1);
  }
  literal(done, text.length);
  lines.push(exact ? template.lines[source] : undefined);
  return { value, lines };
}

const DOLLAR = 0x24;
const OPEN_BRACE = 0x7b;

function indexOrEnd(text: string, search: string, from: number): number {
  const found = text.indexOf(search, from);
  return found < 0 ? text.length : found;
}

/** A substituted value grew past the limit it was given. */
export class ValueTooLong extends Error {
  constructor(readonly length: number) {
    super(`value longer than the limit (${length} characters)`);
  }
}
