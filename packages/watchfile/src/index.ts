export * from "./schema.js";
export { PROBLEM_CODES, PROBLEM_CODE_SHAPE, isProblemCode, makeProblem, type ProblemCode, type ProblemPlace } from "./problem.js";
export * from "./text.js";
export { parseWatchFile, parseState, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_STATE_BYTES } from "./parse.js";
export type { ParseOptions, WatchFileParseResult, StateParseResult } from "./parse.js";
export { serializeWatchFile, serializeState } from "./serialize.js";
export {
  watchFileJsonSchema,
  legacyWatchFileJsonSchema,
  stateJsonSchema,
  checkJsonSchema,
  explainJsonSchema,
  resolveJsonSchema,
  jsonSchemaFiles,
} from "./json-schema.js";
export * from "./reports.js";
export type { JsonSchema } from "./json-schema.js";
export { formatPath } from "./json.js";
