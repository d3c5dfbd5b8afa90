import { escapeJsonText } from "./quote.js";
import type { BuilderState, Poller, Problem, State, STATE_SCHEMA_ID } from "./schema.js";

/**
 * A state file's entries, each as one line of compact JSON: a poller, a builder
 * (`"name":{...}`, its change filter) or a problem. One line per entry keeps a 10,000-builder
 * state small and lets `grep`/`diff` show it builder by builder.
 */
export interface StateLines {
  pollers: string[];
  builders: string[];
  problems: string[];
}

/** JSON.stringify plus `\uXXXX` for what it leaves raw (line separators, bidi controls). */
function jsonLine(value: unknown): string {
  return escapeJsonText(JSON.stringify(value));
}

export function pollerLine(poller: Poller): string {
  return jsonLine(poller);
}

/** A builder's watches as JSON (the costly part of its line: computed once by callers that also hash it). */
export function watchesJson(watches: BuilderState["watches"]): string {
  return jsonLine(watches);
}

export function builderLine(name: string, builder: BuilderState, watches: string = watchesJson(builder.watches)): string {
  const timer = builder.treeStableTimer === undefined ? "" : `"treeStableTimer":${builder.treeStableTimer},`;
  return `${jsonLine(name)}:{"schedule":${builder.schedule},"autoWatch":${builder.autoWatch},${timer}"watches":${watches}}`;
}

export function problemLine(problem: Problem): string {
  return jsonLine(problem);
}

/** The lines of a state whose lists and keys are already in canonical order (nothing is sorted here). */
export function stateLines(state: Pick<State, "pollers" | "builders" | "problems">): StateLines {
  return {
    pollers: state.pollers.map(pollerLine),
    builders: Object.keys(state.builders).map((name) => builderLine(name, state.builders[name]!)),
    problems: state.problems.map(problemLine),
  };
}

/**
 * The state file's text, handed out piece by piece (a large farm's text is never joined):
 * the head (`schema`, `fingerprint`) on the first line, then each list or map with one entry
 * per line, and a final newline. An entry may be bytes (UTF-8, as a state file written before has it).
 */
export function writeStateText(
  schema: typeof STATE_SCHEMA_ID,
  fingerprint: string | undefined,
  lines: { readonly [K in keyof StateLines]: readonly (string | Uint8Array)[] },
  write: (piece: string | Uint8Array) => void,
): void {
  write(`{"schema":${JSON.stringify(schema)},${fingerprint === undefined ? "" : `"fingerprint":${JSON.stringify(fingerprint)},`}\n`);
  writeList(`"pollers":[`, lines.pollers, "],\n", write);
  writeList(`"builders":{`, lines.builders, "},\n", write);
  writeList(`"problems":[`, lines.problems, "]\n", write);
  write("}\n");
}

function writeList(open: string, entries: readonly (string | Uint8Array)[], close: string, write: (piece: string | Uint8Array) => void): void {
  if (entries.length === 0) {
    write(`${open}${close}`);
    return;
  }
  write(`${open}\n`);
  const last = entries.length - 1;
  for (let index = 0; index <= last; index++) {
    const entry = entries[index]!;
    if (typeof entry === "string") write(index < last ? `${entry},\n` : `${entry}\n`);
    else {
      write(entry);
      write(index < last ? ",\n" : "\n");
    }
  }
  write(close);
}

/** The whole text (for small states, tests and `--json`). */
export function stateText(schema: typeof STATE_SCHEMA_ID, fingerprint: string | undefined, lines: StateLines): string {
  const pieces: string[] = [];
  writeStateText(schema, fingerprint, lines, (piece) => pieces.push(typeof piece === "string" ? piece : Buffer.from(piece).toString("utf8")));
  return pieces.join("");
}
