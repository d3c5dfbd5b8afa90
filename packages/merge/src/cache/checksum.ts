// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { crc32 } from "node:zlib";
import { readRegular } from "../regular.js";

/**
 * The checksum that confirms a file the master side writes (the state, the cache, the last-good
 * index, STATE.factories) or the operator's manifests: it tells a rewrite or a damaged file,
 * nobody forges it. CRC-32 takes 4 ms over a 22 MB state where sha256 takes 12.
 */
export class Checksum {
  private value = 0;

  update(bytes: Uint8Array | string): void {
    this.value = crc32(bytes, this.value);
  }

  digest(): string {
    return `crc32:${this.value.toString(16).padStart(8, "0")}`;
  }
}

/** The checksum of a whole text or file (`Checksum`). */
export function checksumOf(bytes: Uint8Array | string): string {
  const checksum = new Checksum();
  checksum.update(bytes);
  return checksum.digest();
}

/** The checksum of a file as it is now (undefined when it cannot be read). */
export function fileChecksum(path: string): string | undefined {
  try {
    return checksumOf(readRegular(path));
  } catch {
    return undefined;
  }
}
