import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";

const WRITE_SIZE = 1 << 20;

/** One buffer for every write (they are synchronous): the last-good store writes thousands of small files. */
let writeBuffer: Buffer | undefined;

/**
 * Writes a file by atomic rename, text piece by piece as `render` produces it, so that a
 * 40 MB state is never held whole (nor as one buffer). Like write-file-atomic: follows a
 * symlinked target, keeps an existing file's mode and owner, fsyncs before the rename, and
 * removes the temporary file on failure.
 */
export function writeFileInPieces(
  file: string,
  render: (write: (piece: string) => void) => void,
  options: { fsync?: boolean; /** Sees every byte written, in order. */ onBytes?: (bytes: Uint8Array) => void } = {},
): void {
  let target = file;
  try {
    target = realpathSync(file);
  } catch {
    // not there yet
  }
  let existing: { mode: number; uid: number; gid: number } | undefined;
  try {
    existing = statSync(target);
  } catch {
    existing = undefined;
  }
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temporary, "wx", existing ? existing.mode & 0o7777 : 0o666);
  let done = false;
  try {
    // pieces encoded straight into one 1 MB buffer, written when full: one system call per
    // line, or joining the lines first, would cost more than the text
    const buffer = (writeBuffer ??= Buffer.allocUnsafe(WRITE_SIZE));
    let used = 0;
    const flush = () => {
      options.onBytes?.(buffer.subarray(0, used));
      writeAll(fd, buffer, used);
      used = 0;
    };
    render((piece) => {
      // a UTF-16 unit never takes more than 3 bytes of UTF-8
      if (piece.length * 3 > WRITE_SIZE - used) {
        flush();
        if (piece.length * 3 > WRITE_SIZE) {
          const bytes = Buffer.from(piece);
          options.onBytes?.(bytes);
          writeAll(fd, bytes, bytes.length);
          return;
        }
      }
      used += buffer.write(piece, used);
    });
    flush();
    if (existing) {
      fchmodSync(fd, existing.mode & 0o7777);
      try {
        fchownSync(fd, existing.uid, existing.gid);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code !== "EPERM" && code !== "EINVAL") throw error;
      }
    }
    if (options.fsync !== false) fsyncSync(fd);
    closeSync(fd);
    done = true;
    renameSync(temporary, target);
  } catch (error) {
    if (!done) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    throw error;
  }
}

/** writeSync may write less than asked: loops until all `length` bytes are out. */
function writeAll(fd: number, buffer: Buffer, length: number): void {
  let offset = 0;
  while (offset < length) offset += writeSync(fd, buffer, offset, length - offset);
}
