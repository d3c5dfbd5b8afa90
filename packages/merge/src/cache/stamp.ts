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
 * that ticks every few milliseconds). Two seconds also cover FAT's times and small clock skews.
 */
export const RACY_NS = 2_000_000_000n;

/** The wall clock in nanoseconds, as a merge notes it before its first stat. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** From when on a stamp taken by a merge started at `startedNs` is racy (`windowNs` before it). */
export function racyFrom(startedNs: bigint, windowNs: bigint = RACY_NS): bigint {
  return startedNs - windowNs;
}

/**
 * True when a stamp cannot vouch for the content alone (git's "racily clean" entries): its
 * modification or change time is not before `racyFromNs` (`racyFrom` of the merge that took
 * it). Such a file is confirmed by its digest the next time. A stamp that does not parse is racy.
 */
export function isRacy(stamp: Stamp, racyFromNs: bigint): boolean {
  const parts = stamp.split(":");
  if (parts.length !== 6) return true;
  try {
    return racyTimes(BigInt(parts[4]!), BigInt(parts[5]!), racyFromNs);
  } catch {
    return true;
  }
}

/** The racy rule on a file's modification and change times (`isRacy`, from stat data at hand). */
export function racyTimes(mtimeNs: bigint, ctimeNs: bigint, racyFromNs: bigint): boolean {
  return mtimeNs >= racyFromNs || ctimeNs >= racyFromNs;
}
