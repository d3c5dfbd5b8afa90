// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { Problem } from "@autowatch/watchfile";
import type { WatchFileStatus } from "../types.js";
import { checksumOf } from "./checksum.js";
import {
  CACHE_SCHEMA,
  rememberRecordText,
  type CacheCheck,
  type CachedBuilder,
  type CheckedBuilder,
  type CheckRow,
  type Confirmed,
  type Head,
  type Trailer,
  type MergeCacheData,
  type PayloadHead,
  type Piece,
  type StoredBuilder,
} from "./format.js";
import { WatchTable } from "./table.js";

/** What the payload's table and head lines hold, read back. */
export interface ReadPayloadHead {
  manifestProblems: Problem[];
  table: WatchTable;
  tally: number[];
  mixed: string[];
}

/** A cache read: its check part parsed; the payload read line by line as a merge needs it. */
export interface ReadCache {
  check: CacheCheck;
  /** The payload's pieces as read (to write it again as it is). */
  payload(): Piece[];
  /** The payload is the one the head's digest names (not damaged). */
  intact(): boolean;
  /** The payload's head line (undefined when damaged). */
  head(): ReadPayloadHead | undefined;
  /** One builder's record, by its index in `check.builders` (undefined when damaged). */
  record(index: number): CachedBuilder | undefined;
  /** The table's line, as read. */
  tableBytes(): Uint8Array;
  /** The record lines of builders `from` to `to` (indexes in `check.builders`, both included), as read, with the newlines between them. */
  recordRun(from: number, to: number): Uint8Array;
  /** Every builder's results; undefined when they are damaged. */
  full(): MergeCacheData | undefined;
}

/**
 * The cache in `text` when it was written by this code for these settings and is whole;
 * undefined otherwise (another version or settings, damaged, torn, not a cache): it is then
 * rebuilt, never trusted. Only the check line is parsed here.
 */
export function parseCache(bytes: Buffer, code: string, key: string): ReadCache | undefined {
  const NEWLINE = 10;
  const first = bytes.indexOf(NEWLINE);
  const second = first < 0 ? -1 : bytes.indexOf(NEWLINE, first + 1);
  // the last line: the payload's checksum
  const last = bytes.lastIndexOf(NEWLINE, bytes.length - 2);
  if (second < 0 || last <= second || bytes[bytes.length - 1] !== NEWLINE) return undefined;
  try {
    const head = JSON.parse(bytes.toString("utf8", 0, first)) as Partial<Head> | null;
    if (!head || head.schema !== CACHE_SCHEMA || head.code !== code || head.key !== key) return undefined;
    // the checksum of the line's bytes: the same as of its text, without encoding it again
    if (checksumOf(bytes.subarray(first + 1, second)) !== head.check) return undefined;
    const checkText = bytes.toString("utf8", first + 1, second);
    const check = parseCheck(JSON.parse(checkText) as Record<string, unknown>, code, key);
    if (!check) return undefined;
    const trailer = JSON.parse(bytes.toString("utf8", last + 1, bytes.length - 1)) as Partial<Trailer> | null;
    return new PayloadReader(check, bytes.subarray(second + 1, last), trailer?.payload);
  } catch {
    return undefined;
  }
}

/** The payload's line of the first builder's record: the table's line and the head line come before. */
const RECORDS_LINE = 2;

/** The payload, split into lines once, each decoded and checked only when asked for. */
class PayloadReader implements ReadCache {
  /** Where each line starts, and the payload's end after the last: line `n` is `starts[n]` to `starts[n + 1] - 1`. */
  private starts: number[] | undefined;
  private whole: boolean | undefined;
  private parsedHead: ReadPayloadHead | undefined | null = null;
  private readonly records = new Map<number, CachedBuilder | undefined>();

  constructor(
    readonly check: CacheCheck,
    private readonly bytes: Buffer,
    private readonly expected: unknown,
  ) {}

  intact(): boolean {
    this.whole ??= checksumOf(this.bytes) === this.expected && this.split().length - 1 === this.check.builders.length + RECORDS_LINE;
    return this.whole;
  }

  payload(): Piece[] {
    return [this.bytes];
  }

  head(): ReadPayloadHead | undefined {
    if (this.parsedHead === null) this.parsedHead = this.intact() ? parseHead(this.text(0), this.text(1)) : undefined;
    return this.parsedHead;
  }

  record(index: number): CachedBuilder | undefined {
    if (!this.records.has(index)) this.records.set(index, this.parseRecord(index));
    return this.records.get(index);
  }

  private parseRecord(index: number): CachedBuilder | undefined {
    const head = this.head();
    const checked = this.check.builders[index];
    if (!head || !checked) return undefined;
    const text = this.text(index + RECORDS_LINE);
    const record = safely(() => cachedBuilder(JSON.parse(text), checked, head.table.size));
    if (record) rememberRecordText(record, text);
    return record;
  }

  tableBytes(): Uint8Array {
    return this.bytes.subarray(0, this.split()[1]! - 1);
  }

  recordRun(from: number, to: number): Uint8Array {
    const starts = this.split();
    return this.bytes.subarray(starts[from + RECORDS_LINE]!, starts[to + RECORDS_LINE + 1]! - 1);
  }

  full(): MergeCacheData | undefined {
    const head = this.head();
    // a whole merge gives most builders back: every row is decoded, and a damaged one found, now
    if (!head?.table.decodeAll()) return undefined;
    const builders: CachedBuilder[] = [];
    for (const index of this.check.builders.keys()) {
      const record = this.record(index);
      if (!record) return undefined;
      builders.push(record);
    }
    return { ...this.check, manifestProblems: head.manifestProblems, table: head.table, builders };
  }

  private text(line: number): string {
    const starts = this.split();
    return line + 1 < starts.length ? this.bytes.toString("utf8", starts[line], starts[line + 1]! - 1) : "";
  }

  /** The lines' starts, and one past the payload's end (offsets, not views: 10,000 lines are 10,000 numbers). */
  private split(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    for (let end = this.bytes.indexOf(10); end >= 0; end = this.bytes.indexOf(10, end + 1)) starts.push(end + 1);
    starts.push(this.bytes.length + 1);
    return (this.starts = starts);
  }
}

function safely<T>(parse: () => T | undefined): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

function parseCheck(body: Record<string, unknown>, code: string, key: string): CacheCheck | undefined {
  const { startedMs, today, global, manifests, factories, state, lastGoodIndex, builders } = body;
  if (typeof startedMs !== "number" || !Number.isFinite(startedMs) || typeof today !== "string" || typeof global !== "string") return undefined;
  if (!Array.isArray(manifests) || !manifests.every(isConfirmed) || !Array.isArray(builders)) return undefined;
  if (!(factories === null || isConfirmed(factories)) || !(lastGoodIndex === null || isConfirmed(lastGoodIndex))) return undefined;
  if (!(state === null || isStateEntry(state))) return undefined;
  const rows: CheckedBuilder[] = [];
  for (let at = 0; at < builders.length; at++) {
    const checked = checkedRow(builders[at]);
    if (!checked) return undefined;
    rows.push(checked);
  }
  return {
    code,
    key,
    startedMs,
    today,
    global,
    manifests: manifests as Confirmed[],
    factories: factories as Confirmed | null,
    state: state as CacheCheck["state"],
    lastGoodIndex: lastGoodIndex as Confirmed | null,
    builders: rows,
  };
}

function checkedRow(row: unknown): CheckedBuilder | undefined {
  if (!Array.isArray(row) || row.length !== 10) return undefined;
  // by index: destructuring steps an iterator, 10 allocations per row of 10,000 until optimised
  const cells = row as CheckRow;
  const name = cells[0];
  const input = cells[1];
  const racy = cells[2];
  const rowDigest = cells[3];
  const lastGood = cells[4];
  const flags = cells[5];
  const timer = cells[6];
  const watchesDigest = cells[7];
  const watchCount = cells[8];
  const problemCount = cells[9];
  if (typeof name !== "string" || typeof input !== "string" || typeof racy !== "boolean") return undefined;
  if (!(rowDigest === null || typeof rowDigest === "string") || !(lastGood === null || typeof lastGood === "string")) return undefined;
  if (typeof flags !== "number" || !(timer === null || typeof timer === "number") || typeof watchesDigest !== "string") return undefined;
  if (!Number.isInteger(watchCount) || watchCount < 0 || !Number.isInteger(problemCount) || problemCount < 0) return undefined;
  const checked: CheckedBuilder = {
    name,
    input,
    racy,
    digest: rowDigest,
    lastGood,
    schedule: (flags & 1) !== 0,
    autoWatch: (flags & 2) !== 0,
    watchesDigest,
    watchCount,
    problemCount,
  };
  if (timer !== null) checked.treeStableTimer = timer;
  return checked;
}

function parseHead(tableText: string, text: string): ReadPayloadHead | undefined {
  return safely(() => {
    const table = WatchTable.fromStored(tableText);
    const body = JSON.parse(text) as Partial<PayloadHead> | null;
    const { manifestProblems, tally, mixed } = body ?? {};
    if (!table || !Array.isArray(manifestProblems) || !manifestProblems.every(isProblem)) return undefined;
    if (!Array.isArray(tally) || tally.length !== 2 * table.size || !tally.every((n) => Number.isInteger(n) && n >= 0)) return undefined;
    if (!Array.isArray(mixed) || !mixed.every((url) => typeof url === "string")) return undefined;
    return { manifestProblems, table, tally, mixed };
  });
}

function cachedBuilder(row: unknown, checked: CheckedBuilder, watchCount: number): CachedBuilder | undefined {
  if (!Array.isArray(row) || row.length !== 5) return undefined;
  const [section, watches, problems, watchFile, kept] = row as StoredBuilder;
  if (typeof section !== "string") return undefined;
  if (!Array.isArray(watches) || watches.length !== checked.watchCount || !watches.every((id) => Number.isInteger(id) && id >= 0 && id < watchCount))
    return undefined;
  if (!Array.isArray(problems) || problems.length !== checked.problemCount || !problems.every(isProblem) || !isWatchFileStatus(watchFile)) return undefined;
  if (!(kept === null || (Array.isArray(kept) && kept.length === 2 && typeof kept[0] === "string" && (kept[1] === null || typeof kept[1] === "string"))))
    return undefined;
  const { watchCount: _count, problemCount: _problems, ...rest } = checked;
  return { ...rest, section, watches, problems, watchFile, kept: kept ? { hash: kept[0], date: kept[1] } : null };
}

function isStateEntry(value: unknown): boolean {
  if (!isConfirmed(value)) return false;
  const s = value as unknown as Record<string, unknown>;
  const counts = s.counts as Record<string, unknown> | null;
  return (
    typeof s.text === "string" &&
    typeof s.fingerprint === "string" &&
    counts !== null &&
    typeof counts === "object" &&
    ["builders", "scheduled", "watching", "pollers"].every((k) => typeof counts[k] === "number")
  );
}

function isConfirmed(value: unknown): value is Confirmed {
  if (value === null || typeof value !== "object") return false;
  const c = value as Record<string, unknown>;
  return typeof c.stamp === "string" && typeof c.digest === "string" && typeof c.racy === "boolean";
}

const LEVELS = new Set(["error", "warning", "info"]);

function isProblem(value: unknown): value is Problem {
  if (value === null || typeof value !== "object") return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.level === "string" &&
    LEVELS.has(p.level) &&
    typeof p.message === "string" &&
    (p.builder === undefined || typeof p.builder === "string") &&
    (p.file === undefined || typeof p.file === "string") &&
    (p.line === undefined || typeof p.line === "number")
  );
}

const STATUSES = new Set(["accepted", "missing", "rejected", "ignored"]);

function isWatchFileStatus(value: unknown): value is WatchFileStatus {
  if (value === null || typeof value !== "object") return false;
  const s = value as Record<string, unknown>;
  return typeof s.status === "string" && STATUSES.has(s.status) && typeof s.file === "string";
}
