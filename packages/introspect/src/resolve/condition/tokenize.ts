// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/** The tokens of a condition expression, with the limits Python's tokenizer puts on them. */

import { quoteValue } from "@autowatch/watchfile/text";
import { ConditionError, type PyValue } from "./values.js";

export interface Token {
  kind: "name" | "number" | "string" | "op" | "end";
  text: string;
  value?: PyValue;
}

/**
 * Python's own limits on an expression, which zc.buildout meets through `eval`: brackets nest
 * at most 200 deep (the tokenizer's MAXLEVEL, the "[" zc.buildout wraps the expression in
 * included), the compiler recurses at most about 3,000 levels into the syntax tree (three
 * times the recursion limit, less what the stack already holds when zc.buildout calls eval:
 * 2,977 `not` before a name pass, 2,978 fail, measured with Python 3.11.2 through zc.buildout;
 * the tree then is 2,979 deep with the list around it), and a decimal integer literal has at
 * most 4,300 digits.
 */
export const MAX_BRACKET_NESTING = 200;
export const MAX_TREE_DEPTH = 2979;
export const MAX_INT_DIGITS = 4300;

const STRING_START = /([rRuU]?)('''|"""|'|")/y;
const NUMBER = /\d+\.\d*|\.\d+|\d+/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\.|-|\+/y;
const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", "\n": "" };

/** `pattern` (sticky) matched at `at`, or undefined. */
function matchAt(pattern: RegExp, source: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(source);
}

/** The string literal at `start` (after its prefix, opened by `quote`), its escapes decoded unless raw. */
function stringToken(source: string, start: number, prefix: string, quote: string): Token {
  const raw = /[rR]/.test(prefix);
  let j = start + prefix.length + quote.length;
  const parts: string[] = [];
  let run = j;
  for (;;) {
    if (j >= source.length) throw new ConditionError("unterminated string literal");
    if (source.startsWith(quote, j)) break;
    const c = source[j]!;
    if (c === "\n" && quote.length === 1) throw new ConditionError("unterminated string literal");
    if (c === "\\" && !raw) {
      parts.push(source.slice(run, j));
      const next = source[j + 1] ?? "";
      if (next in SIMPLE_ESCAPES) {
        parts.push(SIMPLE_ESCAPES[next]!);
        j += 2;
      } else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(source.slice(j + 2, j + 4))) {
        parts.push(String.fromCharCode(parseInt(source.slice(j + 2, j + 4), 16)));
        j += 4;
      } else {
        parts.push(c);
        j++;
      }
      run = j;
      continue;
    }
    j++;
  }
  parts.push(source.slice(run, j));
  return { kind: "string", text: source.slice(start, j + quote.length), value: parts.join("") };
}

/** A number literal, refused where Python refuses it (leading zeros, too many digits). */
function numberToken(text: string): Token {
  const zeros = /^0+$/.test(text);
  if (/^0\d/.test(text) && !zeros) throw new ConditionError(`invalid number ${quoteValue(text)}`);
  // a literal of zeros only is 0 whatever its length (Python takes 5,000 of them)
  if (!zeros && /^\d+$/.test(text) && text.length > MAX_INT_DIGITS) {
    throw new ConditionError(`an integer literal of more than ${MAX_INT_DIGITS} digits (Python refuses it)`);
  }
  return { kind: "number", text, value: Number(text) };
}

/** Tokens with sticky patterns (each tried at one index: linear in the source). */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let level = 0;
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    // Python's tokenizer skips spaces, tabs, form feeds and (inside zc.buildout's `[...]`) line
    // breaks only: a `\v`, U+001C, U+00A0 or U+FEFF is a syntax error, though JavaScript's `\s`
    if (char === " " || char === "\t" || char === "\f" || char === "\n" || char === "\r") {
      i++;
      continue;
    }
    if (char === "#") {
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
      continue;
    }
    const string = matchAt(STRING_START, source, i);
    if (string) {
      const token = stringToken(source, i, string[1]!, string[2]!);
      tokens.push(token);
      i += token.text.length;
      continue;
    }
    const number = matchAt(NUMBER, source, i);
    if (number) {
      tokens.push(numberToken(number[0]));
      i += number[0].length;
      continue;
    }
    const name = matchAt(NAME, source, i);
    if (name) {
      tokens.push({ kind: "name", text: name[0] });
      i += name[0].length;
      continue;
    }
    const op = matchAt(OPERATOR, source, i);
    if (op) {
      const text = op[0];
      if (text === "(" || text === "[") {
        if (level >= MAX_BRACKET_NESTING) throw new ConditionError(`too many nested parentheses (more than ${MAX_BRACKET_NESTING}: Python refuses it)`);
        level++;
      } else if (text === ")" || text === "]") {
        level = Math.max(0, level - 1);
      }
      tokens.push({ kind: "op", text });
      i += text.length;
      continue;
    }
    throw new ConditionError(`unsupported character ${quoteValue(char)}`);
  }
  tokens.push({ kind: "end", text: "end of expression" });
  return tokens;
}
