// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { closeNames } from "@autowatch/watchfile/text";

/** The one closest name, when a typo is likely (within a small edit distance). */
export function closeName(name: string, names: readonly string[]): string | undefined {
  return closeNames(name, names, 1)[0];
}
