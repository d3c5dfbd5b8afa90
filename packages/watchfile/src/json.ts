// Internal to @autowatch/watchfile: not exported (the public API is what README.md documents).
import { printParseErrorCode, visit } from "jsonc-parser";
import type { ProblemCode } from "./problem.js";
import { escapeControls, quoteValue } from "./quote.js";

/** Limits applied before a document is parsed. */
export interface ReadLimits {
  maxBytes: number;
  maxDepth: number;
  /**
   * A top-level field whose object's keys are names, not structure (the state's `builders`:
   * any name Buildbot accepts is a builder, `__proto__` and `constructor` included). Those keys
   * are not refused; the values under them are checked as everywhere else.
   */
  namesAt?: string;
}

/** Why a document could not be read; `line` is 1-based, in the file. */
export interface ReadFailure {
  code: ProblemCode;
  message: string;
  line?: number;
}

export type JsonRead = { ok: true; value: unknown } | { ok: false; failure: ReadFailure };

const BOM = "\uFEFF";
const BOM_BYTES = 3;
/** Keys refused anywhere in a document: they could reach an object's prototype. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor"]);

/**
 * Turns untrusted bytes or text into a JSON value, or says why not, without throwing:
 * size first, then UTF-8 (bytes only, fatal decoding), at most one leading BOM, nesting
 * depth, JSON syntax (with the place of the first error), and no `__proto__` or
 * `constructor` key anywhere (a walk that names the path).
 */
export function readJson(input: string | Uint8Array, limits: ReadLimits): JsonRead {
  const decoded = decode(input, limits.maxBytes);
  if (!decoded.ok) return decoded;
  let text = decoded.text;
  let offsetBytes = 0;
  if (text.startsWith(BOM)) {
    text = text.slice(1);
    offsetBytes = BOM_BYTES;
    if (text.startsWith(BOM)) {
      return fail("watchfile.encoding.bom", "starts with two byte-order marks (BOM); at most one is accepted");
    }
  }
  if (text.trim() === "") return fail("watchfile.json.empty", "empty file: expected a JSON document");
  const at = (offset: number) => locate(text, offset, offsetBytes);

  const deep = findExcessiveNesting(text, limits.maxDepth);
  if (deep !== undefined) {
    const where = at(deep);
    return fail("watchfile.json.depth", `nested deeper than ${limits.maxDepth} levels at ${where.label}`, where.line);
  }

  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, failure: describeSyntaxError(text, parsed.error, at, offsetBytes) };
  // JSON.parse makes a "__proto__" key an own field (harmless until copied): such keys, and
  // "constructor", are looked for, when the text could hold one (spelled out or \u-escaped).
  const suspect = text.includes("__proto__") || text.includes("constructor") || text.includes("\\u");
  const forbidden = suspect ? findForbiddenKey(parsed.value, limits.namesAt) : undefined;
  if (forbidden !== undefined) return fail("watchfile.json.forbidden-key", forbiddenMessage(forbidden));
  return { ok: true, value: parsed.value };
}

/** `JSON.parse` as data: the value, or the error it threw. */
type ParsedJson = { ok: true; value: unknown } | { ok: false; error: unknown };

function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

function fail(code: ProblemCode, message: string, line?: number): { ok: false; failure: ReadFailure } {
  return { ok: false, failure: line === undefined ? { code, message } : { code, message, line } };
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

type Decoded = { ok: true; text: string } | { ok: false; failure: ReadFailure };

function decode(input: string | Uint8Array, maxBytes: number): Decoded {
  if (typeof input === "string") {
    const size = Buffer.byteLength(input, "utf8");
    if (size > maxBytes) return tooBig(size, maxBytes);
    const lone = input.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    if (lone >= 0) return fail("watchfile.encoding.invalid", `not valid Unicode text: unpaired surrogate at character ${lone}`);
    return { ok: true, text: input };
  }
  if (!(input instanceof Uint8Array)) {
    return fail("watchfile.input.invalid", `nothing to read: expected the file's text or bytes, got ${input === null ? "null" : typeof input}`);
  }
  if (input.byteLength > maxBytes) return tooBig(input.byteLength, maxBytes);
  try {
    return { ok: true, text: utf8.decode(input) };
  } catch {
    return fail("watchfile.encoding.invalid", describeBadUtf8(input));
  }
}

function tooBig(size: number, maxBytes: number): { ok: false; failure: ReadFailure } {
  return fail("watchfile.size.limit", `file too large: ${size} bytes, the limit is ${maxBytes} bytes`);
}

/**
 * Where a UTF-8 decoder first meets a byte it must refuse, or a file cut inside a character.
 * Only a rejected file gets here: the answer is TextDecoder's own, found by halving.
 */
export function describeBadUtf8(bytes: Uint8Array): string {
  const bad = firstBadUtf8Byte(bytes);
  if (bad < 0) {
    return `not valid UTF-8: the file ends in the middle of a character (${bytes.byteLength} bytes); the whole file is rejected`;
  }
  return `not valid UTF-8 (bad byte near offset ${bad}); the whole file is rejected`;
}

/** Index of the first byte a fatal TextDecoder refuses; -1 when there is none before the end. */
function firstBadUtf8Byte(bytes: Uint8Array): number {
  // streaming, a decoder refuses a prefix exactly when it holds a bad byte (a cut character waits)
  const refuses = (length: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  if (!refuses(bytes.byteLength)) return -1;
  let low = 1;
  let high = bytes.byteLength;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (refuses(middle)) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

interface Place {
  line: number;
  column: number;
  byte: number;
  label: string;
}

function locate(text: string, offset: number, offsetBytes: number): Place {
  const before = text.slice(0, offset);
  const lines = before.split("\n");
  const line = lines.length;
  const column = (lines[lines.length - 1] ?? "").length + 1;
  const byte = Buffer.byteLength(before, "utf8") + offsetBytes;
  return { line, column, byte, label: `line ${line}, column ${column} (byte ${byte})` };
}

/** Offset of the first bracket that opens a level deeper than `maxDepth`, outside strings. */
function findExcessiveNesting(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const ch = text.charCodeAt(index);
    if (ch === 0x22) {
      const end = closingQuote(text, index);
      if (end < 0) return undefined;
      index = end;
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > maxDepth) return index;
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return undefined;
}

/** The quote that closes the string opened at `start` (found natively, skipping escaped ones), or -1. */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end > 0) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** Path of the first forbidden key, found without recursion (the depth is bounded anyway). */
function findForbiddenKey(root: unknown, namesAt?: string): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
    } else if (value !== null && typeof value === "object") {
      const names = namesAt !== undefined && path.length === 1 && path[0] === namesAt;
      for (const key of Object.keys(value)) {
        if (FORBIDDEN_KEYS.has(key) && !names) return [...path, key];
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
      }
    }
  }
  return undefined;
}

function forbiddenMessage(path: (string | number)[]): string {
  const key = path[path.length - 1];
  return `forbidden key ${quoteValue(key)} at ${formatPath(path)}: the file is rejected (such keys can tamper with objects)`;
}

/** `watches[3].url`; keys that are not plain identifiers are quoted: `builders["odoo 10"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the top level";
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${quoteValue(String(key), 60)}]`;
  }
  return out;
}

/** Keyed by jsonc-parser's error names (its codes are a const enum, not importable here). */
const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':' after the property name",
  CommaExpected: "expected ',' between two values",
  CloseBraceExpected: "expected ',' or '}' after a property value",
  CloseBracketExpected: "expected ',' or ']' after a list item",
  EndOfFileExpected: "unexpected content after the end of the JSON value",
  InvalidCommentToken: "comments are not allowed in JSON",
  UnexpectedEndOfComment: "comments are not allowed in JSON",
  UnexpectedEndOfString: "string not closed before the end of the line",
  UnexpectedEndOfNumber: "number cut short",
  InvalidUnicode: "bad \\u escape in a string",
  InvalidEscapeCharacter: "bad escape sequence in a string",
  InvalidCharacter: "raw control character in a string (it must be escaped)",
};

const ENDS_INSIDE: Record<string, string> = {
  UnexpectedEndOfString: "the file ends inside a string",
  UnexpectedEndOfNumber: "the file ends inside a number",
  UnexpectedEndOfComment: "the file ends inside a comment",
};

const CUT_SHORT = new Set<string>(["UnexpectedEndOfString", "UnexpectedEndOfNumber", "UnexpectedEndOfComment"]);

/**
 * JSON.parse says little about where it failed (and not the same across Node versions):
 * jsonc-parser, in strict mode, finds the first error and its offset.
 */
function describeSyntaxError(text: string, error: unknown, at: (offset: number) => Place, offsetBytes: number): ReadFailure {
  let first: { code: string; offset: number; length: number } | undefined;
  let depth = 0;
  let complete = false;
  const value = () => {
    if (depth === 0) complete = true;
  };
  visit(
    text,
    {
      onObjectBegin: () => void depth++,
      onArrayBegin: () => void depth++,
      onObjectEnd: () => void (depth--, value()),
      onArrayEnd: () => void (depth--, value()),
      onLiteralValue: value,
      onError(code, offset, length) {
        // After a complete top-level value, anything but whitespace is extra content.
        const name = complete && first === undefined ? "EndOfFileExpected" : printParseErrorCode(code);
        first ??= { code: name, offset, length };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (first === undefined) {
    const detail = error instanceof Error ? error.message : String(error);
    return { code: "watchfile.json.invalid", message: `not valid JSON: ${escapeControls(detail.slice(0, 200))}` };
  }
  const end = text.trimEnd().length;
  const truncated = CUT_SHORT.has(first.code) ? first.offset + first.length >= end : first.offset >= end && first.code !== "EndOfFileExpected";
  const what = truncated && CUT_SHORT.has(first.code) ? { text: ENDS_INSIDE[first.code] ?? "cut short" } : syntaxDetail(text, first.code, first.offset);
  if (truncated) {
    const size = Buffer.byteLength(text, "utf8") + offsetBytes;
    return { code: "watchfile.json.invalid", message: `not valid JSON (truncated at byte ${size}): ${what.text}`, line: at(text.length).line };
  }
  const where = at(what.offset ?? first.offset);
  return { code: "watchfile.json.invalid", message: `not valid JSON at ${where.label}: ${what.text}`, line: where.line };
}

/** What is wrong, and where when that is not where the parser stopped (a trailing comma). */
function syntaxDetail(text: string, code: string, offset: number): { text: string; offset?: number } {
  const rest = text.slice(offset, offset + 40);
  if (code === "InvalidSymbol") {
    const word = /^-?(NaN|Infinity|undefined)\b/.exec(rest);
    if (word) return { text: `${word[0]} is not a JSON value` };
    if (rest.startsWith("'")) return { text: "single quotes are not JSON; strings use double quotes" };
    if (rest.startsWith("/")) return { text: "comments are not allowed in JSON" };
    const token = /^[A-Za-z_$][\w$]*/.exec(rest)?.[0] ?? [...rest][0] ?? "";
    return { text: `unexpected ${quoteValue(token, 40)}` };
  }
  const comma = text.slice(0, offset).trimEnd();
  if ((code === "PropertyNameExpected" || code === "ValueExpected") && comma.endsWith(",") && /^\s*[}\]]/.test(rest)) {
    return { text: "trailing comma (JSON allows none)", offset: comma.length - 1 };
  }
  return { text: SYNTAX_MESSAGES[code] ?? "syntax error" };
}
