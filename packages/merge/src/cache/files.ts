// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { hash as oneShotHash, randomBytes } from "node:crypto";
import { closeSync, fstatSync, lstatSync, openSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { overwriteFileSync } from "@autowatch/watchfile/text";
import { checksumOf, fileChecksum } from "./checksum.js";
import { CACHE_SCHEMA, cachePieces, type CacheCheck, type Confirmed, type Piece } from "./format.js";
import { parseCache, type ReadCache } from "./parse.js";
import { isRacy, racyTimes, stampOf, type RacyBound, type Stamp } from "./stamp.js";
import { readRegular } from "../regular.js";

/** The merge cache of a state file: beside it, as STATE.lastgood and STATE.factories are. */
export function mergeCacheFile(state: string): string {
  return `${state}.cache`;
}

/** sha256 (base64): for what a worker sends, where a collision could be made on purpose. */
export function digestOf(bytes: Uint8Array | string): string {
  return oneShotHash("sha256", bytes, "base64");
}

/** The stamp of a file (`follow`: of what a symlink points to), undefined when it cannot be stat'ed. */
export function stampFile(path: string, follow = false): Stamp | undefined {
  try {
    return stampOf(follow ? statSync(path) : lstatSync(path));
  } catch {
    return undefined;
  }
}

/** A file's stamp (not followed when a symlink), whether it is racy (as `isRacy` says, from the stat data itself) and its modification time; undefined when it cannot be stat'ed. */
export function stampFileRacy(path: string, racy: RacyBound): { stamp: Stamp; racy: boolean; modifiedMs: number } | undefined {
  try {
    const stats = lstatSync(path);
    return { stamp: stampOf(stats), racy: racyTimes(stats.dev, stats.mtimeMs, stats.ctimeMs, racy), modifiedMs: stats.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Whether a file still holds what `confirmed` says: its stamp is the same and was not racy,
 * or its bytes have the same digest (then it is confirmed again now: the stamp is stat'ed
 * before the read, so a later write shows in the next stamp). Returns the confirmation to keep,
 * undefined when the file changed or cannot be read.
 */
export function stillHolds(path: string, confirmed: Confirmed, racy: RacyBound, follow = false): Confirmed | undefined {
  const stamp = stampFile(path, follow);
  if (stamp === undefined) return undefined;
  if (stamp === confirmed.stamp && !confirmed.racy) return confirmed;
  const digest = fileChecksum(path);
  if (digest !== confirmed.digest) return undefined;
  return { stamp, digest, racy: isRacy(stamp, racy) };
}

/** The bytes of a file that still holds what `confirmed` says (as `stillHolds`), and its confirmation; undefined otherwise. */
export function readIfHolds(path: string, confirmed: Confirmed, racy: RacyBound): { bytes: Buffer; confirmed: Confirmed } | undefined {
  const stamp = stampFile(path, true);
  if (stamp === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = readRegular(path);
  } catch {
    return undefined;
  }
  if (stamp === confirmed.stamp && !confirmed.racy) return { bytes, confirmed };
  const digest = checksumOf(bytes);
  return digest === confirmed.digest ? { bytes, confirmed: { stamp, digest, racy: isRacy(stamp, racy) } } : undefined;
}

/**
 * The file system's clock now, on the device of `dir`: the time stamps of a file made there
 * (and removed at once). Undefined when no file can be made there: the racy rule then falls
 * back on the wall clock.
 */
export function fileSystemClock(dir: string): { dev: number; ms: number } | undefined {
  const probe = join(dir, `.autowatch-clock-${process.pid}-${randomBytes(6).toString("hex")}`);
  let fd: number;
  try {
    fd = openSync(probe, "wx", 0o600);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    return { dev: stats.dev, ms: Math.min(stats.mtimeMs, stats.ctimeMs) };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
    try {
      unlinkSync(probe);
    } catch {
      // a stray probe file is harmless; the next one has another name
    }
  }
}

/** A file as this merge just wrote or read it: its stamp is racy (it was written after the merge started). */
export function confirmNow(path: string, digest: string, racy: RacyBound, follow = false): Confirmed | undefined {
  const stamp = stampFile(path, follow);
  return stamp === undefined ? undefined : { stamp, digest, racy: isRacy(stamp, racy) };
}

/**
 * Identity of the code that merges: a cache written by another build of autowatch (another
 * merge, watch file reader or manifest reader) is foreign. Their modules' stat data, stat'ed once.
 */
let code: string | undefined;

export function codeIdentity(): string {
  if (code !== undefined) return code;
  const stamps: string[] = [CACHE_SCHEMA];
  const modules = [fileURLToPath(import.meta.url)];
  for (const name of ["@autowatch/watchfile", "@autowatch/manifest"]) {
    try {
      modules.push(fileURLToPath(import.meta.resolve(name)));
    } catch {
      // bundled into this very file (dist/autowatch.mjs): its own stamp covers them
    }
  }
  for (const path of modules) {
    try {
      const stats = statSync(path, { bigint: true });
      stamps.push(`${path}:${stats.size}:${stats.mtimeNs}`);
    } catch {
      stamps.push(`${path}:?`);
    }
  }
  return (code = digestOf(stamps.join("\n")));
}

/** The cache in `file` when it is whole, of this code and these settings; undefined otherwise (then it is rebuilt). */
export function readMergeCache(file: string, key: string): ReadCache | undefined {
  let bytes: Buffer;
  try {
    bytes = readRegular(file);
  } catch {
    return undefined;
  }
  return parseCache(bytes, codeIdentity(), key);
}

/**
 * Writes the cache over the previous one, without fsync: a cache torn by a crash or a merge
 * running at the same time fails its checksums and only costs the next merge time. Best effort.
 */
export function writeMergeCache(file: string, check: CacheCheck, payload: () => Iterable<Piece>): void {
  try {
    overwriteFileSync(file, (write) => {
      for (const piece of cachePieces(check, payload())) write(piece);
    });
  } catch {
    // the next merge rebuilds it
  }
}
