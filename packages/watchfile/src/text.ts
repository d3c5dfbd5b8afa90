// `@autowatch/watchfile/text`: the helpers that need no schema (quoting untrusted values, safe file
// names, the state's orders and text, bounded reads), without loading zod or the JSON parsers, for
// programs that must start fast (`autowatch resolve`, `explain` from the state).
export { quoteValue, escapeControls, escapeControlCharacters, escapeJsonText, hasControlCharacters } from "./quote.js";
export { safeBuilderFileName, watchFileNameFor } from "./names.js";
export { compareText, compareProblems } from "./order.js";
export { builderLine, pollerLine, problemLine, stateLines, stateText, watchesJson, writeStateText, type StateLines } from "./statetext.js";
export { refNameProblem } from "./refname.js";
export { PROBLEM_CODES, PROBLEM_CODE_SHAPE, isProblemCode, makeProblem, type ProblemCode, type ProblemPlace } from "./problem.js";
export { closeNames } from "./suggest.js";
export { LIMITS, type Limits } from "./limits.js";
export { MAX_CONFIG_BYTES, openRegularFileSync, readRegularFileSync, type RegularFileRead } from "./regular.js";
export { overwriteFileSync, writeFileAtomicSync, type AtomicWriteOptions } from "./atomic.js";
export {
  PY_SPACE,
  PY_INT_SPACE,
  isPySpace,
  skipPySpaces,
  pyTrimmedEnd,
  pyStrip,
  pyRstrip,
  pySplit,
  pySplitlines,
  normalizeNewlines,
  comparePyStrings,
  pyDedent,
} from "./pytext.js";
// the types these helpers take and give (type-only: nothing of zod is loaded)
export type { Problem, ProblemLevel, WatchFileProblem, State, Poller, BuilderState } from "./schema.js";
