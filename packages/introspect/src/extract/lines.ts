// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/**
 * Option values as anybox.recipe.odoo reads them: a `;` at the start of a line or after
 * whitespace starts a comment running to the end of that line; blank lines vanish.
 */
const INLINE_COMMENT = /\s;|^;/;

/** One line (or a whole single-line option) without its inline comment, trimmed. */
export function stripInlineComment(value: string): string {
  const match = INLINE_COMMENT.exec(value);
  return (match ? value.slice(0, match.index) : value).trim();
}

/** A non-empty line of an option value, and the index of the `value.split("\n")` line it is on. */
export interface NumberedLine {
  text: string;
  index: number;
}

/**
 * The lines of a value cleaned by `clean`, empty ones dropped, each with the index of its
 * `\n`-separated line (what ResolvedOption.lines is indexed by); `\r` also ends a line.
 */
export function numberedLines(value: string | undefined, clean: (line: string) => string): NumberedLine[] {
  if (value === undefined) return [];
  return value.split("\n").flatMap((line, index) =>
    line
      .split("\r")
      .map(clean)
      .filter((text) => text !== "")
      .map((text) => ({ text, index })),
  );
}

/** The recipe's lines of an option value (inline comments stripped, empty lines dropped), numbered. */
export function numberedOptionLines(value: string | undefined): NumberedLine[] {
  return numberedLines(value, stripInlineComment);
}

/** Splits a multi-line option value the way the recipe does: comments stripped, empty lines dropped. */
export function optionLines(value: string | undefined): string[] {
  return numberedOptionLines(value).map(({ text }) => text);
}

/** Whitespace-separated tokens, like Python's `str.split()`. */
export function tokens(text: string): string[] {
  return text.split(/\s+/).filter((token) => token !== "");
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
