// Internal to @autowatch/watchfile: not exported (the public API is what README.md documents).
import { isAscii } from "node:buffer";
import { parseJson, type ParsedJson } from "./json.js";
import { PROBLEM_CODE_SHAPE } from "./problem.js";
import { FORMAT_NAME, WATCHFILE_SCHEMA_ID } from "./schema.js";
import type { WatchFile } from "./schema.js";

/** What the fast path needs of the parse options, already defaulted. */
export interface FastLimits {
  maxBytes: number;
  maxEntries: number;
  maxDepth: number;
}

/**
 * The common case at farm scale, a well-formed watch file with nothing to report, read
 * with native decoding and `JSON.parse` and checked by hand against the schema. Returns
 * undefined as soon as anything is unusual (too big, not UTF-8, two BOMs, bad JSON, a
 * field the schema does not know — `__proto__` and `constructor` among them — or a value
 * zod would refuse): the careful path then says why in its own words. What it returns is
 * what the careful path returns for the same input (objects with keys in schema order).
 */
export function readWatchFileFast(input: unknown, limits: FastLimits): FastRead {
  // An accepted file nests 4 levels at most (file, list, entry, origin): its depth needs no scan.
  if (!(limits.maxDepth >= 4)) return MISSED;
  const text = decode(input, limits.maxBytes);
  if (text === undefined) return MISSED;
  const parsed = parseJson(text);
  if (!parsed.ok) return { parsed };
  const accepted = acceptDocument(parsed.value, limits.maxEntries);
  return accepted ?? { parsed };
}

/**
 * What the fast path found: the file, or nothing usable (then `parsed` is what JSON.parse
 * gave for the text the careful path will read, when it got that far).
 */
export type FastRead = { value: WatchFile; legacy: boolean; parsed?: undefined } | { value?: undefined; parsed?: ParsedJson };

const MISSED: FastRead = {};

function acceptDocument(document: unknown, maxEntries: number): { value: WatchFile; legacy: boolean } | undefined {
  if (Array.isArray(document)) {
    const watches = entries(document, maxEntries, legacyEntry);
    return watches && { value: { schema: WATCHFILE_SCHEMA_ID, watches, pinned: [], problems: [] }, legacy: true };
  }
  if (!isObject(document) || document.schema !== WATCHFILE_SCHEMA_ID || keyOrder(document, FILE_FIELDS) === UNKNOWN) return undefined;
  const watches = entries(document.watches, maxEntries, watchEntry);
  const pinned = document.pinned === undefined ? [] : entries(document.pinned, maxEntries, pinnedEntry);
  const problems = document.problems === undefined ? [] : entries(document.problems, maxEntries, problemEntry);
  if (!watches || !pinned || !problems) return undefined;
  // Built afresh, in schema order, like zod's output.
  const value: Record<string, unknown> = { schema: WATCHFILE_SCHEMA_ID };
  for (const field of HEAD_STRINGS) {
    const item = document[field];
    if (item === undefined) continue;
    if (typeof item !== "string") return undefined;
    value[field] = item;
  }
  if (document.buildout !== undefined) {
    const buildout = document.buildout;
    if (!isObject(buildout)) return undefined;
    const order = keyOrder(buildout, BUILDOUT_FIELDS);
    if (order === UNKNOWN || typeof buildout.config !== "string" || !optionalString(buildout.part)) return undefined;
    value.buildout = inSchemaOrder(buildout, order, BUILDOUT_FIELDS);
  }
  value.watches = watches;
  value.pinned = pinned;
  value.problems = problems;
  return { value: value as WatchFile, legacy: false };
}

const FILE_FIELDS = ["schema", "builder", "generated", "generator", "buildout", "watches", "pinned", "problems"] as const;
const HEAD_STRINGS = ["builder", "generated", "generator"] as const;
const BUILDOUT_FIELDS = ["config", "part"] as const;
const LEGACY_FIELDS = ["vcs", "url", "revspec"] as const;
const WATCH_FIELDS = ["vcs", "url", "revspec", "origin"] as const;
const PINNED_FIELDS = ["vcs", "url", "revspec", "why", "origin"] as const;
const ORIGIN_FIELDS = ["file", "line", "section", "option", "format"] as const;
const PROBLEM_FIELDS = ["level", "code", "message", "builder", "file", "line"] as const;

const VCS = new Set(["git", "hg", "bzr", "svn"]);
const PIN_REASONS = new Set(["commit", "tag", "revision", "node", "revid", "unknown"]);
const LEVELS = new Set(["error", "warning", "info"]);

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decode(input: unknown, maxBytes: number): string | undefined {
  let text: string;
  if (typeof input === "string") {
    if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) return undefined;
    if (!(input as unknown as { isWellFormed(): boolean }).isWellFormed()) return undefined;
    text = input;
  } else if (input instanceof Uint8Array) {
    if (input.byteLength > maxBytes) return undefined;
    // Most files are ASCII: checked natively, then read as one-byte text (same characters as UTF-8).
    if (isAscii(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1");
    try {
      text = decoder.decode(input);
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  if (text.charCodeAt(0) !== 0xfeff) return text;
  return text.charCodeAt(1) === 0xfeff ? undefined : text.slice(1);
}

/**
 * A list of at most `maxEntries` items, each accepted as it is or as a copy with its keys
 * in schema order; undefined when an item is refused. The list is copied only when an item is.
 */
function entries<T>(list: unknown, maxEntries: number, accept: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(list) || list.length > maxEntries) return undefined;
  let out: T[] | undefined;
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    const accepted = accept(item);
    if (accepted === undefined) return undefined;
    if (accepted !== item) out ??= list.slice(0, index) as T[];
    out?.push(accepted);
  }
  return out ?? (list as T[]);
}

const UNKNOWN = 0;
const IN_ORDER = 1;
const REORDERED = 2;

/** Whether every key is a field, and in the fields' order (the order zod's output has). */
function keyOrder(value: Record<string, unknown>, fields: readonly string[]): number {
  let at = 0;
  let order = IN_ORDER;
  for (const key in value) {
    let found = at;
    while (found < fields.length && fields[found] !== key) found++;
    if (found === fields.length) {
      if (!fields.includes(key)) return UNKNOWN;
      order = REORDERED;
      continue;
    }
    at = found + 1;
  }
  return order;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

function optionalCount(value: unknown): boolean {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

/** The object itself when its keys are in schema order, else a copy in that order (what zod returns). */
function inSchemaOrder<T extends Record<string, unknown>>(value: T, order: number, fields: readonly string[]): T {
  if (order === IN_ORDER) return value;
  const copy: Record<string, unknown> = {};
  for (const field of fields) if (value[field] !== undefined) copy[field] = value[field];
  return copy as T;
}

function isSource(entry: Record<string, unknown>): boolean {
  const { vcs, url } = entry;
  return typeof vcs === "string" && VCS.has(vcs) && typeof url === "string" && url !== "" && typeof entry.revspec === "string";
}

type Watch = WatchFile["watches"][number];

export function legacyEntry(entry: unknown): Watch | undefined {
  if (!isObject(entry)) return undefined;
  const order = keyOrder(entry, LEGACY_FIELDS);
  if (order === UNKNOWN || !isSource(entry)) return undefined;
  return inSchemaOrder(entry, order, LEGACY_FIELDS) as Watch;
}

export function watchEntry(entry: unknown): Watch | undefined {
  if (!isObject(entry)) return undefined;
  const order = keyOrder(entry, WATCH_FIELDS);
  if (order === UNKNOWN || !isSource(entry)) return undefined;
  const origin = originOf(entry.origin);
  if (origin === undefined) return undefined;
  return withOrigin(inSchemaOrder(entry, order, WATCH_FIELDS), origin) as Watch;
}

export function pinnedEntry(entry: unknown): WatchFile["pinned"][number] | undefined {
  if (!isObject(entry)) return undefined;
  const order = keyOrder(entry, PINNED_FIELDS);
  if (order === UNKNOWN || !isSource(entry)) return undefined;
  const { why } = entry;
  if (typeof why !== "string" || !PIN_REASONS.has(why)) return undefined;
  const origin = originOf(entry.origin);
  if (origin === undefined) return undefined;
  return withOrigin(inSchemaOrder(entry, order, PINNED_FIELDS), origin) as WatchFile["pinned"][number];
}

const NO_ORIGIN = {};

/** The origin as zod returns it, NO_ORIGIN when there is none, undefined when it is refused. */
function originOf(origin: unknown): Record<string, unknown> | undefined {
  if (origin === undefined) return NO_ORIGIN;
  if (!isObject(origin)) return undefined;
  const order = keyOrder(origin, ORIGIN_FIELDS);
  if (order === UNKNOWN || typeof origin.file !== "string" || !optionalCount(origin.line)) return undefined;
  if (!optionalString(origin.section) || !optionalString(origin.option)) return undefined;
  if (origin.format !== undefined && !(typeof origin.format === "string" && FORMAT_NAME.test(origin.format))) return undefined;
  return inSchemaOrder(origin, order, ORIGIN_FIELDS);
}

function withOrigin(entry: Record<string, unknown>, origin: Record<string, unknown>): Record<string, unknown> {
  if (origin !== NO_ORIGIN && origin !== entry.origin) entry.origin = origin;
  return entry;
}

export function problemEntry(entry: unknown): WatchFile["problems"][number] | undefined {
  if (!isObject(entry)) return undefined;
  const order = keyOrder(entry, PROBLEM_FIELDS);
  if (order === UNKNOWN) return undefined;
  const { level } = entry;
  if (typeof level !== "string" || !LEVELS.has(level) || typeof entry.message !== "string") return undefined;
  if (entry.code !== undefined && !(typeof entry.code === "string" && PROBLEM_CODE_SHAPE.test(entry.code))) return undefined;
  if (!optionalString(entry.builder) || !optionalString(entry.file) || !optionalCount(entry.line)) return undefined;
  return inSchemaOrder(entry, order, PROBLEM_FIELDS) as WatchFile["problems"][number];
}
