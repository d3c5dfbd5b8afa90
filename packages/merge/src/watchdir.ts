import { constants } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { quoteValue, watchFileNameFor, type Problem } from "@autowatch/watchfile";
import { mapLimit } from "./limit.js";
import type { WatchFileInput } from "./types.js";

/**
 * Reads the watch files of the given builders from `dir`, defensively: no symlink is followed
 * (lstat, then O_NOFOLLOW), only regular files are read (a FIFO cannot block: O_NONBLOCK),
 * never more than `maxBytes + 1` bytes. `.json` files that belong to no builder are returned
 * keyed by the builder name their file name encodes, for the merge to report.
 */
export async function readWatchDir(
  dir: string,
  builders: Iterable<string>,
  maxBytes: number,
): Promise<{ files: Map<string, WatchFileInput>; problems: Problem[] }> {
  const files = new Map<string, WatchFileInput>();
  const problems: Problem[] = [];
  const expected = new Map<string, string>();
  for (const builder of builders) expected.set(watchFileNameFor(builder), builder);

  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT") {
      problems.push({ level: "warning", file: dir, message: "watch directory does not exist: no watch files yet" });
      names = [];
    } else {
      // unreadable is not the same as empty: every builder keeps its last good watches
      for (const [name, builder] of expected) files.set(builder, { file: join(dir, name), error: `watch directory unreadable (${code})` });
      return { files, problems };
    }
  }
  const present = new Set(names);
  const read = await mapLimit([...expected], 16, async ([name, builder]): Promise<[string, WatchFileInput]> => {
    const file = join(dir, name);
    if (name.includes("/") || name.includes("\u0000") || name.startsWith(".")) {
      return [builder, { file, error: "builder name would escape the watch directory" }];
    }
    return [builder, present.has(name) ? await readWatchFile(file, maxBytes) : { file, missing: true }];
  });
  for (const [builder, input] of read) files.set(builder, input);
  const known = new Set(expected.values());
  for (const name of names) {
    if (expected.has(name) || name.startsWith(".") || !name.endsWith(".json")) continue;
    const builder = decodeFileName(name.slice(0, -".json".length));
    const file = join(dir, name);
    if (builder === undefined || known.has(builder) || files.has(builder)) {
      problems.push({ level: "warning", file, message: `file ${quoteValue(name)} is no builder's watch file: ignored` });
    } else {
      // not read: the merge only reports it
      files.set(builder, { file, error: "belongs to no builder in the manifests" });
    }
  }
  return { files, problems };
}

const READ_CHUNK = 64 * 1024;

/** One watch file, or why it cannot be used. Never follows a symlink, never blocks on a FIFO. */
export async function readWatchFile(file: string, maxBytes: number): Promise<WatchFileInput> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    return errorCode(error) === "ENOENT" ? { file, missing: true } : { file, error: `cannot inspect the file (${errorCode(error)})` };
  }
  if (info.isSymbolicLink()) return { file, error: "is a symbolic link (refused)" };
  if (info.isDirectory()) return { file, error: "is a directory, not a file" };
  if (!info.isFile()) return { file, error: "is not a regular file (FIFO, socket or device)" };
  if (info.size > maxBytes) return { file, error: `file over the size limit (${info.size} > ${maxBytes} bytes)` };
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ELOOP") return { file, error: "is a symbolic link (refused)" };
    if (code === "ENOENT") return { file, missing: true };
    return { file, error: `unreadable (${code})` };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== info.ino || opened.dev !== info.dev) {
      return { file, error: "replaced while being read" };
    }
    // chunked: the file may still be growing (an upload in progress), never read past the limit
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) return { file, error: `file over the size limit (more than ${maxBytes} bytes)` };
    }
    return { file, bytes: Buffer.concat(chunks, length) };
  } catch (error) {
    return { file, error: `unreadable (${errorCode(error)})` };
  } finally {
    await handle.close().catch(() => undefined);
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
