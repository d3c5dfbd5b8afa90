import { parseState as parseStateFile, serializeState as serializeWatchfileState, type State } from "@autowatch/watchfile";

// JSON.stringify leaves these raw; a state file must not carry them either
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const unicodeEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Escapes control, line-separator and bidi characters only (quotes and backslashes stay): for text we composed. */
export function noControls(text: string): string {
  return text.replace(CONTROLS, unicodeEscape);
}

/**
 * The state as written: keys in a fixed order, pollers by vcs/url, builders by name,
 * problems by builder/file/line; the same state always gives the same bytes.
 */
export function serializeState(state: State): string {
  return serializeWatchfileState(state);
}

/** JSON.stringify (2-space indent) with every control, line-separator and bidi character escaped. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, unicodeEscape);
}

/** Reads a state file's text; undefined when it is not a valid state. */
export function parseState(text: string): State | undefined {
  const result = parseStateFile(text);
  return result.ok ? result.value : undefined;
}

/**
 * True when the two states differ in what Buildbot acts on: pollers (URL, branches, work
 * directory) or change filters (each builder's schedule flag and watches). Problems don't count.
 */
export function statesDiffer(a: State | undefined, b: State | undefined): boolean {
  if (!a || !b) return a !== b;
  return actionable(a) !== actionable(b);
}

/** Pollers and, per builder, the change filter (schedule flag and watches): not autoWatch, not problems. */
function actionable(state: State): string {
  const canonical = JSON.parse(serializeState({ ...state, problems: [] })) as State;
  const filters = Object.entries(canonical.builders).map(([name, b]) => [name, b.schedule, b.watches]);
  return JSON.stringify([canonical.pollers, filters]);
}
