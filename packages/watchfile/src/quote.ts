/**
 * Renders an untrusted value for a log line or problem message: JSON-style quoting,
 * with every control, line-separator and bidi-override character escaped so that
 * nothing a worker sends can forge a line or drive a terminal. Long values are cut.
 */
export function quoteValue(value: unknown, maxLength = 120): string {
  const text = typeof value === "string" ? value : safeStringify(value);
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return `"${escapeControls(cut)}"`;
}

// What JSON.stringify leaves raw in a string (DEL, C1, line separators, bidi controls); with C0
// added, every character that can forge a log line or drive a terminal. One definition for all.
const RAW_IN_JSON = "\\u007f-\\u009f\\u2028\\u2029\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";
const CONTROL = `\\u0000-\\u001f${RAW_IN_JSON}`;
const CONTROL_OR_QUOTE = new RegExp(`[\\\\"${CONTROL}]`, "g");
const CONTROL_ONLY = new RegExp(`[${CONTROL}]`, "g");
const HAS_CONTROL = new RegExp(`[${CONTROL}]`);
const RAW_IN_JSON_ALL = new RegExp(`[${RAW_IN_JSON}]`, "g");
const HAS_RAW_IN_JSON = new RegExp(`[${RAW_IN_JSON}]`);

/** `\uXXXX` of a character. */
export function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function escapeOne(ch: string): string {
  if (ch === "\\") return "\\\\";
  if (ch === '"') return '\\"';
  if (ch === "\n") return "\\n";
  if (ch === "\t") return "\\t";
  if (ch === "\r") return "\\r";
  return unicodeEscape(ch);
}

/** Escapes control characters (C0, DEL, C1, U+2028/2029, bidi controls) and backslash/quote. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_OR_QUOTE, escapeOne);
}

/**
 * Escapes control characters only: quotes and backslashes of a composed message stay readable.
 * Newline, tab and CR are written `\n`, `\t`, `\r` unless `unicodeOnly` asks for `\uXXXX` throughout.
 */
export function escapeControlCharacters(text: string, options: { unicodeOnly?: boolean } = {}): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL_ONLY, options.unicodeOnly ? unicodeEscape : escapeOne);
}

/** Escapes, in JSON text, what JSON.stringify leaves raw, as `\uXXXX` (still valid, equal JSON). */
export function escapeJsonText(json: string): string {
  // a test is several times cheaper than a replace that finds nothing in a large state
  return HAS_RAW_IN_JSON.test(json) ? json.replace(RAW_IN_JSON_ALL, unicodeEscape) : json;
}

/** True when the text holds a character `escapeControls` would escape (other than `\\` and `"`). */
export function hasControlCharacters(text: string): boolean {
  return HAS_CONTROL.test(text);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
