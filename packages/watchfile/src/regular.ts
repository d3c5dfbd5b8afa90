import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { LIMITS } from "./limits.js";
import { escapeControlCharacters } from "./quote.js";

/** The largest configuration file (manifest, buildout file, rewrite file) read: 16 MiB. */
export const MAX_CONFIG_BYTES = LIMITS.configBytes;

export type RegularFileRead = { bytes: Buffer } | { error: string; code?: string };

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links",
};

/**
 * Reads a file only if it is a regular file of at most `maxBytes`: opened with O_NONBLOCK
 * (a FIFO nobody writes cannot block the open), checked with fstat before any read (a FIFO,
 * device, socket or directory is refused at once: `/dev/zero` would never end), then read
 * into a buffer of the size fstat gave plus one byte (a file growing past the limit is refused).
 */
export function readRegularFileSync(path: string, maxBytes = MAX_CONFIG_BYTES): RegularFileRead {
  const opened = openRegularFileSync(path);
  if ("error" in opened) return opened;
  const { fd, size } = opened;
  try {
    if (size > maxBytes) return { error: `is larger than the ${maxBytes}-byte limit for configuration files`, code: "EFBIG" };
    const buffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        // grown since fstat: read on only while under the limit
        if (length > maxBytes) return { error: `is larger than the ${maxBytes}-byte limit for configuration files`, code: "EFBIG" };
        return { bytes: Buffer.concat([buffer, readRest(fd, length, maxBytes)]) };
      }
    }
    return { bytes: buffer.subarray(0, length) };
  } catch (error) {
    if (error instanceof TooLarge) return { error: `is larger than the ${maxBytes}-byte limit for configuration files`, code: "EFBIG" };
    return failure(error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a regular file for reading, for positioned reads of a large one: `{ fd, size }` (the
 * caller closes `fd`), or why not, as `readRegularFileSync` says it. The same checks: O_NONBLOCK
 * (a FIFO nobody writes cannot block the open), then fstat (a FIFO, device, socket or directory
 * is refused before any read).
 */
export function openRegularFileSync(path: string): { fd: number; size: number } | { error: string; code?: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return failure(error);
  }
  let refused: { error: string; code?: string } | undefined;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) refused = { error: "is a directory", code: "EISDIR" };
    else if (!stat.isFile()) refused = { error: "is not a regular file (a FIFO, socket or device): refused", code: "ENOTREG" };
    else return { fd, size: stat.size };
  } catch (error) {
    refused = failure(error);
  }
  closeSync(fd);
  return refused;
}

class TooLarge extends Error {}

function readRest(fd: number, from: number, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = from;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    const read = readSync(fd, chunk, 0, chunk.length, total);
    if (read === 0) return Buffer.concat(chunks);
    total += read;
    if (total > maxBytes) throw new TooLarge();
    chunks.push(Buffer.from(chunk.subarray(0, read)));
  }
}

function failure(error: unknown): { error: string; code?: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return { error: REASONS[code], code };
  const message = escapeControlCharacters(error instanceof Error ? error.message : String(error));
  return code ? { error: message, code } : { error: message };
}
