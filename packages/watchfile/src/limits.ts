/**
 * autowatch's limits, in one place. Every reader ends in time linear in its input: past a limit
 * the input is refused with a problem naming file and line, never read on. `watchFileBytes`,
 * `watchFileEntries` and `jsonDepth` are defaults (the merge's `--max-bytes`, `--max-entries`,
 * the parsers' options); the others are fixed. Python's own limits, which the readers reproduce
 * because Python has them (ConfigParser's 10 levels of `%(name)s`, the tokenizer's 200 nested
 * brackets), stay with the reader that emulates them.
 */
export const LIMITS = Object.freeze({
  /** A watch file, in bytes (1 MiB): a larger one is rejected unread. */
  watchFileBytes: 1024 * 1024,
  /** Items in each list of a watch file. */
  watchFileEntries: 1000,
  /** Nesting of objects and lists in a watch file or a state. */
  jsonDepth: 32,
  /** A state file, in bytes (64 MiB). */
  stateBytes: 64 * 1024 * 1024,
  /** A manifest, buildout file, `extends` target or rewrite file, in bytes (16 MiB); only a regular file is read. */
  configBytes: 16 * 1024 * 1024,
  /** A buildout value once its `${...}` are substituted, in characters (16 Mi). */
  buildoutValueLength: 16 * 1024 * 1024,
  /** All substitutions, macro copies and extends merges of one buildout resolution, in characters (64 Mi). */
  buildoutWork: 64 * 1024 * 1024,
  /** `${...}` nested in `${...}` (zc.buildout's own stack gives out near 170-330). */
  substitutionDepth: 500,
  /** `<=` macros nested in macros (zc.buildout's stack gives out near 500-1,000). */
  macroDepth: 1000,
  /** Files in one `extends` chain. */
  extendsDepth: 64,
  /** Sections in one manifest `inherit` chain (a section and its parents). */
  inheritChain: 64,
  /** A manifest value once its `%(name)s` are expanded, in characters. */
  interpolatedLength: 100_000,
  /** Problems of one kind listed one by one before a count of the rest (a watch file's issues, stray files, the CLI's summary per level). */
  problemsListed: 20,
});

export type Limits = typeof LIMITS;
