export type * from "./types.js";
export { parseManifests } from "./resolve.js";
export { readManifests, type ReadOptions } from "./read.js";
export { readConfig, rawValue } from "./dialect.js";
export type { ConfigDocument, RawSection, RawOption, ValueLine, DialectError, DialectErrorKind } from "./dialect.js";
export { interpolate } from "./interpolate.js";
export type { InterpolationResult, InterpolationError, InterpolationErrorKind, InterpolationMemo, OptionLookup } from "./interpolate.js";
