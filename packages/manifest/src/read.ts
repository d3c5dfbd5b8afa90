import { isAscii } from "node:buffer";
import { resolve } from "node:path";
import { type Problem } from "@autowatch/watchfile";
import { makeProblem, MAX_CONFIG_BYTES, readRegularFileSync } from "@autowatch/watchfile/text";
import { parseManifests } from "./resolve.js";
import type { ManifestInput, ManifestResult } from "./types.js";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export interface ReadOptions {
  /** Relative paths are read from here (default: the process's working directory), and still shown as given. */
  cwd?: string;
  /** Resolve only this builder's section (and its parents): the other factories are not returned. */
  only?: string;
  /** Sees the bytes of each file read, as parsed (to fingerprint what this parse came from). */
  onRead?: (file: string, bytes: Uint8Array) => void;
}

/**
 * Reads and parses MANIFEST.cfg files (UTF-8; a leading byte order mark is skipped).
 * Never rejects: an unreadable or undecodable file is a problem naming it.
 */
export async function readManifests(paths: string[], options: ReadOptions = {}): Promise<ManifestResult> {
  const loaded = paths.map((file): ManifestInput | Problem => {
    // a regular file only (a FIFO or device is refused without blocking), at most MAX_CONFIG_BYTES
    const read = readRegularFileSync(options.cwd === undefined ? file : resolve(options.cwd, file), MAX_CONFIG_BYTES);
    if ("error" in read) return makeProblem("error", "manifest.read.failed", `cannot read manifest: ${read.error}`, { file });
    const { bytes } = read;
    options.onRead?.(file, bytes);
    try {
      // Most manifests are ASCII: checked natively, then read as one-byte text (the same characters as UTF-8).
      return { file, text: isAscii(bytes) ? bytes.toString("latin1") : decoder.decode(bytes) };
    } catch {
      return makeProblem("error", "manifest.encoding.invalid", "manifest is not valid UTF-8", { file });
    }
  });
  const inputs = loaded.filter((item): item is ManifestInput => "text" in item);
  const unreadable = loaded.filter((item): item is Problem => !("text" in item));
  const result = parseManifests(inputs, options.only === undefined ? {} : { only: options.only });
  const read: ManifestResult = { factories: result.factories, problems: [...unreadable, ...result.problems] };
  if (result.readErrors) read.readErrors = result.readErrors;
  return read;
}
