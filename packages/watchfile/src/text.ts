// `@autowatch/watchfile/text`: the zod-free helpers (quoting untrusted values, safe file names),
// for consumers that must start fast and never validate a watch file (e.g. `autowatch resolve`).
export { quoteValue, escapeControls, escapeControlCharacters, escapeJsonText, hasControlCharacters, unicodeEscape } from "./quote.js";
export { safeBuilderFileName, watchFileNameFor } from "./names.js";
export { compareText, compareProblems } from "./order.js";
export { builderLine, pollerLine, problemLine, stateLines, stateText, watchesJson, writeStateText, type StateLines } from "./statetext.js";
export { refNameProblem } from "./refname.js";
export { PROBLEM_CODES, PROBLEM_CODE_SHAPE, isProblemCode, makeProblem, type ProblemCode, type ProblemPlace } from "./problem.js";
export { closeNames } from "./suggest.js";
export { MAX_CONFIG_BYTES, readRegularFileSync, type RegularFileRead } from "./regular.js";
export { PY_SPACE, isPySpace, skipPySpaces, pyTrimmedEnd, pyStrip, pyRstrip, pySplit, normalizeNewlines, comparePyStrings, pyDedent } from "./pytext.js";
