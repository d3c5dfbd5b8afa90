// `@autowatch/watchfile`: the formats (zod schemas and types), parse and serialise, JSON Schemas.
// The zod-free helpers (quoting, names, order, state text) are in `@autowatch/watchfile/text` only.
export { vcsSchema, watchFileSchema, legacyWatchFileSchema, stateSchema, WATCHFILE_SCHEMA_ID, STATE_SCHEMA_ID } from "./schema.js";
export type {
  Vcs,
  Origin,
  WatchEntry,
  PinReason,
  PinnedEntry,
  ProblemLevel,
  Problem,
  WatchFileProblem,
  WatchFile,
  LegacyWatchFile,
  WatchSource,
  Poller,
  BuilderWatch,
  BuilderState,
  State,
} from "./schema.js";
export type { ProblemCode, ProblemPlace } from "./problem.js";
export { parseWatchFile, parseState, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_STATE_BYTES } from "./parse.js";
export type { ParseOptions, WatchFileParseResult, StateParseResult } from "./parse.js";
export { serializeWatchFile, serializeState } from "./serialize.js";
export { watchFileJsonSchema, legacyWatchFileJsonSchema, stateJsonSchema, checkJsonSchema, explainJsonSchema, resolveJsonSchema } from "./json-schema.js";
export type { JsonSchema } from "./json-schema.js";
export { checkReportSchema, explainReportSchema, resolveReportSchema, CHECK_SCHEMA_ID, EXPLAIN_SCHEMA_ID, RESOLVE_SCHEMA_ID } from "./reports.js";
export type { CheckReport, ExplainReport, ResolveReport } from "./reports.js";
