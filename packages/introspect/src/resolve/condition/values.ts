// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/** The Python values a condition expression computes with, and Python's rules for comparing them. */

export type PyFunction = { kind: "function"; name: string; call: (args: PyValue[]) => PyValue };
export type PyObject = { kind: "module"; name: string; attrs: Record<string, PyValue> };
export type PyDict = { kind: "dict"; entries: Map<string, string> };
export type PySequence = { kind: "tuple" | "list"; items: PyValue[]; attrs?: Record<string, PyValue> };
export type PyValue = null | boolean | number | string | PySequence | PyObject | PyFunction | PyDict;

export class ConditionError extends Error {}

export function typeName(value: PyValue): string {
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

export function numeric(value: PyValue): number | undefined {
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

export function compare(op: string, a: PyValue, b: PyValue): boolean {
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

export function fn(name: string, call: (args: PyValue[]) => PyValue): PyFunction {
  return { kind: "function", name, call };
}

export function str(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" || typeof value === "string") return String(value);
  throw new ConditionError(`str() of ${typeName(value)} is not supported`);
}
