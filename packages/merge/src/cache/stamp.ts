// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { Stats } from "node:fs";

/**
 * A file's stat data as git's index keeps it: device, inode, size, mode, modification and
 * change times, as one string. Equal stamps mean the file was not written since, unless it was
 * written within the racy window. The times are Node's milliseconds, whose fraction keeps them
 * to a quarter of a microsecond: finer than the clock file systems stamp from. Number stats,
 * not bigint ones: a merge stats every watch file, and a bigint stat is 18 heap objects.
 */
export type Stamp = string;

export function stampOf(stats: Stats): Stamp {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mode}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/**
 * A file modified this close to the moment a merge started stat'ing may be written again in
 * the same clock tick after it was read, without any change of its stat data (same size, same
 * time stamps: file systems keep coarse times, and Linux before 6.13 stamps files from a clock
 * that ticks every few milliseconds). Where the merge cannot read the file system's own clock,
 * two seconds before its start also cover FAT's times and small clock skews.
 */
export const RACY_MS = 2000;

/**
 * From when on a stamp is racy (git's "racily clean" entries). Files on the device where the
 * merge read the file system's clock (`clock`: the time stamps of a file it made before its
 * first stat) compare with that tick, as git compares with its index file's: a file modified
 * in that tick or since may change again unseen. Files elsewhere, or with no clock read,
 * compare with the wall clock minus a window (`fromNs`).
 */
export interface RacyBound {
  clock?: { dev: number; ms: number };
  fromMs: number;
}

/** The bound of a merge started at `startedMs` (the wall clock): the file system's clock where `clock` was read, else `windowMs` before the start. */
export function racyFrom(startedMs: number, windowMs: number = RACY_MS, clock?: RacyBound["clock"]): RacyBound {
  return clock ? { clock, fromMs: startedMs - windowMs } : { fromMs: startedMs - windowMs };
}

/**
 * True when a stamp cannot vouch for the content alone: its modification or change time is
 * not before the bound (`racyFrom` of the merge that took it). Such a file is confirmed by
 * its digest the next time. A stamp that does not parse is racy.
 */
export function isRacy(stamp: Stamp, bound: RacyBound): boolean {
  const parts = stamp.split(":");
  if (parts.length !== 6) return true;
  const times = [parts[0], parts[4], parts[5]].map((part) => (part === "" ? Number.NaN : Number(part)));
  if (!times.every(Number.isFinite)) return true;
  return racyTimes(times[0]!, times[1]!, times[2]!, bound);
}

/** The racy rule on a file's device, modification and change times (`isRacy`, from stat data at hand). */
export function racyTimes(dev: number, mtimeMs: number, ctimeMs: number, bound: RacyBound): boolean {
  const from = bound.clock !== undefined && bound.clock.dev === dev ? bound.clock.ms : bound.fromMs;
  return mtimeMs >= from || ctimeMs >= from;
}
