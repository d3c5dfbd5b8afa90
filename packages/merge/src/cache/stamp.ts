// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { BigIntStats } from "node:fs";

/**
 * A file's stat data as git's index keeps it: device, inode, size, mode, modification and
 * change times in nanoseconds, as one string (inodes and nanoseconds exceed 2^53). Equal
 * stamps mean the file was not written since, unless it was written within the racy window.
 */
export type Stamp = string;

export function stampOf(stats: BigIntStats): Stamp {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mode}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/**
 * A file modified this close to the moment a merge started stat'ing may be written again in
 * the same clock tick after it was read, without any change of its stat data (same size, same
 * time stamps: file systems keep coarse times, and Linux before 6.13 stamps files from a clock
 * that ticks every few milliseconds). Where the merge cannot read the file system's own clock,
 * two seconds before its start also cover FAT's times and small clock skews.
 */
export const RACY_NS = 2_000_000_000n;

/**
 * From when on a stamp is racy (git's "racily clean" entries). Files on the device where the
 * merge read the file system's clock (`clock`: the time stamps of a file it made before its
 * first stat) compare with that tick, as git compares with its index file's: a file modified
 * in that tick or since may change again unseen. Files elsewhere, or with no clock read,
 * compare with the wall clock minus a window (`fromNs`).
 */
export interface RacyBound {
  clock?: { dev: bigint; ns: bigint };
  fromNs: bigint;
}

/** The wall clock in nanoseconds, as a merge notes it before its first stat. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** The bound of a merge started at `startedNs`: the file system's clock where `clock` was read, else `windowNs` before the start. */
export function racyFrom(startedNs: bigint, windowNs: bigint = RACY_NS, clock?: RacyBound["clock"]): RacyBound {
  return clock ? { clock, fromNs: startedNs - windowNs } : { fromNs: startedNs - windowNs };
}

/**
 * True when a stamp cannot vouch for the content alone: its modification or change time is
 * not before the bound (`racyFrom` of the merge that took it). Such a file is confirmed by
 * its digest the next time. A stamp that does not parse is racy.
 */
export function isRacy(stamp: Stamp, bound: RacyBound): boolean {
  const parts = stamp.split(":");
  if (parts.length !== 6) return true;
  try {
    return racyTimes(BigInt(parts[0]!), BigInt(parts[4]!), BigInt(parts[5]!), bound);
  } catch {
    return true;
  }
}

/** The racy rule on a file's device, modification and change times (`isRacy`, from stat data at hand). */
export function racyTimes(dev: bigint, mtimeNs: bigint, ctimeNs: bigint, bound: RacyBound): boolean {
  const from = bound.clock !== undefined && bound.clock.dev === dev ? bound.clock.ns : bound.fromNs;
  return mtimeNs >= from || ctimeNs >= from;
}
