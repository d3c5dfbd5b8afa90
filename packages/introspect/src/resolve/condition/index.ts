// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/**
 * Conditional section headers `[name: expression]`: zc.buildout evaluates the expression
 * with Python's `eval` and the globals of `_default_globals()`. We evaluate the subset of
 * Python those expressions use (names, attributes, calls of a few functions, literals,
 * tuples and lists, comparisons, `in`, `is`, `not`/`and`/`or`) in-process, against an
 * emulation of the interpreter that runs the buildout. Anything else is an error that
 * says what could not be evaluated.
 */

export { evaluateCondition } from "./evaluate.js";
export { defaultGlobals, type PythonEnvironment } from "./globals.js";
export { MAX_BRACKET_NESTING, MAX_INT_DIGITS, MAX_TREE_DEPTH } from "./tokenize.js";
export { ConditionError, truthy, type PyValue } from "./values.js";
