/**
 * Conditional section headers `[name: expression]`: zc.buildout evaluates the expression
 * with Python's `eval` and the globals of `_default_globals()`. We evaluate the subset of
 * Python those expressions use (names, attributes, calls of a few functions, literals,
 * tuples and lists, comparisons, `in`, `is`, `not`/`and`/`or`) in-process, against an
 * emulation of the interpreter that runs the buildout. Anything else is an error that
 * says what could not be evaluated.
 */

import { quoteValue } from "@autowatch/watchfile/text";
import { strip } from "./python.js";

export interface PythonEnvironment {
  /** `platform.python_version()` of the buildout's interpreter, e.g. "3.11.2". */
  pythonVersion: string;
  /** `sys.executable`. */
  executable: string;
  /** Node's `process.platform` and `process.arch` of this machine. */
  platform: string;
  arch: string;
  littleEndian: boolean;
  env: Record<string, string | undefined>;
}

type PyFunction = { kind: "function"; name: string; call: (args: PyValue[]) => PyValue };
type PyObject = { kind: "module"; name: string; attrs: Record<string, PyValue> };
type PyDict = { kind: "dict"; entries: Map<string, string> };
type PySequence = { kind: "tuple" | "list"; items: PyValue[]; attrs?: Record<string, PyValue> };
export type PyValue = null | boolean | number | string | PySequence | PyObject | PyFunction | PyDict;

export class ConditionError extends Error {}

type Node =
  | { type: "literal"; value: PyValue }
  | { type: "name"; name: string }
  | { type: "attr"; target: Node; name: string }
  | { type: "call"; target: Node; args: Node[] }
  | { type: "index"; target: Node; index: Node }
  | { type: "seq"; kind: "tuple" | "list"; items: Node[] }
  | { type: "not"; operand: Node }
  | { type: "neg"; operand: Node }
  | { type: "pos"; operand: Node }
  | { type: "bool"; op: "and" | "or"; operands: Node[] }
  | { type: "compare"; first: Node; rest: { op: string; operand: Node }[] };

interface Token {
  kind: "name" | "number" | "string" | "op" | "end";
  text: string;
  value?: PyValue;
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "True", "False", "None", "if", "else", "lambda", "for"]);

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

/** Tokens with sticky patterns (each tried at one index: linear in the source). */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let level = 0;
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (/\s/.test(char)) {
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
      const [prefix, quote] = [string[1]!, string[2]!];
      const raw = /[rR]/.test(prefix);
      let j = i + prefix.length + quote.length;
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
      tokens.push({ kind: "string", text: source.slice(i, j + quote.length), value: parts.join("") });
      i = j + quote.length;
      continue;
    }
    const number = matchAt(NUMBER, source, i);
    if (number) {
      const text = number[0];
      const zeros = /^0+$/.test(text);
      if (/^0\d/.test(text) && !zeros) throw new ConditionError(`invalid number ${quoteValue(text)}`);
      // a literal of zeros only is 0 whatever its length (Python takes 5,000 of them)
      if (!zeros && /^\d+$/.test(text) && text.length > MAX_INT_DIGITS) {
        throw new ConditionError(`an integer literal of more than ${MAX_INT_DIGITS} digits (Python refuses it)`);
      }
      tokens.push({ kind: "number", text, value: Number(text) });
      i += text.length;
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

/** How deep each node's tree goes (a leaf is 1): what Python's compiler recurses through. */
const depths = new WeakMap<Node, number>();

function depthOf(node: Node): number {
  return depths.get(node) ?? 1;
}

/** Records the depth of a new node from its children; past MAX_TREE_DEPTH, refused as Python refuses it. */
function made<T extends Node>(node: T, children: readonly Node[]): T {
  let deepest = 0;
  for (const child of children) deepest = Math.max(deepest, depthOf(child));
  if (deepest + 1 > MAX_TREE_DEPTH) {
    throw new ConditionError(
      `the expression nests more than ${MAX_TREE_DEPTH} levels deep (Python refuses it: maximum recursion depth exceeded during compilation)`,
    );
  }
  if (deepest > 0) depths.set(node, deepest + 1);
  return node;
}

class Parser {
  private position = 0;
  /** Recursion of the prefix operators (`not`, `-`, `+`), checked before the stack runs out. */
  private prefixes = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }
  private next(): Token {
    return this.tokens[this.position++]!;
  }
  private accept(text: string): boolean {
    const token = this.peek();
    if ((token.kind === "op" || token.kind === "name") && token.text === text) {
      this.position++;
      return true;
    }
    return false;
  }
  private expect(text: string): void {
    if (!this.accept(text)) throw new ConditionError(`expected ${quoteValue(text)}, found ${quoteValue(this.peek().text)}`);
  }

  parseAll(): Node {
    const node = this.test();
    if (this.peek().kind !== "end") throw new ConditionError(`unsupported syntax at ${quoteValue(this.peek().text)}`);
    return node;
  }

  /** A comma-separated list up to a closing bracket; `single` says whether it was one bare expression. */
  private list(close: string): { items: Node[]; single: boolean } {
    const items: Node[] = [];
    let single = true;
    while (!this.accept(close)) {
      items.push(this.test());
      if (this.accept(",")) {
        single = false;
        continue;
      }
      this.expect(close);
      break;
    }
    return { items, single: single && items.length === 1 };
  }

  /** `or` and `and` chains are flat, as in Python's tree: 50,000 terms are one level. */
  private test(): Node {
    const first = this.andTest();
    let node = first;
    if (this.peek().text === "or") {
      const operands = [first];
      while (this.accept("or")) operands.push(this.andTest());
      node = made({ type: "bool", op: "or", operands }, operands);
    }
    if (this.peek().text === "if" || this.peek().text === "for") throw new ConditionError(`unsupported syntax at ${quoteValue(this.peek().text)}`);
    return node;
  }
  private andTest(): Node {
    const first = this.notTest();
    if (this.peek().text !== "and") return first;
    const operands = [first];
    while (this.accept("and")) operands.push(this.notTest());
    return made({ type: "bool", op: "and", operands }, operands);
  }
  private prefix<T>(parse: () => T): T {
    if (++this.prefixes > MAX_TREE_DEPTH) {
      throw new ConditionError(
        `the expression nests more than ${MAX_TREE_DEPTH} levels deep (Python refuses it: maximum recursion depth exceeded during compilation)`,
      );
    }
    try {
      return parse();
    } finally {
      this.prefixes--;
    }
  }
  private notTest(): Node {
    if (this.accept("not"))
      return this.prefix(() => {
        const operand = this.notTest();
        return made({ type: "not", operand }, [operand]);
      });
    return this.comparison();
  }
  private comparison(): Node {
    const first = this.unary();
    const rest: { op: string; operand: Node }[] = [];
    for (;;) {
      const token = this.peek();
      let op: string | undefined;
      if (token.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(token.text)) op = this.next().text;
      else if (this.accept("in")) op = "in";
      else if (token.text === "not" && this.tokens[this.position + 1]?.text === "in") {
        this.position += 2;
        op = "not in";
      } else if (this.accept("is")) op = this.accept("not") ? "is not" : "is";
      if (!op) break;
      rest.push({ op, operand: this.unary() });
    }
    return rest.length ? made({ type: "compare", first, rest }, [first, ...rest.map((r) => r.operand)]) : first;
  }
  private unary(): Node {
    if (this.accept("-"))
      return this.prefix(() => {
        const operand = this.unary();
        return made({ type: "neg", operand }, [operand]);
      });
    // unary plus is a node of Python's tree too (it only leaves a number as it is)
    if (this.accept("+"))
      return this.prefix(() => {
        const operand = this.unary();
        return made({ type: "pos", operand }, [operand]);
      });
    let node = this.atom();
    for (;;) {
      if (this.accept(".")) {
        const name = this.next();
        if (name.kind !== "name") throw new ConditionError(`expected an attribute name, found ${quoteValue(name.text)}`);
        node = made({ type: "attr", target: node, name: name.text }, [node]);
      } else if (this.accept("(")) {
        const args = this.list(")").items;
        node = made({ type: "call", target: node, args }, [node, ...args]);
      } else if (this.accept("[")) {
        const index = this.test();
        this.expect("]");
        node = made({ type: "index", target: node, index }, [node, index]);
      } else {
        return node;
      }
    }
  }
  private atom(): Node {
    const token = this.next();
    if (token.kind === "number") return { type: "literal", value: token.value! };
    if (token.kind === "string") {
      const parts = [token.value as string];
      while (this.peek().kind === "string") parts.push(this.next().value as string);
      return { type: "literal", value: parts.join("") };
    }
    if (token.kind === "name") {
      if (token.text === "True") return { type: "literal", value: true };
      if (token.text === "False") return { type: "literal", value: false };
      if (token.text === "None") return { type: "literal", value: null };
      if (KEYWORDS.has(token.text)) throw new ConditionError(`unsupported syntax at ${quoteValue(token.text)}`);
      return { type: "name", name: token.text };
    }
    if (token.text === "(") {
      const { items, single } = this.list(")");
      return single ? items[0]! : made({ type: "seq", kind: "tuple", items }, items);
    }
    if (token.text === "[") {
      const items = this.list("]").items;
      return made({ type: "seq", kind: "list", items }, items);
    }
    throw new ConditionError(`unexpected ${quoteValue(token.text)}`);
  }
}

function typeName(value: PyValue): string {
  if (value === null) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  return value.kind;
}

export function truthy(value: PyValue): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value !== "";
  if (value.kind === "tuple" || value.kind === "list") return value.items.length > 0;
  if (value.kind === "dict") return value.entries.size > 0;
  return true;
}

function numeric(value: PyValue): number | undefined {
  if (typeof value === "boolean") return value ? 1 : 0;
  return typeof value === "number" ? value : undefined;
}

function equal(a: PyValue, b: PyValue): boolean {
  const [x, y] = [numeric(a), numeric(b)];
  if (x !== undefined && y !== undefined) return x === y;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a === null || b === null) return a === b;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if ((a.kind === "tuple" || a.kind === "list") && b.kind === a.kind) {
    const other = b as PySequence;
    return a.items.length === other.items.length && a.items.every((item, i) => equal(item, other.items[i]!));
  }
  return a === b;
}

function order(a: PyValue, b: PyValue, op: string): number {
  const [x, y] = [numeric(a), numeric(b)];
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (a && b && typeof a === "object" && typeof b === "object" && (a.kind === "tuple" || a.kind === "list") && a.kind === b.kind) {
    const other = b as PySequence;
    for (let i = 0; i < Math.min(a.items.length, other.items.length); i++) {
      if (!equal(a.items[i]!, other.items[i]!)) return order(a.items[i]!, other.items[i]!, op);
    }
    return a.items.length - other.items.length;
  }
  throw new ConditionError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

function contains(container: PyValue, item: PyValue): boolean {
  if (typeof container === "string") {
    if (typeof item !== "string") throw new ConditionError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (container && typeof container === "object") {
    if (container.kind === "tuple" || container.kind === "list") return container.items.some((x) => equal(x, item));
    if (container.kind === "dict") return typeof item === "string" && container.entries.has(item);
  }
  throw new ConditionError(`argument of type '${typeName(container)}' is not iterable`);
}

function compare(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    case "<":
      return order(a, b, op) < 0;
    case "<=":
      return order(a, b, op) <= 0;
    case ">":
      return order(a, b, op) > 0;
    case ">=":
      return order(a, b, op) >= 0;
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    case "is":
      return a === b;
    default:
      return a !== b;
  }
}

function fn(name: string, call: (args: PyValue[]) => PyValue): PyFunction {
  return { kind: "function", name, call };
}

function str(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" || typeof value === "string") return String(value);
  throw new ConditionError(`str() of ${typeName(value)} is not supported`);
}

const MINOR_VERSIONS = ["24", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36"];

/** The globals of `zc.buildout.buildout._default_globals()` plus the builtins expressions use. */
export function defaultGlobals(python: PythonEnvironment): Map<string, PyValue> {
  const version = python.pythonVersion.split(".").concat(["0", "0"]).slice(0, 3);
  const [major, minor, micro] = version.map((part) => Number.parseInt(part, 10) || 0) as [number, number, number];
  const sysPlatform =
    python.platform === "win32"
      ? "win32"
      : python.platform === "darwin"
        ? "darwin"
        : python.platform === "cygwin"
          ? "cygwin"
          : python.platform === "sunos"
            ? "sunos5"
            : python.platform;
  const osName = python.platform === "win32" ? "nt" : "posix";
  const bits = /64/.test(python.arch) ? 64 : 32;
  const machine =
    python.arch === "x64"
      ? python.platform === "win32"
        ? "AMD64"
        : "x86_64"
      : python.arch === "arm64"
        ? python.platform === "linux"
          ? "aarch64"
          : "arm64"
        : python.arch === "ia32"
          ? "i686"
          : python.arch;
  const environ: PyDict = { kind: "dict", entries: new Map(Object.entries(python.env).filter((e): e is [string, string] => e[1] !== undefined)) };
  const pythonVersion = `${major}.${minor}.${micro}`;
  const versionInfo: PySequence = {
    kind: "tuple",
    items: [major, minor, micro, "final", 0],
    attrs: { major, minor, micro, releaselevel: "final", serial: 0 },
  };
  const sys: PyObject = {
    kind: "module",
    name: "sys",
    attrs: {
      platform: sysPlatform,
      version_info: versionInfo,
      version: `${pythonVersion} (emulated by autowatch)`,
      byteorder: python.littleEndian ? "little" : "big",
      maxsize: bits === 64 ? 2 ** 63 - 1 : 2 ** 31 - 1,
      executable: python.executable,
    },
  };
  const getenv = fn("get", (args) => {
    const key = args[0];
    if (typeof key !== "string") throw new ConditionError("os.environ.get() needs a string");
    return environ.entries.get(key) ?? args[1] ?? null;
  });
  const os: PyObject = { kind: "module", name: "os", attrs: { name: osName, sep: osName === "nt" ? "\\" : "/", environ, getenv } };
  const system = { linux: "Linux", darwin: "Darwin", win32: "Windows", freebsd: "FreeBSD", sunos: "SunOS" }[python.platform] ?? python.platform;
  const platform: PyObject = {
    kind: "module",
    name: "platform",
    attrs: {
      system: fn("system", () => system),
      machine: fn("machine", () => machine),
      python_version: fn("python_version", () => pythonVersion),
      python_version_tuple: fn("python_version_tuple", () => ({ kind: "tuple", items: [String(major), String(minor), String(micro)] })),
      python_implementation: fn("python_implementation", () => "CPython"),
    },
  };
  const globals = new Map<string, PyValue>([
    ["sys", sys],
    ["os", os],
    ["platform", platform],
    ["re", { kind: "module", name: "re", attrs: {} }],
    ["python2", major === 2],
    ["python3", major === 3],
    ["cpython", true],
    ["pypy", false],
    ["jython", false],
    ["ironpython", false],
    ["linux", sysPlatform.includes("linux")],
    ["windows", sysPlatform.includes("win32")],
    ["cygwin", sysPlatform.includes("cygwin")],
    ["solaris", sysPlatform.includes("sunos")],
    ["macosx", sysPlatform.includes("darwin")],
    ["posix", osName === "posix"],
    ["bits32", bits === 32],
    ["bits64", bits === 64],
    ["little_endian", python.littleEndian],
    ["big_endian", !python.littleEndian],
    [
      "len",
      fn("len", (args) => {
        const value = args[0] ?? null;
        if (typeof value === "string") return Array.from(value).length;
        if (value && typeof value === "object" && (value.kind === "tuple" || value.kind === "list")) return value.items.length;
        throw new ConditionError(`object of type '${typeName(value)}' has no len()`);
      }),
    ],
    ["str", fn("str", (args) => str(args[0] ?? ""))],
    ["bool", fn("bool", (args) => truthy(args[0] ?? false))],
    [
      "int",
      fn("int", (args) => {
        const value = args[0] ?? 0;
        if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
        const n = numeric(value);
        if (n === undefined) throw new ConditionError(`invalid literal for int(): ${quoteValue(str(value))}`);
        return Math.trunc(n);
      }),
    ],
  ]);
  for (const v of MINOR_VERSIONS) globals.set(`python${v}`, `${major}${minor}` === v);
  return globals;
}

function evaluate(node: Node, globals: Map<string, PyValue>): PyValue {
  switch (node.type) {
    case "literal":
      return node.value;
    case "name": {
      if (!globals.has(node.name)) throw new ConditionError(`name '${node.name}' is not defined`);
      return globals.get(node.name)!;
    }
    case "attr": {
      const target = evaluate(node.target, globals);
      const attrs = target && typeof target === "object" && "attrs" in target ? target.attrs : undefined;
      if (target && typeof target === "object" && target.kind === "dict" && node.name === "get") {
        return fn("get", (args) => {
          const key = args[0];
          if (typeof key !== "string") return args[1] ?? null;
          return target.entries.get(key) ?? args[1] ?? null;
        });
      }
      if (typeof target === "string" && ["lower", "upper", "startswith", "endswith", "strip"].includes(node.name)) {
        return stringMethod(target, node.name);
      }
      if (!attrs || !(node.name in attrs))
        throw new ConditionError(
          `'${typeName(target)}${target && typeof target === "object" && target.kind === "module" ? ` ${target.name}` : ""}' has no supported attribute '${node.name}'`,
        );
      return attrs[node.name]!;
    }
    case "call": {
      const target = evaluate(node.target, globals);
      if (!target || typeof target !== "object" || target.kind !== "function") throw new ConditionError(`'${typeName(target)}' object is not callable`);
      return target.call(node.args.map((arg) => evaluate(arg, globals)));
    }
    case "index": {
      const target = evaluate(node.target, globals);
      const index = evaluate(node.index, globals);
      if (target && typeof target === "object" && target.kind === "dict" && typeof index === "string") {
        if (!target.entries.has(index)) throw new ConditionError(`KeyError: ${quoteValue(index)}`);
        return target.entries.get(index)!;
      }
      const items =
        typeof target === "string"
          ? Array.from(target)
          : target && typeof target === "object" && (target.kind === "tuple" || target.kind === "list")
            ? target.items
            : undefined;
      const i = numeric(index);
      if (!items || i === undefined || !Number.isInteger(i)) throw new ConditionError(`cannot index ${typeName(target)} with ${typeName(index)}`);
      const item = items[i < 0 ? items.length + i : i];
      if (item === undefined) throw new ConditionError("index out of range");
      return item;
    }
    case "seq":
      return { kind: node.kind, items: node.items.map((item) => evaluate(item, globals)) };
    case "not":
      return !truthy(evaluate(node.operand, globals));
    case "neg": {
      const value = numeric(evaluate(node.operand, globals));
      if (value === undefined) throw new ConditionError("bad operand type for unary -");
      return -value;
    }
    case "bool": {
      // the first operand that decides, else the last (Python's short-circuit values)
      let value: PyValue = null;
      for (const operand of node.operands) {
        value = evaluate(operand, globals);
        if (node.op === "and" ? !truthy(value) : truthy(value)) return value;
      }
      return value;
    }
    case "pos": {
      const value = evaluate(node.operand, globals);
      if (numeric(value) === undefined) throw new ConditionError("bad operand type for unary +");
      return typeof value === "boolean" ? (value ? 1 : 0) : value;
    }
    case "compare": {
      let left = evaluate(node.first, globals);
      for (const { op, operand } of node.rest) {
        const right = evaluate(operand, globals);
        if (!compare(op, left, right)) return false;
        left = right;
      }
      return true;
    }
  }
}

function stringMethod(text: string, name: string): PyFunction {
  return fn(name, (args) => {
    const arg = args[0];
    switch (name) {
      case "lower":
        return text.toLowerCase();
      case "upper":
        return text.toUpperCase();
      case "strip":
        return strip(text);
      default: {
        const options = typeof arg === "string" ? [arg] : arg && typeof arg === "object" && arg.kind === "tuple" ? arg.items : [];
        if (!options.every((o): o is string => typeof o === "string")) throw new ConditionError(`${name}() needs strings`);
        return options.some((o) => (name === "startswith" ? text.startsWith(o) : text.endsWith(o)));
      }
    }
  });
}

/**
 * Evaluates what zc.buildout passes to `eval`: `[` + expression + `]` + optional comment,
 * and returns the truth of the first element (as `eval(...)[0]` does).
 */
export function evaluateCondition(source: string, globals: Map<string, PyValue>): boolean {
  const node = new Parser(tokenize(source)).parseAll();
  const value = evaluate(node, globals);
  if (!value || typeof value !== "object" || value.kind !== "list") throw new ConditionError("the expression is not a list");
  if (value.items.length === 0) throw new ConditionError("list index out of range (empty expression)");
  return truthy(value.items[0]!);
}
