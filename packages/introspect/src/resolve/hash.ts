// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import type { Hash } from "node:crypto";

/** node:crypto's `createHash`, loaded on first use: only `extends` URLs need it, and loading it costs every start. */
export function createHash(algorithm: string): Hash {
  return process.getBuiltinModule("node:crypto").createHash(algorithm);
}
