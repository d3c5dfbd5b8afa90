import { closeSync, constants, opendirSync, openSync, readdirSync, readSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { type Problem } from "@autowatch/watchfile";
import { LIMITS, makeProblem, quoteValue, watchFileNameFor } from "@autowatch/watchfile/text";
import { MergeSetupError } from "./errors.js";
import type { PeekableWatchFile, WatchFileInput } from "./types.js";

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Lists the watch directory once (with file types) and says, per builder, what its watch file
 * is; regular files are not read yet (`read()` reads one when the merge needs it), so that a
 * farm's files are never all in memory at once. Symlinks, directories and other non-regular
 * entries are refused from the listing without being opened. `.json` files that belong to no
 * builder are returned keyed by the builder name their file name encodes, for the merge to report.
 * A directory that cannot be listed (missing, not a directory, unreadable) throws `MergeSetupError`.
 */
export function scanWatchDir(dir: string, builders: Iterable<string>, maxBytes: number): { files: Map<string, WatchFileInput>; problems: Problem[] } {
  const files = new Map<string, WatchFileInput>();
  const problems: Problem[] = [];
  const expected = new Map<string, string>();
  for (const builder of builders) expected.set(watchFileNameFor(builder), builder);

  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    // not the same as "no uploads yet": a state merged without it would drop every auto watch
    throw new MergeSetupError(`watch directory ${dir} ${watchDirFailure(errorCode(error))}: nothing written, the previous state is kept`);
  }
  const present = new Map<string, Dirent>();
  const strays: string[] = [];
  for (const entry of entries) {
    present.set(entry.name, entry);
    if (!expected.has(entry.name) && !entry.name.startsWith(".") && entry.name.endsWith(".json")) strays.push(entry.name);
  }
  // join() once: for a plain file name, the directory plus the name is what join gives
  const base = join(dir, ".");
  const prefix = base.endsWith("/") ? base : `${base}/`;
  // forEach: no [key, value] pair made per builder
  expected.forEach((builder, name) => {
    if (name.includes("/") || name.includes("\u0000") || name.startsWith(".")) {
      files.set(builder, { file: join(dir, name), error: "builder name would escape the watch directory", code: "merge.watchfile.name" });
      return;
    }
    const file = `${prefix}${name}`;
    const entry = present.get(name);
    files.set(builder, entry === undefined ? { file, missing: true } : listed(file, entry, maxBytes));
  });
  if (strays.length === 0) return { files, problems };
  strays.sort();
  if (strays.length > MAX_STRAYS_REPORTED) {
    // one line for all of them: 50,000 strays are not 50,000 problems (nor 50,000 builders to merge)
    const shown = strays
      .slice(0, STRAYS_NAMED)
      .map((name) => quoteValue(name))
      .join(", ");
    const message = `${strays.length} .json files in the watch directory are the watch file of no builder in the manifests, e.g. ${shown}: ignored`;
    problems.push(makeProblem("warning", "merge.watchfile.stray", message, { file: dir }));
    return { files, problems };
  }
  const known = new Set(expected.values());
  for (const name of strays) {
    const builder = decodeFileName(name.slice(0, -".json".length));
    const file = join(dir, name);
    if (builder === undefined || known.has(builder) || files.has(builder)) {
      problems.push(makeProblem("warning", "merge.watchfile.stray", `file ${quoteValue(name)} is no builder's watch file: ignored`, { file }));
    } else {
      // not read: the merge only reports it
      files.set(builder, { file, error: "belongs to no builder in the manifests", code: "merge.watchfile.orphan" });
    }
  }
  return { files, problems };
}

/** Up to this many stray `.json` files are reported one by one; past it, in one summary line naming the first STRAYS_NAMED. */
export const MAX_STRAYS_REPORTED = LIMITS.problemsListed;
const STRAYS_NAMED = 5;

/**
 * Throws `MergeSetupError` unless `dir` is a directory this process can list: for a reader that
 * does not list it (explain reads one file), a missing directory is still not "no upload yet".
 */
export function checkWatchDir(dir: string): void {
  try {
    // opendir fails like readdir would (ENOENT, ENOTDIR, EACCES) without reading the entries
    opendirSync(dir).closeSync();
  } catch (error) {
    throw new MergeSetupError(`watch directory ${dir} ${watchDirFailure(errorCode(error))}`);
  }
}

function watchDirFailure(code: string): string {
  if (code === "ENOENT") return "does not exist (a mistyped --watch-dir? create it, even empty, for a farm with no uploads yet)";
  if (code === "ENOTDIR") return "is not a directory";
  return `cannot be listed (${code})`;
}

/** What the listing says of one entry; a regular (or untyped) one is read later, on demand. */
function listed(file: string, entry: Dirent, maxBytes: number): WatchFileInput | PeekableWatchFile {
  if (entry.isSymbolicLink()) return { file, error: "is a symbolic link (refused)", code: "merge.watchfile.symlink" };
  if (entry.isDirectory()) return { file, error: "is a directory, not a file", code: "merge.watchfile.not-regular" };
  // never opened: opening a device can have side effects
  if (entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice()) {
    return { file, error: "is not a regular file (FIFO, socket or device)", code: "merge.watchfile.not-regular" };
  }
  return new ListedFile(file, maxBytes);
}

/** A regular (or untyped) entry of the listing, read on demand: one object per builder, its methods shared. */
class ListedFile implements PeekableWatchFile {
  constructor(
    readonly file: string,
    private readonly maxBytes: number,
  ) {}

  read(): WatchFileInput {
    return readWatchFileSync(this.file, this.maxBytes);
  }

  peek(): WatchFileInput {
    return readWatchFileView(this.file, this.maxBytes);
  }
}

/**
 * Reads the watch files of the given builders from `dir` (all of them, for callers that want
 * the bytes; the merge itself reads them one at a time through `scanWatchDir`).
 */
export async function readWatchDir(
  dir: string,
  builders: Iterable<string>,
  maxBytes: number,
): Promise<{ files: Map<string, WatchFileInput>; problems: Problem[] }> {
  const scanned = scanWatchDir(dir, builders, maxBytes);
  for (const [builder, input] of scanned.files) if ("read" in input) scanned.files.set(builder, input.read());
  return scanned;
}

/** One watch file, or why it cannot be used. Never follows a symlink, never blocks on a FIFO. */
export async function readWatchFile(file: string, maxBytes: number): Promise<WatchFileInput> {
  return readWatchFileSync(file, maxBytes);
}

/** One read buffer for every file: `maxBytes + 1` bytes tell a file over the limit. */
let scratch: Buffer | undefined;

function scratchFor(maxBytes: number): Buffer {
  if (scratch === undefined || scratch.length !== maxBytes + 1) scratch = Buffer.allocUnsafe(maxBytes + 1);
  return scratch;
}

/**
 * Synchronous on purpose: thousands of small files read one after the other cost far less
 * than a promise per step. Three calls per file (open, read, close): O_NOFOLLOW refuses a
 * symlink swapped in after the listing, O_NONBLOCK keeps a FIFO from blocking, a directory
 * fails its read (EISDIR), and never more than `maxBytes + 1` bytes are read, into one
 * scratch buffer, so a huge or growing file cannot exhaust memory.
 */
export function readWatchFileSync(file: string, maxBytes: number): WatchFileInput {
  const read = readWatchFileView(file, maxBytes);
  return "bytes" in read ? { file, bytes: Buffer.from(read.bytes) } : read;
}

/** The same, but the bytes are a view of the scratch buffer: valid until the next read of any file. */
function readWatchFileView(file: string, maxBytes: number): WatchFileInput {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ELOOP") return { file, error: "is a symbolic link (refused)", code: "merge.watchfile.symlink" };
    if (code === "ENOENT") return { file, missing: true };
    return { file, error: `unreadable (${code})`, code: "merge.watchfile.unreadable" };
  }
  try {
    const buffer = scratchFor(maxBytes);
    // one positioned read: a regular file gives all it has up to the length asked, a FIFO
    // swapped in fails (ESPIPE)
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > maxBytes) return { file, error: `file over the size limit (more than ${maxBytes} bytes)`, code: "merge.watchfile.size" };
    return { file, bytes: buffer.subarray(0, length) };
  } catch (error) {
    const code = errorCode(error);
    if (code === "EISDIR") return { file, error: "is a directory, not a file", code: "merge.watchfile.not-regular" };
    // a positioned read of a pipe or socket fails (ESPIPE): only files are read
    if (code === "ESPIPE" || code === "EAGAIN") return { file, error: "is not a regular file (FIFO, socket or device)", code: "merge.watchfile.not-regular" };
    return { file, error: `unreadable (${code})`, code: "merge.watchfile.unreadable" };
  } finally {
    closeSync(fd);
  }
}

/** Inverse of safeBuilderFileName for names that were not cut: `%XX` bytes back to UTF-8. */
function decodeFileName(name: string): string | undefined {
  if (name.includes("%~")) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.name : "unknown error";
}
