// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { openRegularFileSync, readRegularFileSync } from "@autowatch/watchfile/text";

/**
 * The regular-file reads of `@autowatch/watchfile/text` where the merge reads with a try/catch:
 * for the files a merge keeps beside the state, and a manifest it checks by digest. A FIFO,
 * device or directory in the place of one throws at once (its `code` says why: ENOENT, ENOTREG,
 * EISDIR...), as an unreadable file does, instead of blocking the merge forever (a FIFO nobody
 * writes) or reading without end (a device).
 */
export function readRegular(path: string): Buffer {
  const read = readRegularFileSync(path, Number.POSITIVE_INFINITY);
  if ("bytes" in read) return read.bytes;
  throw refusal(path, read);
}

/** The same for positioned reads: the open descriptor (the caller closes it). */
export function openRegular(path: string): number {
  const opened = openRegularFileSync(path);
  if ("fd" in opened) return opened.fd;
  throw refusal(path, opened);
}

function refusal(path: string, why: { error: string; code?: string }): Error {
  return Object.assign(new Error(`${path}: ${why.error}`), { code: why.code ?? "EIO" });
}
