import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";

const WRITE_SIZE = 1 << 20;

/**
 * Writes a file by atomic rename, text piece by piece as `render` produces it, so that a
 * 40 MB state is never held whole (nor as one buffer). Like write-file-atomic: follows a
 * symlinked target, keeps an existing file's mode and owner, fsyncs before the rename, and
 * removes the temporary file on failure.
 */
export function writeFileInPieces(file: string, render: (write: (piece: string) => void) => void): void {
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
    // pieces gathered into writes of about 1 MB: one system call per line would cost more than the text
    let pending: string[] = [];
    let size = 0;
    const flush = () => {
      if (pending.length > 0) writeSync(fd, pending.join(""));
      pending = [];
      size = 0;
    };
    render((piece) => {
      pending.push(piece);
      size += piece.length;
      if (size >= WRITE_SIZE) flush();
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
    fsyncSync(fd);
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
