import { quoteValue } from "@autowatch/watchfile";
import type { ValueLine } from "./dialect.js";

/** Python's `MAX_INTERPOLATION_DEPTH`. */
export const MAX_INTERPOLATION_DEPTH = 10;

/** `size`: the expansion grew past {@link MAX_INTERPOLATED_LENGTH} (Python would go on, slowly). */
export type InterpolationErrorKind = "missing" | "syntax" | "depth" | "size";

/** Nested references can multiply a value's length at each level; stop long before memory runs out. */
export const MAX_INTERPOLATED_LENGTH = 100_000;

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

const REFERENCE = /^%\(([^)]+)\)s/;

/**
 * `%(name)s` interpolation exactly as Python's `BasicInterpolation.before_get`: `%%` is a
 * literal `%`, names are lower-cased, referenced values are expanded recursively when they
 * hold a `%`, and more than 10 levels is an error.
 */
export function interpolate(value: string, lookup: OptionLookup): InterpolationResult {
  const out: string[] = [];
  const budget = { left: MAX_INTERPOLATED_LENGTH };
  try {
    expand(value, lookup, out, 1, budget);
    return { value: out.join("") };
  } catch (error) {
    if (error instanceof Failure) return { error: error.detail };
    throw error;
  }
}

function expand(text: string, lookup: OptionLookup, out: string[], depth: number, budget: { left: number }): void {
  const emit = (part: string) => {
    budget.left -= part.length;
    if (budget.left < 0) throw new Failure({ kind: "size", message: `the value grows past ${MAX_INTERPOLATED_LENGTH} characters once %(...)s references are expanded` });
    out.push(part);
  };
  if (depth > MAX_INTERPOLATION_DEPTH) {
    throw new Failure({ kind: "depth", message: `more than ${MAX_INTERPOLATION_DEPTH} levels of %(...)s references (a reference loop?)` });
  }
  let rest = text;
  while (rest !== "") {
    const percent = rest.indexOf("%");
    if (percent < 0) {
      emit(rest);
      return;
    }
    emit(rest.slice(0, percent));
    rest = rest.slice(percent);
    const next = rest[1];
    if (next === "%") {
      emit("%");
      rest = rest.slice(2);
    } else if (next === "(") {
      const match = REFERENCE.exec(rest);
      if (!match) throw new Failure({ kind: "syntax", message: `bad %(...)s reference at ${quoteValue(rest, 40)}` });
      const name = (match[1] ?? "").toLowerCase();
      rest = rest.slice(match[0].length);
      const referenced = lookup(name);
      if (referenced === undefined) throw new Failure({ kind: "missing", message: `%(${name})s refers to no option ${quoteValue(name)}` });
      if (referenced.includes("%")) expand(referenced, lookup, out, depth + 1, budget);
      else emit(referenced);
    } else {
      throw new Failure({ kind: "syntax", message: `"%" must be followed by "%" or "(" (write "%%" for a literal "%") at ${quoteValue(rest, 40)}` });
    }
  }
}

export interface InterpolatedOption {
  /** The whole value interpolated as Python does; the raw value when interpolation failed. */
  value: string;
  /** Each non-blank line interpolated on its own, with its line number (failing lines left out). */
  lines: ValueLine[];
  /** The error and the line it belongs to (the first line that fails on its own, else the key line). */
  error?: InterpolationError & { line: number };
}

/** Interpolates a multi-line option value, keeping track of which physical line each part came from. */
export function interpolateOption(raw: string, lines: ValueLine[], keyLine: number, lookup: OptionLookup): InterpolatedOption {
  // Most values hold no reference: nothing to expand, the lines are the value's own.
  if (!raw.includes("%")) return { value: raw, lines: lines.every((line) => line.text !== "") ? lines : lines.filter((line) => line.text !== "") };
  const whole = interpolate(raw, lookup);
  const perLine: ValueLine[] = [];
  let failedLine: number | undefined;
  for (const line of lines) {
    if (line.text === "") continue;
    // A one-line value is its line: interpolated once.
    const result = line.text === raw ? whole : interpolate(line.text, lookup);
    if (result.error) failedLine ??= line.line;
    else perLine.push({ text: result.value, line: line.line });
  }
  if (whole.error) return { value: raw, lines: perLine, error: { ...whole.error, line: failedLine ?? keyLine } };
  return { value: whole.value, lines: perLine };
}
