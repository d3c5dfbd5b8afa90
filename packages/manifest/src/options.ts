// Internal to @autowatch/manifest: not exported (the public API is what README.md documents).
import { type ProblemCode, type ProblemLevel, type Vcs } from "@autowatch/watchfile";
import { quoteValue, pySplit, pyStrip } from "@autowatch/watchfile/text";
import type { ValueLine } from "./dialect.js";
import type { BuildoutSpec, ManualWatch } from "./types.js";

/** A problem found in one option value, before it is attributed to a file and builder. */
export interface ValueProblem {
  code: ProblemCode;
  message: string;
  line: number;
  /** Default: error. */
  level?: ProblemLevel;
}

/** Positional arguments after the type, for each known `buildout` type. */
const BUILDOUT_SHAPES: Record<string, string> = {
  standalone: "PATH",
  git: "URL BRANCH PATH",
  hg: "URL BRANCH PATH",
  bzr: "URL PATH",
  gittag: "URL PATH",
  hgtag: "URL PATH",
};

const FROZEN_TYPES = new Set(["gittag", "hgtag"]);

/** How many tokens a shape such as "URL BRANCH PATH" stands for. */
function arityOf(shape: string): number {
  let arity = 1;
  for (let index = shape.indexOf(" "); index >= 0; index = shape.indexOf(" ", index + 1)) arity++;
  return arity;
}

const NO_PROBLEMS: readonly ValueProblem[] = [];

export function parseBuildout(value: string, line: number): { spec?: BuildoutSpec; problems: readonly ValueProblem[] } {
  const tokens = pySplit(value);
  const options: Record<string, string> = {};
  // Positional tokens are moved to the front of `tokens`, in order.
  let positionalCount = 0;
  for (const token of tokens) {
    const equals = token.indexOf("=");
    if (equals < 0) tokens[positionalCount++] = token;
    else setOwn(options, token.slice(0, equals), token.slice(equals + 1));
  }
  const first = positionalCount > 0 ? tokens[0] : undefined;
  // An exactly sized copy: the spec is kept as long as the factory.
  const positional = tokens.slice(1, positionalCount);
  if (first === undefined)
    return {
      problems: [
        {
          line,
          code: "manifest.buildout.type",
          message: `buildout has no type (expected e.g. "standalone PATH" or "git URL BRANCH PATH"): ${quoteValue(value)}`,
        },
      ],
    };
  const type = first.toLowerCase();
  const spec: BuildoutSpec = { type, positional, options, frozen: FROZEN_TYPES.has(type) };
  const shape = Object.hasOwn(BUILDOUT_SHAPES, type) ? BUILDOUT_SHAPES[type] : undefined;
  if (shape === undefined) {
    const known = Object.keys(BUILDOUT_SHAPES).join(", ");
    return { spec, problems: [{ line, code: "manifest.buildout.type", message: `unknown buildout type ${quoteValue(first)} (known: ${known})` }] };
  }
  const arity = arityOf(shape);
  if (positional.length !== arity) {
    return {
      spec,
      problems: [
        {
          line,
          code: "manifest.buildout.tokens",
          message: `buildout ${type} takes ${arity} positional argument${arity > 1 ? "s" : ""} (${type} ${shape}), got ${positional.length}: ${quoteValue(value)}`,
        },
      ],
    };
  }
  const [url = "", branch = ""] = positional;
  if (type === "git" || type === "hg") spec.self = { vcs: type, url, branch };
  else if (type === "bzr") spec.self = { vcs: "bzr", url, branch: "" };
  return { spec, problems: NO_PROBLEMS };
}

/** Tokens of a `watch` line for each VCS, after the VCS name. */
const WATCH_SHAPES: Record<Vcs, string> = { git: "URL BRANCH", hg: "URL BRANCH", bzr: "URL", svn: "URL" };

function isVcs(name: string): name is Vcs {
  return Object.hasOwn(WATCH_SHAPES, name);
}

/** Parses `watch` lines (already interpolated); a bad line is a problem and the others still count. */
export function parseWatchLines(lines: ValueLine[], file: string): { watches: ManualWatch[]; problems: ValueProblem[] } {
  const watches: ManualWatch[] = [];
  const problems: ValueProblem[] = [];
  // Most watch values have a few lines: a list search then costs less than a Map of keys.
  let seen: Map<string, ManualWatch> | undefined;
  const earlier = (watch: ManualWatch) => {
    if (watches.length < 8) return watches.find((w) => w.vcs === watch.vcs && w.url === watch.url && w.branch === watch.branch);
    // Tokens hold no whitespace: a space cannot make two different watches collide.
    const key = (w: ManualWatch) => `${w.vcs} ${w.url} ${w.branch}`;
    seen ??= new Map(watches.map((w) => [key(w), w]));
    const found = seen.get(key(watch));
    if (!found) seen.set(key(watch), watch);
    return found;
  };
  const parseLine = (text: string, line: number) => {
    const tokens = pySplit(text);
    const [first, url = "", branch = ""] = tokens;
    if (first === undefined) return;
    const vcs = first.toLowerCase();
    if (!isVcs(vcs)) {
      problems.push({
        line,
        code: "manifest.watch.vcs",
        message: `watch line with unknown VCS ${quoteValue(first)} (expected git, hg, bzr or svn): ${quoteValue(text)}`,
      });
      return;
    }
    const shape = WATCH_SHAPES[vcs];
    if (tokens.length - 1 !== arityOf(shape)) {
      problems.push({ line, code: "manifest.watch.tokens", message: `watch line must be "${vcs} ${shape}", got ${quoteValue(text)}` });
      return;
    }
    const watch: ManualWatch = { vcs, url, branch: vcs === "git" || vcs === "hg" ? branch : "", file, line };
    const repeated = earlier(watch);
    if (repeated) {
      problems.push({ line, level: "warning", code: "manifest.watch.duplicate", message: `watch line repeats line ${repeated.line}: ${quoteValue(text)}` });
      return;
    }
    watches.push(watch);
  };
  for (const { text, line } of lines) {
    // An interpolated line may itself hold several lines (a reference to a multi-line value).
    if (text.includes("\n")) for (const part of text.split("\n")) parseLine(part, line);
    else parseLine(text, line);
  }
  return { watches, problems };
}

/** Assigns a property as own and enumerable, even one named `__proto__`. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` is an accessor on Object.prototype: any other key assigned becomes an own field.
  if (key === "__proto__") Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** Python's `ConfigParser.BOOLEAN_STATES`, any case. */
const BOOLEANS: Record<string, boolean> = { "1": true, yes: true, true: true, on: true, "0": false, no: false, false: false, off: false };

/** A whole number of seconds (`60`, ` 0 `), as the seed system's `tree-stable-timer`; undefined when it is not one. */
export function parseSeconds(value: string): number | undefined {
  const text = pyStrip(value);
  if (!/^[0-9]{1,7}$/.test(text)) return undefined;
  return Number(text);
}

export function parseBoolean(value: string): boolean | undefined {
  const key = pyStrip(value).toLowerCase();
  return Object.hasOwn(BOOLEANS, key) ? BOOLEANS[key] : undefined;
}
