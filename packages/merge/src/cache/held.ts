// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { PollerTally } from "../pollers.js";
import { closeSync, openSync, readSync } from "node:fs";
import { payloadOf, type MergeCacheData, type ReadCache } from "./format.js";
import { stampPath } from "./stamp.js";

/**
 * The cache a process wrote last, per cache file, kept in memory (a `merge --follow` process
 * merges again and again): the next merge takes it instead of reading and decoding the file
 * again, as long as the file is still the one written (same stamp, same head line, whose
 * digests name the body). Anything else is read from the file as usual.
 */
interface Held {
  stamp: string;
  head: string;
  data: MergeCacheData;
  tally: PollerTally | undefined;
}

const held = new Map<string, Held>();

/** Keeps what was just written to `file` (`text`: the bytes written), or forgets it when the file cannot be stat'ed. */
export function holdCache(file: string, data: MergeCacheData, text: string, tally?: PollerTally): void {
  const stamp = stampPath(file);
  const end = text.indexOf("\n");
  if (stamp === undefined || end < 0) held.delete(file);
  else held.set(file, { stamp, head: text.slice(0, end), data, tally });
}

/**
 * The cache this process wrote last to `file`, when the file still holds it and it is of this
 * code and settings. Taken: the merge that takes it may change it, and holds what it writes.
 */
export function takeHeldCache(file: string, code: string, key: string): ReadCache | undefined {
  const entry = held.get(file);
  if (!entry) return undefined;
  held.delete(file);
  const { data } = entry;
  if (data.code !== code || data.key !== key || stampPath(file) !== entry.stamp || headOf(file, entry.head.length) !== entry.head) return undefined;
  return { check: data, held: true, ...(entry.tally ? { tally: entry.tally } : {}), payloadText: () => payloadOf(data), intact: () => true, full: () => data };
}

/** The first `length` bytes of the file and the newline after them, as text (undefined when unreadable or no such line). */
function headOf(file: string, length: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(length + 1);
    const read = readSync(fd, buffer, 0, length + 1, 0);
    if (read !== length + 1 || buffer[length] !== 10) return undefined;
    return buffer.toString("utf8", 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
