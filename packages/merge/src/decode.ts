import { WATCHFILE_SCHEMA_ID, quoteValue, type Origin } from "@autowatch/watchfile";

/** Limits applied to a watch file before anything else looks at it. */
export interface DecodeLimits {
  maxBytes: number;
  maxEntries: number;
}

/** A watch file after whole-file checks: its entries are still unvalidated. */
export interface DecodedWatchFile {
  legacy: boolean;
  builder?: unknown;
  entries: unknown[];
}

export type DecodeResult = { ok: true; value: DecodedWatchFile } | { ok: false; reason: string };

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

class ForbiddenKey extends Error {}

/**
 * Whole-file checks of a watch file (size, UTF-8, JSON, forbidden keys, shape, entry count).
 * Entries are validated one by one later, so that one bad entry does not cost the others.
 */
export function decodeWatchFile(bytes: Uint8Array, limits: DecodeLimits): DecodeResult {
  if (bytes.byteLength > limits.maxBytes) {
    return { ok: false, reason: `file over the size limit (${bytes.byteLength} > ${limits.maxBytes} bytes)` };
  }
  let text: string;
  try {
    // fatal: invalid UTF-8 rejects the file whole; one leading BOM is dropped by the decoder
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "not valid UTF-8" };
  }
  let data: unknown;
  try {
    data = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKey) return { ok: false, reason: `forbidden key ${quoteValue(error.message)}` };
    return { ok: false, reason: jsonFailure(error, text, bytes.byteLength) };
  }
  if (Array.isArray(data)) return checkCount({ legacy: true, entries: data }, limits);
  if (data === null || typeof data !== "object") return { ok: false, reason: "not a watch file (expected an object or a list)" };
  const record = data as Record<string, unknown>;
  if (record.schema !== WATCHFILE_SCHEMA_ID) {
    return { ok: false, reason: `unknown schema ${quoteValue(record.schema ?? null)} (expected "${WATCHFILE_SCHEMA_ID}")` };
  }
  if (!Array.isArray(record.watches)) return { ok: false, reason: "\"watches\" is not a list" };
  const pinned = Array.isArray(record.pinned) ? record.pinned.length : 0;
  return checkCount({ legacy: false, builder: record.builder, entries: record.watches }, limits, pinned);
}

function checkCount(value: DecodedWatchFile, limits: DecodeLimits, extra = 0): DecodeResult {
  const count = value.entries.length + extra;
  if (count > limits.maxEntries) return { ok: false, reason: `too many entries (${count} > ${limits.maxEntries})` };
  return { ok: true, value };
}

/** Never echoes the parser's message: it quotes raw input. */
function jsonFailure(error: unknown, text: string, size: number): string {
  const message = error instanceof Error ? error.message : "";
  const position = /position (\d+)/.exec(message)?.[1];
  if (/end of (JSON )?input|Unterminated string/i.test(message) || text.trim() === "" || Number(position) >= text.length) {
    return `not valid JSON (truncated at byte ${size})`;
  }
  return position === undefined ? "not valid JSON" : `not valid JSON (at character ${position})`;
}

/** A live source from a watch file, once validated. bzr/svn have branch "". */
export interface AutoEntry {
  vcs: string;
  url: string;
  branch: string;
  origin?: Origin;
}

/** Shape check of one entry; policy checks (URL, branch, host) come later. */
export function entryShape(entry: unknown): AutoEntry | string {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return "entry is not an object";
  const record = entry as Record<string, unknown>;
  const { vcs, url, revspec } = record;
  if (typeof vcs !== "string") return "entry has no \"vcs\"";
  if (typeof url !== "string") return "entry has no \"url\"";
  if (typeof revspec !== "string") return "entry has no \"revspec\"";
  const result: AutoEntry = { vcs, url, branch: vcs === "bzr" || vcs === "svn" ? "" : revspec };
  const origin = originShape(record.origin);
  if (origin) result.origin = origin;
  return result;
}

function originShape(value: unknown): Origin | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { file, line } = value as Record<string, unknown>;
  if (typeof file !== "string" || file.length > 1024) return undefined;
  const origin: Origin = { file };
  if (typeof line === "number" && Number.isInteger(line) && line >= 0) origin.line = line;
  return origin;
}
