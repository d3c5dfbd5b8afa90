/**
 * Conditional section headers `[name: expression]`: zc.buildout evaluates the expression
 * with Python's `eval` and the globals of `_default_globals()`. We evaluate the subset of
 * Python those expressions use (names, attributes, calls of a few functions, literals,
 * tuples and lists, comparisons, `in`, `is`, `not`/`and`/`or`) in-process, against an
 * emulation of the interpreter that runs the buildout. Anything else is an error that
 * says what could not be evaluated.
 */

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
  | { type: "bool"; op: "and" | "or"; left: Node; right: Node }
  | { type: "compare"; first: Node; rest: { op: string; operand: Node }[] };

interface Token {
  kind: "name" | "number" | "string" | "op" | "end";
  text: string;
  value?: PyValue;
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "True", "False", "None", "if", "else", "lambda", "for"]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
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
    const string = /^([rRuU]?)('''|"""|'|")/.exec(rest);
    if (string) {
      const [prefix, quote] = [string[1]!, string[2]!];
      let j = i + prefix.length + quote.length;
      let value = "";
      for (;;) {
        if (j >= source.length) throw new ConditionError("unterminated string literal");
        if (source.startsWith(quote, j)) break;
        const c = source[j]!;
        if (c === "\n" && quote.length === 1) throw new ConditionError("unterminated string literal");
        if (c === "\\" && !/[rR]/.test(prefix)) {
          const next = source[j + 1] ?? "";
          const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", "\n": "" };
          if (next in simple) {
            value += simple[next];
            j += 2;
          } else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(source.slice(j + 2, j + 4))) {
            value += String.fromCharCode(parseInt(source.slice(j + 2, j + 4), 16));
            j += 4;
          } else {
            value += c;
            j++;
          }
          continue;
        }
        value += c;
        j++;
      }
      tokens.push({ kind: "string", text: source.slice(i, j + quote.length), value });
      i = j + quote.length;
      continue;
    }
    const number = /^(\d+\.\d*|\.\d+|\d+)/.exec(rest);
    if (number) {
      if (/^\d/.test(rest) && /^0\d/.test(number[1]!) && !/^0+$/.test(number[1]!)) {
        throw new ConditionError(`invalid number ${number[1]}`);
      }
      tokens.push({ kind: "number", text: number[1]!, value: Number(number[1]) });
      i += number[1]!.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ kind: "name", text: name[0] });
      i += name[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\.|-|\+)/.exec(rest);
    if (op) {
      tokens.push({ kind: "op", text: op[0] });
      i += op[0].length;
      continue;
    }
    throw new ConditionError(`unsupported character ${JSON.stringify(char)}`);
  }
  tokens.push({ kind: "end", text: "end of expression" });
  return tokens;
}

class Parser {
  private position = 0;
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
    if (!this.accept(text)) throw new ConditionError(`expected ${JSON.stringify(text)}, found ${JSON.stringify(this.peek().text)}`);
  }

  parseAll(): Node {
    const node = this.test();
    if (this.peek().kind !== "end") throw new ConditionError(`unsupported syntax at ${JSON.stringify(this.peek().text)}`);
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

  private test(): Node {
    let left = this.andTest();
    while (this.accept("or")) left = { type: "bool", op: "or", left, right: this.andTest() };
    if (this.peek().text === "if" || this.peek().text === "for") throw new ConditionError(`unsupported syntax at ${JSON.stringify(this.peek().text)}`);
    return left;
  }
  private andTest(): Node {
    let left = this.notTest();
    while (this.accept("and")) left = { type: "bool", op: "and", left, right: this.notTest() };
    return left;
  }
  private notTest(): Node {
    if (this.accept("not")) return { type: "not", operand: this.notTest() };
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
    return rest.length ? { type: "compare", first, rest } : first;
  }
  private unary(): Node {
    if (this.accept("-")) return { type: "neg", operand: this.unary() };
    if (this.accept("+")) return this.unary();
    let node = this.atom();
    for (;;) {
      if (this.accept(".")) {
        const name = this.next();
        if (name.kind !== "name") throw new ConditionError(`expected an attribute name, found ${JSON.stringify(name.text)}`);
        node = { type: "attr", target: node, name: name.text };
      } else if (this.accept("(")) {
        node = { type: "call", target: node, args: this.list(")").items };
      } else if (this.accept("[")) {
        const index = this.test();
        this.expect("]");
        node = { type: "index", target: node, index };
      } else {
        return node;
      }
    }
  }
  private atom(): Node {
    const token = this.next();
    if (token.kind === "number") return { type: "literal", value: token.value! };
    if (token.kind === "string") {
      let value = token.value as string;
      while (this.peek().kind === "string") value += this.next().value as string;
      return { type: "literal", value };
    }
    if (token.kind === "name") {
      if (token.text === "True") return { type: "literal", value: true };
      if (token.text === "False") return { type: "literal", value: false };
      if (token.text === "None") return { type: "literal", value: null };
      if (KEYWORDS.has(token.text)) throw new ConditionError(`unsupported syntax at ${JSON.stringify(token.text)}`);
      return { type: "name", name: token.text };
    }
    if (token.text === "(") {
      const { items, single } = this.list(")");
      return single ? items[0]! : { type: "seq", kind: "tuple", items };
    }
    if (token.text === "[") return { type: "seq", kind: "list", items: this.list("]").items };
    throw new ConditionError(`unexpected ${JSON.stringify(token.text)}`);
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
  const sysPlatform = python.platform === "win32" ? "win32" : python.platform === "darwin" ? "darwin" : python.platform === "cygwin" ? "cygwin" : python.platform === "sunos" ? "sunos5" : python.platform;
  const osName = python.platform === "win32" ? "nt" : "posix";
  const bits = /64/.test(python.arch) ? 64 : 32;
  const machine = python.arch === "x64" ? (python.platform === "win32" ? "AMD64" : "x86_64") : python.arch === "arm64" ? (python.platform === "linux" ? "aarch64" : "arm64") : python.arch === "ia32" ? "i686" : python.arch;
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
    ["len", fn("len", (args) => {
      const value = args[0] ?? null;
      if (typeof value === "string") return Array.from(value).length;
      if (value && typeof value === "object" && (value.kind === "tuple" || value.kind === "list")) return value.items.length;
      throw new ConditionError(`object of type '${typeName(value)}' has no len()`);
    })],
    ["str", fn("str", (args) => str(args[0] ?? ""))],
    ["bool", fn("bool", (args) => truthy(args[0] ?? false))],
    ["int", fn("int", (args) => {
      const value = args[0] ?? 0;
      if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
      const n = numeric(value);
      if (n === undefined) throw new ConditionError(`invalid literal for int(): ${str(value)}`);
      return Math.trunc(n);
    })],
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
      if (!attrs || !(node.name in attrs)) throw new ConditionError(`'${typeName(target)}${target && typeof target === "object" && target.kind === "module" ? ` ${target.name}` : ""}' has no supported attribute '${node.name}'`);
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
        if (!target.entries.has(index)) throw new ConditionError(`KeyError: '${index}'`);
        return target.entries.get(index)!;
      }
      const items = typeof target === "string" ? Array.from(target) : target && typeof target === "object" && (target.kind === "tuple" || target.kind === "list") ? target.items : undefined;
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
      const left = evaluate(node.left, globals);
      if (node.op === "and" ? !truthy(left) : truthy(left)) return left;
      return evaluate(node.right, globals);
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
