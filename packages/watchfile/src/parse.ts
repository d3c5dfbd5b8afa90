import type * as z from "zod";
import { describeIssue, describeValue, findUnknownFields, MAX_REPORTED } from "./issues.js";
import { formatPath, readJson } from "./json.js";
import type { ReadFailure } from "./json.js";
import { makeProblem, type ProblemCode } from "./problem.js";
import { quoteValue } from "./quote.js";
import {
  builderStateSchema,
  legacyWatchFileSchema,
  pinnedEntrySchema,
  watchFileProblemSchema,
  STATE_SCHEMA_ID,
  watchEntrySchema,
  stateSchema,
  WATCHFILE_SCHEMA_ID,
  watchFileSchema,
} from "./schema.js";
import type { Problem, State, WatchFile } from "./schema.js";
import { LIMITS } from "./limits.js";

// the parsers' defaults, by the names their options have
export const DEFAULT_MAX_BYTES = LIMITS.watchFileBytes;
export const DEFAULT_MAX_ENTRIES = LIMITS.watchFileEntries;
export const DEFAULT_MAX_DEPTH = LIMITS.jsonDepth;
export const DEFAULT_MAX_STATE_BYTES = LIMITS.stateBytes;

export interface ParseOptions {
  /** Larger inputs are rejected before parsing. Watch files: 1 MiB; state: 64 MiB. */
  maxBytes?: number;
  /** Most items in each list of a watch file (`watches`, `pinned`, `problems`, or the legacy list). */
  maxEntries?: number;
  /** Deepest nesting of objects and lists (watch files need 4 levels). */
  maxDepth?: number;
  /** Set on every problem returned, to attribute it. */
  file?: string;
  /** Set on every problem returned, to attribute it. */
  builder?: string;
}

export type WatchFileParseResult = { ok: true; value: WatchFile; legacy: boolean; warnings: Problem[] } | { ok: false; problems: Problem[] };

export type StateParseResult = { ok: true; value: State; warnings: Problem[] } | { ok: false; problems: Problem[] };

type Rejected = { ok: false; problems: Problem[] };
type Attribute = (level: Problem["level"], code: ProblemCode, message: string, line?: number) => Problem;

/**
 * Reads an untrusted watch file (bytes as uploaded, or text). Never throws: every way a
 * file can be wrong comes back as `{ok: false, problems}`; fields this version does not
 * know are dropped with a warning. A legacy list is upgraded to the v2 shape.
 */
export function parseWatchFile(input: string | Uint8Array, options: ParseOptions = {}): WatchFileParseResult {
  return neverThrowing("watch file", options, (checked, attribute) => readWatchFile(input, checked, attribute));
}

/** Reads a state file written by `autowatch merge`, with the same never-throw contract. */
export function parseState(input: string | Uint8Array, options: ParseOptions = {}): StateParseResult {
  return neverThrowing("state file", options, (checked, attribute) => readState(input, checked, attribute));
}

function neverThrowing<T>(noun: string, options: ParseOptions | null, read: (options: ParseOptions, attribute: Attribute) => T): T | Rejected {
  const attribute = attributor(options);
  try {
    return read(options ?? {}, attribute);
  } catch (error) {
    return internalFailure(error, noun, attribute);
  }
}

/** Every check in turn: JSON, then the schema entry by entry (the merge cache parses only changed files). */
function readWatchFile(input: string | Uint8Array, options: ParseOptions, attribute: Attribute): WatchFileParseResult {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const read = readJson(input, { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH });
  if (!read.ok) return rejectRead(read.failure, attribute);
  const document = read.value;

  if (Array.isArray(document)) {
    if (document.length > maxEntries) {
      return reject(attribute, "watchfile.entries.limit", `legacy list of ${document.length} sources, over the limit of ${maxEntries} per file`);
    }
    const entries = keepValidEntries(document, legacyWatchFileSchema.element, [], attribute);
    if (!entries.ok) return entries;
    const unknown = unknownFields(legacyWatchFileSchema, document, (path) => entries.refusedAt.has(path[0] as number), attribute);
    const value: WatchFile = {
      schema: WATCHFILE_SCHEMA_ID,
      watches: entries.kept as WatchFile["watches"],
      pinned: [],
      problems: [],
    };
    return { ok: true, value, legacy: true, warnings: [...entries.refused, ...unknown] };
  }
  if (!isPlainObject(document)) {
    return reject(
      attribute,
      "watchfile.document.type",
      `expected a watch file: a JSON object with "schema": ${quoteValue(WATCHFILE_SCHEMA_ID)} (or a list of sources, the legacy format), got ${describeValue(document)}`,
    );
  }
  const wrongId = checkSchemaId(document.schema, WATCHFILE_SCHEMA_ID, "watch file");
  if (wrongId !== undefined) return reject(attribute, wrongId.code, wrongId.message);
  for (const list of ["watches", "pinned", "problems"]) {
    const items = document[list];
    if (Array.isArray(items) && items.length > maxEntries) {
      return reject(attribute, "watchfile.entries.limit", `${list}: ${items.length} entries, over the limit of ${maxEntries} per file`);
    }
  }
  // Each list is validated entry by entry, the rest of the file once, without the lists.
  const lists: Record<string, unknown[]> = {};
  const refused: Problem[] = [];
  const refusedAt = new Map<PropertyKey, Set<number>>();
  for (const [list, entrySchema] of ENTRY_LISTS) {
    const items = document[list];
    if (items === undefined && list !== "watches") {
      lists[list] = [];
      continue;
    }
    // Missing or not a list: the whole schema says so in its own words.
    if (!Array.isArray(items)) {
      const whole = validate(watchFileSchema, document, attribute);
      return whole.ok ? { ...whole, legacy: false } : whole;
    }
    const entries = keepValidEntries(items, entrySchema, [list], attribute);
    if (!entries.ok) return entries;
    lists[list] = entries.kept;
    refused.push(...entries.refused);
    refusedAt.set(list, entries.refusedAt);
  }
  const head = WATCHFILE_HEAD.safeParse(document, { reportInput: true });
  if (!head.success) return { ok: false, problems: capped(head.error.issues.map(describeIssue), "error", "watchfile.value.invalid", attribute) };
  const value = { ...head.data, ...lists } as WatchFile;
  // Unknown fields are looked for in the file as written, so that paths keep the file's indexes.
  const unknown = unknownFields(watchFileSchema, document, (path) => refusedAt.get(path[0] as PropertyKey)?.has(path[1] as number) ?? false, attribute);
  return { ok: true, value, legacy: false, warnings: [...refused, ...unknown] };
}

/** The watch file without its lists (which are checked entry by entry). */
const WATCHFILE_HEAD = watchFileSchema.omit({ watches: true, pinned: true, problems: true });

function readState(input: string | Uint8Array, options: ParseOptions, attribute: Attribute): StateParseResult {
  const read = readJson(input, {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_STATE_BYTES,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    namesAt: "builders",
  });
  if (!read.ok) return rejectRead(read.failure, attribute);
  const document = read.value;
  if (!isPlainObject(document)) {
    return reject(
      attribute,
      "watchfile.document.type",
      `expected a state file: a JSON object with "schema": ${quoteValue(STATE_SCHEMA_ID)}, got ${describeValue(document)}`,
    );
  }
  const wrongId = checkSchemaId(document.schema, STATE_SCHEMA_ID, "state file");
  if (wrongId !== undefined) return reject(attribute, wrongId.code, wrongId.message);
  const result = validate(stateSchema, document, attribute);
  const raw = document.builders;
  if (!result.ok || !isPlainObject(raw) || !Object.hasOwn(raw, "__proto__")) return result;
  // zod's record skips a "__proto__" key: that builder is validated and set as an own field
  // here, every builder in the file's order (the order the state was written in)
  const own = builderStateSchema.safeParse(raw["__proto__"], { reportInput: true });
  if (!own.success)
    return {
      ok: false,
      problems: capped(
        own.error.issues.map((issue) => describeIssue({ ...issue, path: ["builders", "__proto__", ...issue.path] })),
        "error",
        "watchfile.value.invalid",
        attribute,
      ),
    };
  const builders: State["builders"] = {};
  for (const name of Object.keys(raw)) {
    const value = name === "__proto__" ? own.data : result.value.builders[name];
    Object.defineProperty(builders, name, { value, enumerable: true, writable: true, configurable: true });
  }
  result.value.builders = builders;
  return result;
}

/** Each list and its entry schema. */
const ENTRY_LISTS: ReadonlyArray<readonly [string, z.ZodType]> = [
  ["watches", watchEntrySchema],
  ["pinned", pinnedEntrySchema],
  ["problems", watchFileProblemSchema],
];

/**
 * Entries are refused one by one (an unknown VCS from a newer worker, one hostile entry)
 * so that the rest of the file still counts; a list whose every entry is invalid means
 * the file itself is bogus, and it is rejected whole.
 */
function keepValidEntries(
  items: unknown[],
  entrySchema: z.ZodType,
  path: PropertyKey[],
  attribute: Attribute,
): { ok: true; kept: unknown[]; refused: Problem[]; refusedAt: Set<number> } | Rejected {
  const kept: unknown[] = [];
  const messages: string[] = [];
  const refusedAt = new Set<number>();
  items.forEach((item, index) => {
    const result = entrySchema.safeParse(item, { reportInput: true });
    if (result.success) {
      kept.push(result.data);
    } else {
      refusedAt.add(index);
      messages.push(...result.error.issues.map((issue) => describeIssue({ ...issue, path: [...path, index, ...issue.path] })));
    }
  });
  if (kept.length === 0 && messages.length > 0) return { ok: false, problems: capped(messages, "error", "watchfile.entry.invalid", attribute) };
  const refused = capped(
    messages.map((message) => `${message}; entry ignored`),
    "error",
    "watchfile.entry.invalid",
    attribute,
  );
  return { ok: true, kept, refused, refusedAt };
}

/** Schema validation plus a warning for each field the schema does not know (and drops). */
function validate<T extends z.ZodType>(schema: T, document: unknown, attribute: Attribute): { ok: true; value: z.output<T>; warnings: Problem[] } | Rejected {
  const result = schema.safeParse(document, { reportInput: true });
  if (!result.success) {
    return { ok: false, problems: capped(result.error.issues.map(describeIssue), "error", "watchfile.value.invalid", attribute) };
  }
  return { ok: true, value: result.data, warnings: unknownFields(schema, document, () => false, attribute) };
}

/** A warning for each field of `document` the schema does not know, except where `skip` says. */
function unknownFields(schema: z.ZodType, document: unknown, skip: (path: PropertyKey[]) => boolean, attribute: Attribute): Problem[] {
  const messages = findUnknownFields(schema, document)
    .filter((path) => !skip(path))
    .map((path) => `${formatPath(path)}: unknown field, ignored (written by a newer autowatch?)`);
  return capped(messages, "warning", "watchfile.field.unknown", attribute);
}

/** The first MAX_REPORTED messages as problems, and one that counts the others (same level and code). */
function capped(messages: string[], level: Problem["level"], code: ProblemCode, attribute: Attribute): Problem[] {
  const problems = messages.slice(0, MAX_REPORTED).map((message) => attribute(level, code, message));
  if (messages.length > MAX_REPORTED) {
    problems.push(attribute(level, code, `… and ${messages.length - MAX_REPORTED} more of the same kind`));
  }
  return problems;
}

/** Why a `schema` field is not the one expected, or undefined when it is. */
function checkSchemaId(id: unknown, expected: string, noun: string): { code: ProblemCode; message: string } | undefined {
  if (id === expected) return undefined;
  if (id === undefined) return { code: "watchfile.schema.missing", message: `no "schema" field: a ${noun} starts with "schema": ${quoteValue(expected)}` };
  const [family, version] = expected.split("/");
  const match = typeof id === "string" ? /^(autowatch\.[a-z]+)\/(\d+)$/.exec(id) : null;
  if (match && match[1] === family) {
    const newer = Number(match[2]) > Number(version);
    return {
      code: newer ? "watchfile.schema.newer" : "watchfile.schema.older",
      message: `schema: ${quoteValue(id)} is ${newer ? "a newer" : "an older"} format than this autowatch reads (${quoteValue(expected)})${newer ? "; upgrade autowatch on the master" : ""}`,
    };
  }
  if (match) return { code: "watchfile.schema.other", message: `schema: ${quoteValue(id)} is not a ${noun} (expected ${quoteValue(expected)})` };
  return { code: "watchfile.schema.other", message: `schema: expected ${quoteValue(expected)}, got ${describeValue(id)}` };
}

function attributor(options: ParseOptions | null | undefined): Attribute {
  const { builder, file } = options ?? {};
  const where = { builder: typeof builder === "string" ? builder : undefined, file: typeof file === "string" ? file : undefined };
  return (level, code, message, line) => makeProblem(level, code, message, { ...where, line });
}

function reject(attribute: Attribute, code: ProblemCode, message: string): Rejected {
  return { ok: false, problems: [attribute("error", code, message)] };
}

function rejectRead(failure: ReadFailure, attribute: Attribute): Rejected {
  return { ok: false, problems: [attribute("error", failure.code, failure.message, failure.line)] };
}

function internalFailure(error: unknown, noun: string, attribute: Attribute): Rejected {
  const detail = error instanceof Error ? error.message : String(error);
  return reject(attribute, "watchfile.internal", `could not read the ${noun} (internal error: ${quoteValue(detail)})`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
