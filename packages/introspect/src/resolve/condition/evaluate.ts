// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/** Evaluates a parsed condition expression against the globals, as Python's `eval` would. */

import { quoteValue, pyStrip } from "@autowatch/watchfile/text";
import { parseExpression, type Node } from "./parse.js";
import { ConditionError, compare, fn, numeric, truthy, typeName, type PyFunction, type PyValue } from "./values.js";

function evaluate(node: Node, globals: Map<string, PyValue>): PyValue {
  switch (node.type) {
    case "literal":
      return node.value;
    case "name": {
      if (!globals.has(node.name)) throw new ConditionError(`name '${node.name}' is not defined`);
      return globals.get(node.name)!;
    }
    case "attr":
      return attribute(evaluate(node.target, globals), node.name);
    case "call": {
      const target = evaluate(node.target, globals);
      if (!target || typeof target !== "object" || target.kind !== "function") throw new ConditionError(`'${typeName(target)}' object is not callable`);
      return target.call(node.args.map((arg) => evaluate(arg, globals)));
    }
    case "index":
      return item(evaluate(node.target, globals), evaluate(node.index, globals));
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

/** `target.name`: a module's attribute, `dict.get` or a supported `str` method. */
function attribute(target: PyValue, name: string): PyValue {
  const attrs = target && typeof target === "object" && "attrs" in target ? target.attrs : undefined;
  if (target && typeof target === "object" && target.kind === "dict" && name === "get") {
    return fn("get", (args) => {
      const key = args[0];
      if (typeof key !== "string") return args[1] ?? null;
      return target.entries.get(key) ?? args[1] ?? null;
    });
  }
  if (typeof target === "string" && ["lower", "upper", "startswith", "endswith", "strip"].includes(name)) {
    return stringMethod(target, name);
  }
  if (!attrs || !(name in attrs))
    throw new ConditionError(
      `'${typeName(target)}${target && typeof target === "object" && target.kind === "module" ? ` ${target.name}` : ""}' has no supported attribute '${name}'`,
    );
  return attrs[name]!;
}

/** `target[index]`: a dict's key, or a string's, tuple's or list's item (negative from the end). */
function item(target: PyValue, index: PyValue): PyValue {
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
  const found = items[i < 0 ? items.length + i : i];
  if (found === undefined) throw new ConditionError("index out of range");
  return found;
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
        return pyStrip(text);
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
  const node = parseExpression(source);
  const value = evaluate(node, globals);
  if (!value || typeof value !== "object" || value.kind !== "list") throw new ConditionError("the expression is not a list");
  if (value.items.length === 0) throw new ConditionError("list index out of range (empty expression)");
  return truthy(value.items[0]!);
}
