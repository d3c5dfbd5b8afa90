import { LIMITS, quoteValue } from "@autowatch/watchfile/text";
import type { ValueLine } from "./dialect.js";

/** Python's `MAX_INTERPOLATION_DEPTH`. */
export const MAX_INTERPOLATION_DEPTH = 10;

/** `size`: the expansion grew past `MAX_INTERPOLATED_LENGTH` (100,000 characters; Python would go on, slowly). */
export type InterpolationErrorKind = "missing" | "syntax" | "depth" | "size";

/** Nested references can multiply a value's length at each level; stop long before memory runs out. */
export const MAX_INTERPOLATED_LENGTH = LIMITS.interpolatedLength;

export interface InterpolationError {
  kind: InterpolationErrorKind;
  message: string;
}

export type InterpolationResult = { value: string; error?: undefined } | { value?: undefined; error: InterpolationError };

/** Looks an option up by its (lower-cased) name; undefined when there is none. */
export type OptionLookup = (name: string) => string | undefined;

class Failure extends Error {
  constructor(readonly detail: InterpolationError) {
    super(detail.message);
  }
}

/**
 * Expansions already made, by depth and name (a name expands to the same text at the same depth):
 * shared by the interpolations of one section, so that `%(x)s` fanning out ten times a level is
 * work per name and level, not ten to the power of the levels (Python does all of it).
 */
export type InterpolationMemo = Map<string, string>;

/**
 * `%(name)s` interpolation exactly as Python's `BasicInterpolation.before_get`: `%%` is a
 * literal `%`, names are lower-cased, referenced values are expanded recursively when they
 * hold a `%`, and more than 10 levels is an error.
 */
export function interpolate(value: string, lookup: OptionLookup, memo: InterpolationMemo = new Map()): InterpolationResult {
  try {
    return { value: expand(value, 1, lookup, memo) };
  } catch (error) {
    if (error instanceof Failure) return { error: error.detail };
    throw error;
  }
}

const PERCENT = 0x25;
const OPEN_PARENTHESIS = 0x28;
const LETTER_S = 0x73;

/** `text` expanded at `depth`; the pieces are checked against the length budget as they are joined. */
function expand(text: string, depth: number, lookup: OptionLookup, memo: InterpolationMemo): string {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    throw new Failure({ kind: "depth", message: `more than ${MAX_INTERPOLATION_DEPTH} levels of %(...)s references (a reference loop?)` });
  }
  const parts: string[] = [];
  let length = 0;
  const emit = (part: string): void => {
    length += part.length;
    if (length > MAX_INTERPOLATED_LENGTH) {
      throw new Failure({ kind: "size", message: `the value grows past ${MAX_INTERPOLATED_LENGTH} characters once %(...)s references are expanded` });
    }
    parts.push(part);
  };
  let done = 0;
  while (done < text.length) {
    const percent = text.indexOf("%", done);
    if (percent < 0) {
      emit(done === 0 ? text : text.slice(done));
      break;
    }
    emit(text.slice(done, percent));
    const next = text.charCodeAt(percent + 1);
    if (next === PERCENT) {
      emit("%");
      done = percent + 2;
    } else if (next === OPEN_PARENTHESIS) {
      // `%\(([^)]+)\)s`: the name runs to the first ")", which must be followed by "s".
      const close = text.indexOf(")", percent + 2);
      if (close <= percent + 2 || text.charCodeAt(close + 1) !== LETTER_S) {
        throw new Failure({ kind: "syntax", message: `bad %(...)s reference at ${quoteValue(text.slice(percent), 40)}` });
      }
      const name = text.slice(percent + 2, close).toLowerCase();
      done = close + 2;
      const key = `${depth}\0${name}`;
      let expanded = memo.get(key);
      if (expanded === undefined) {
        const referenced = lookup(name);
        if (referenced === undefined) throw new Failure({ kind: "missing", message: `${quoteValue(`%(${name})s`)} refers to no option ${quoteValue(name)}` });
        expanded = referenced.includes("%") ? expand(referenced, depth + 1, lookup, memo) : referenced;
        memo.set(key, expanded);
      }
      emit(expanded);
    } else {
      throw new Failure({
        kind: "syntax",
        message: `"%" must be followed by "%" or "(" (write "%%" for a literal "%") at ${quoteValue(text.slice(percent), 40)}`,
      });
    }
  }
  return parts.length === 1 ? parts[0]! : parts.join("");
}

export interface InterpolatedOption {
  /** The whole value interpolated as Python does; the raw value when interpolation failed. */
  value: string;
  /** The error and the line it belongs to (the first line that fails on its own, else the key line). */
  error?: InterpolationError & { line: number };
}

/** Interpolates a (multi-line) option value; when it fails, finds the physical line to blame. */
export function interpolateOption(
  raw: string,
  lines: ValueLine[],
  keyLine: number,
  lookup: OptionLookup,
  memo: InterpolationMemo = new Map(),
): InterpolatedOption {
  const whole = interpolate(raw, lookup, memo);
  if (!whole.error) return whole;
  const failing = lines.find((line) => line.text !== "" && interpolate(line.text, lookup, memo).error);
  return { value: raw, error: { ...whole.error, line: failing?.line ?? keyLine } };
}

/**
 * Each non-blank line of a value interpolated on its own, with its line number; failing lines are left out.
 * (A line that fails alone makes the whole value fail too, so with a good value every line is kept.)
 */
export function interpolateLines(lines: ValueLine[], lookup: OptionLookup, memo: InterpolationMemo = new Map()): ValueLine[] {
  const perLine: ValueLine[] = [];
  for (const line of lines) {
    if (line.text === "") continue;
    const result = interpolate(line.text, lookup, memo);
    if (!result.error) perLine.push({ text: result.value, line: line.line });
  }
  return perLine;
}
