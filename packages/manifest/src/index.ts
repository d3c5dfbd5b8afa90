export type * from "./types.js";
export { parseManifests } from "./resolve.js";
export { readManifests, ManifestMemo, type ReadOptions } from "./read.js";
export { readConfig, rawValue, DEFAULT_SECTION } from "./dialect.js";
export type { ConfigDocument, RawSection, RawOption, ValueLine, DialectError, DialectErrorKind } from "./dialect.js";
export { interpolate, MAX_INTERPOLATION_DEPTH, MAX_INTERPOLATED_LENGTH } from "./interpolate.js";
export type { InterpolationResult, InterpolationError, InterpolationErrorKind, OptionLookup } from "./interpolate.js";
// One mapping from builder name to watch file name for merge and cli alike.
export { safeBuilderFileName, watchFileNameFor } from "@autowatch/watchfile";
