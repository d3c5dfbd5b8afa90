import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";

const WRITE_SIZE = 1 << 20;

/** One buffer for every write (they are synchronous): the last-good store writes thousands of small files. */
let writeBuffer: Buffer | undefined;

export interface AtomicWriteOptions {
  /** fsync the file before the rename (default true). Off where a file lost in a crash only costs time. */
  fsync?: boolean;
  /** Mode of a new file (default 0o666, less the umask); an existing file keeps its own. */
  mode?: number;
  /** Sees every byte written, in order (to hash what is written without reading it back). */
  onBytes?: (bytes: Uint8Array) => void;
  /**
   * Follow a symlinked target and keep the mode and owner of the file replaced (default true).
   * False for files only autowatch writes (the last-good store's packs and index): the file is
   * replaced where it is named, with `mode`, never written through a symlink put there, and
   * the three lookups are not made.
   */
  preserve?: boolean;
}

/**
 * autowatch's one atomic writer: writes `content` beside `file` and renames it over, so that a
 * reader sees the old file or the new one, never half of one. `content` is the text, or a
 * function that writes it piece by piece (a 40 MB state is then never held whole, nor as one
 * buffer). Like write-file-atomic: follows a symlinked target, keeps an existing file's mode
 * and owner, fsyncs before the rename, and removes the temporary file on failure. Hand-written
 * rather than write-file-atomic because it streams a large file (write-file-atomic needs it
 * whole) and is 6-20 times faster for a small one.
 */
export function writeFileAtomicSync(
  file: string,
  content: string | ((write: (piece: string | Uint8Array) => void) => void),
  options: AtomicWriteOptions = {},
): void {
  const preserve = options.preserve !== false;
  let target = file;
  let existing: { mode: number; uid: number; gid: number } | undefined;
  if (preserve) {
    try {
      target = realpathSync(file);
    } catch {
      // not there yet
    }
    try {
      existing = statSync(target);
    } catch {
      existing = undefined;
    }
  }
  // pid and a random part: two writers never share a temporary file ("wx" refuses one that exists)
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  const fd = openSync(temporary, "wx", existing ? existing.mode & 0o7777 : (options.mode ?? 0o666));
  let done = false;
  try {
    writePieces(fd, typeof content === "string" ? (write) => write(content) : content, options.onBytes);
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

/**
 * Writes `content` over the bytes of `file` where it is (made when missing, cut to the new
 * length), never through a symlink: not atomic, a reader can see half of it. Only for files
 * that check themselves and cost only time when damaged (the merge cache: checksummed). On
 * ext4, renaming a new file over a large one costs more than writing it (the blocks of the new
 * one are allocated at once, those of the old one freed): 7 ms for an 11 MB cache, 0.7 in place.
 */
export function overwriteFileSync(file: string, content: (write: (piece: string | Uint8Array) => void) => void, mode = 0o666): void {
  // O_NONBLOCK: a FIFO in its place fails the open (ENXIO) or the check below, never blocks it
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, mode);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file}: not a regular file`), { code: "ENOTREG" });
    ftruncateSync(fd, writePieces(fd, content, undefined));
  } finally {
    closeSync(fd);
  }
}

/** Pieces encoded straight into one 1 MB buffer, written when full: one system call per line, or joining the lines first, would cost more than the text. */
function writePieces(fd: number, render: (write: (piece: string | Uint8Array) => void) => void, onBytes: ((bytes: Uint8Array) => void) | undefined): number {
  const buffer = (writeBuffer ??= Buffer.allocUnsafe(WRITE_SIZE));
  let used = 0;
  let written = 0;
  const flush = () => {
    onBytes?.(buffer.subarray(0, used));
    writeAll(fd, buffer, used);
    written += used;
    used = 0;
  };
  render((piece) => {
    if (typeof piece !== "string") {
      // bytes as they are: copied when they fit, else written straight from where they are
      if (piece.length > WRITE_SIZE - used) flush();
      if (piece.length > WRITE_SIZE) {
        onBytes?.(piece);
        writeAll(fd, piece, piece.length);
        written += piece.length;
      } else {
        buffer.set(piece, used);
        used += piece.length;
      }
      return;
    }
    // a UTF-16 unit never takes more than 3 bytes of UTF-8
    if (piece.length * 3 > WRITE_SIZE - used) {
      flush();
      if (piece.length * 3 > WRITE_SIZE) {
        const bytes = Buffer.from(piece);
        onBytes?.(bytes);
        writeAll(fd, bytes, bytes.length);
        written += bytes.length;
        return;
      }
    }
    used += buffer.write(piece, used);
  });
  flush();
  return written;
}

/** writeSync may write less than asked: loops until all `length` bytes are out. */
function writeAll(fd: number, buffer: Uint8Array, length: number): void {
  let offset = 0;
  while (offset < length) offset += writeSync(fd, buffer, offset, length - offset);
}
