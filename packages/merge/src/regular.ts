// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { readRegularFileSync } from "@autowatch/watchfile/text";

/**
 * `readFileSync` for the files a merge keeps beside the state, and for a manifest it checks by
 * digest: a FIFO, device or directory in the place of one throws at once (its `code` says why:
 * ENOENT, ENOTREG, EISDIR...), as an unreadable file does, instead of blocking the merge forever
 * (a FIFO nobody writes) or reading without end (a device).
 */
export function readRegular(path: string): Buffer {
  const read = readRegularFileSync(path, Number.POSITIVE_INFINITY);
  if ("bytes" in read) return read.bytes;
  throw Object.assign(new Error(`${path}: ${read.error}`), { code: read.code ?? "EIO" });
}

/** `openSync(path, "r")` for positioned reads of such a file: what is not a regular file throws (ENOTREG), without blocking the open. */
export function openRegular(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let regular = false;
  try {
    regular = fstatSync(fd).isFile();
  } finally {
    if (!regular) closeSync(fd);
  }
  if (!regular) throw Object.assign(new Error(`${path}: not a regular file`), { code: "ENOTREG" });
  return fd;
}
