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

/** Escapes control characters (C0, DEL, C1, U+2028/2029, bidi controls) and backslash/quote. */
export function escapeControls(text: string): string {
  return text.replace(/[\\"\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    if (ch === "\\") return "\\\\";
    if (ch === '"') return '\\"';
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    if (ch === "\r") return "\\r";
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** True when the text holds a character `escapeControls` would escape (other than `\` and `"`). */
export function hasControlCharacters(text: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
