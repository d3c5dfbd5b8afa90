import path from "node:path";
import type { Origin, PinnedEntry, Problem, WatchEntry, WatchFile } from "@autowatch/watchfile";
import { serializeWatchFile, WATCHFILE_SCHEMA_ID, watchFileSchema } from "@autowatch/watchfile";
import { writeFileAtomicSync } from "@autowatch/watchfile/text";
import { pathInside } from "./paths.js";
import { GENERATOR } from "./version.js";

/** What `buildWatchFile` assembles into a watch file. */
export interface WatchFileParts {
  /** The buildout configuration as given on the command line (absent: no buildout was read). */
  config?: string | undefined;
  part?: string | undefined;
  builder?: string | undefined;
  /** Buildout directory: origin files are written relative to it. */
  directory: string;
  watches: WatchEntry[];
  pinned: PinnedEntry[];
  problems: Problem[];
  now?: Date;
}

/** The v2 watch file: entries relative, deduplicated and sorted, so that an unchanged buildout gives the same file. */
export function buildWatchFile(input: WatchFileParts): WatchFile {
  const relative = (file: string) => relativeFile(input.directory, file);
  const withOrigin = <T extends { origin?: Origin | undefined }>(entry: T): T =>
    entry.origin ? { ...entry, origin: { ...entry.origin, file: relative(entry.origin.file) } } : entry;
  const watches = unique(input.watches.map(withOrigin), (entry) => [entry.vcs, entry.url, entry.revspec]);
  const pinned = unique(input.pinned.map(withOrigin), (entry) => [entry.vcs, entry.url, entry.revspec, entry.why]);
  const problems = unique(
    input.problems.map((problem) => (problem.file === undefined ? problem : { ...problem, file: relative(problem.file) })),
    (problem) => [problem.file ?? "", String(problem.line ?? 0).padStart(9, "0"), problem.level, problem.message],
    false,
  );
  const file: WatchFile = {
    schema: WATCHFILE_SCHEMA_ID,
    ...(input.builder === undefined ? {} : { builder: input.builder }),
    generated: (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    generator: GENERATOR,
    ...(input.config === undefined ? {} : { buildout: { config: input.config, ...(input.part === undefined ? {} : { part: input.part }) } }),
    watches,
    pinned,
    problems,
  };
  return watchFileSchema.parse(file);
}

/** Keeps the first entry of each key; sorted by key unless `sort` is false (then first-seen order). */
function unique<T>(entries: T[], key: (entry: T) => string[], sort = true): T[] {
  const seen = new Map<string, { key: string[]; entry: T }>();
  for (const entry of entries) {
    const parts = key(entry);
    const id = JSON.stringify(parts);
    if (!seen.has(id)) seen.set(id, { key: parts, entry });
  }
  const values = [...seen.values()];
  if (sort) values.sort((a, b) => compareKeys(a.key, b.key));
  return values.map((value) => value.entry);
}

function compareKeys(a: string[], b: string[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index] ?? "";
    const right = b[index] ?? "";
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

function relativeFile(directory: string, file: string): string {
  return path.isAbsolute(file) ? pathInside(directory, file) || file : file;
}

/** Writes the watch file atomically (a reader never sees half of it). */
export async function writeWatchFile(target: string, file: WatchFile): Promise<void> {
  writeFileAtomicSync(target, serializeWatchFile(file));
}
