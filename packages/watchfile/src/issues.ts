// Internal to @autowatch/watchfile: not exported (the public API is what README.md documents).
import * as z from "zod";
import { formatPath } from "./json.js";
import { LIMITS } from "./limits.js";
import { quoteValue } from "./quote.js";

/** The first problems of a long list are enough to fix a file; the rest are counted. */
export const MAX_REPORTED = LIMITS.problemsListed;

/** A zod issue as a sentence a person understands: where, what was expected, what was found. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return `${where}: missing (expected ${article(issue.expected)})`;
      return `${where}: expected ${article(issue.expected)}, got ${describeValue(input)}`;
    case "invalid_value": {
      const allowed = issue.values.map((value) => quoteValue(value)).join(", ");
      const expected = issue.values.length === 1 ? allowed : `one of ${allowed}`;
      return `${where}: expected ${expected}, got ${describeValue(input)}`;
    }
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return `${where}: must not be empty`;
      return `${where}: too small (at least ${String(issue.minimum)}${issue.origin === "string" ? " characters" : ""}), got ${describeValue(input)}`;
    case "too_big":
      return `${where}: too big (at most ${String(issue.maximum)}), got ${describeValue(input)}`;
    default:
      return `${where}: ${quoteValue(issue.message).slice(1, -1)}`;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "an object",
    array: "a list",
    record: "an object",
  };
  return names[expected] ?? expected;
}

/** A short, safe description of an untrusted value for a message. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : `the string ${quoteValue(value, 80)}`;
    case "number":
      return `the number ${String(value)}`;
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

type Key = string | number;

/** A schema reduced to what the walks below need, computed once per schema. */
type Shape = { kind: "object"; fields: Map<string, Shape> } | { kind: "array"; element: Shape } | { kind: "record"; value: Shape } | { kind: "leaf" };

const LEAF: Shape = { kind: "leaf" };
const shapes = new WeakMap<z.ZodType, Shape>();

/** The schema inside optional/default/nullable wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function shapeOf(schema: z.ZodType): Shape {
  const known = shapes.get(schema);
  if (known) return known;
  const inner = unwrap(schema);
  let shape: Shape = LEAF;
  if (inner instanceof z.ZodObject) {
    const fields = new Map<string, Shape>();
    shape = { kind: "object", fields };
    shapes.set(schema, shape);
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) fields.set(key, shapeOf(field));
  } else if (inner instanceof z.ZodArray) {
    shape = { kind: "array", element: shapeOf(inner.element as z.ZodType) };
  } else if (inner instanceof z.ZodRecord) {
    shape = { kind: "record", value: shapeOf(inner.valueType as z.ZodType) };
  }
  shapes.set(schema, shape);
  return shape;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Paths of fields the schema does not know (zod drops them silently). Called on input that
 * already passed the schema, so shapes match where it looks.
 */
export function findUnknownFields(schema: z.ZodType, value: unknown): Key[][] {
  const found: Key[][] = [];
  walkUnknown(shapeOf(schema), value, [], found);
  return found;
}

function walkUnknown(shape: Shape, value: unknown, path: Key[], found: Key[][]): void {
  if (shape.kind === "object") {
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      const field = shape.fields.get(key);
      if (field === undefined) found.push([...path, key]);
      else if (field.kind !== "leaf") descend(field, value[key], path, key, found);
    }
  } else if (shape.kind === "array") {
    if (!Array.isArray(value) || shape.element.kind === "leaf") return;
    for (let index = 0; index < value.length; index++) descend(shape.element, value[index], path, index, found);
  } else if (shape.kind === "record") {
    if (!isPlainObject(value) || shape.value.kind === "leaf") return;
    for (const key of Object.keys(value)) descend(shape.value, value[key], path, key, found);
  }
}

function descend(shape: Shape, value: unknown, path: Key[], key: Key, found: Key[][]): void {
  path.push(key);
  walkUnknown(shape, value, path, found);
  path.pop();
}
