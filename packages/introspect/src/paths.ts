// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
import path from "node:path";

/** `target` relative to `directory` when it lies inside it (`""` for the directory itself), else undefined. */
export function pathInside(directory: string, target: string): string | undefined {
  const relative = path.relative(directory, target);
  return relative.startsWith("..") || path.isAbsolute(relative) ? undefined : relative;
}
