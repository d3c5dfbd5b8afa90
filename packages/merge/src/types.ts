import type { Origin, Problem, ProblemCode, State, Vcs, WatchSource } from "@autowatch/watchfile";
import { LIMITS } from "@autowatch/watchfile/text";
import type { AutoEntry } from "./decode.js";
import type { Recalled } from "./cache/recall.js";
import type { RewriteRule } from "./rewrite.js";

/**
 * A watch file as the I/O edge found it: its bytes, why it could not be read, nothing yet, or
 * a file listed but not read yet (`read` is called once, when the merge needs the bytes).
 */
export type WatchFileInput =
  | { file: string; bytes: Uint8Array }
  | { file: string; error: string; code: ProblemCode }
  | { file: string; missing: true }
  | { file: string; read: () => WatchFileInput };

/**
 * Internal: a listed file that `scanWatchDir` can also `peek`, reading it without a copy into one
 * scratch buffer: its bytes stay valid only until the next `peek` or `read` of any file, which is
 * all the merge needs (it parses each file before the next). Not part of `MergeInput`'s contract.
 */
export type PeekableWatchFile = { file: string; read: () => WatchFileInput; peek: () => WatchFileInput };

/** What the operator allows workers to make the master poll. */
export interface MergePolicy {
  /** Hosts a worker-sent URL may point to (empty: any host). Compared case-insensitively. */
  allowHosts: string[];
  /** Schemes a worker-sent URL may use (scp-like `host:path` is ssh, a local path is file). */
  allowSchemes: string[];
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_POLICY: MergePolicy = {
  allowHosts: [],
  allowSchemes: ["https", "http", "ssh", "git", "file"],
  maxBytes: LIMITS.watchFileBytes,
  maxEntries: LIMITS.watchFileEntries,
};

/** A builder's auto watches as last accepted, and the day they were. */
export interface LastGoodEntry {
  date: string;
  watches: AutoEntry[];
  /** The content hash of `watches`, when known already (a cached result): the store compares by it. */
  hash?: string;
}

/** Why a builder's stored last good watches cannot be used. */
export interface LastGoodFailure {
  file: string;
  failure: string;
  /** merge.lastgood.unreadable or merge.lastgood.invalid. */
  code: ProblemCode;
}

/**
 * Where last good watches come from: a map, or a store that reads a builder's entry only
 * when asked (only builders whose watch file is rejected are asked).
 */
export interface LastGoodSource {
  get(builder: string): LastGoodEntry | LastGoodFailure | undefined;
}

/** A manual watch line of a build factory, and where it was written. */
export interface FactoryWatch {
  vcs: Vcs;
  url: string;
  /** "" for bzr and svn (the URL is the branch). */
  branch: string;
  file: string;
  line: number;
}

/**
 * What the merge reads of a build factory (a MANIFEST.cfg section), and nothing else:
 * `mergeFactories` makes these from `@autowatch/manifest`'s parse. A merge memo compares them
 * by value, so a caller may build new objects for each merge.
 */
export interface MergeFactory {
  /** The builder name. */
  name: string;
  /** Where the factory is defined (its section header). */
  file: string;
  line: number;
  /** False for an empty `watch =`: never scheduled by commits, nothing watched. */
  schedule: boolean;
  /** Whether the builder's watch file counts. */
  autoWatch: boolean;
  /** The manual `watch` lines. */
  watches: readonly FactoryWatch[];
  /** The branch the buildout itself lives on (watched as `buildout`), and where the `buildout` option was written. */
  buildoutSelf?: { vcs: Vcs; url: string; branch: string; file: string; line?: number };
  /** Seconds the builder's scheduler waits for a burst of commits to end. */
  treeStableTimer?: number;
}

export interface MergeInput {
  /** A name's first factory counts; later ones are ignored (the manifest reader reports them). */
  factories: readonly MergeFactory[];
  /** Keyed by builder name. A builder without an entry has no watch file yet. */
  watchFiles: ReadonlyMap<string, WatchFileInput>;
  lastGood?: LastGoodSource;
  rules?: readonly RewriteRule[];
  policy?: Partial<MergePolicy>;
  /** Only used to date last-good entries. */
  now: Date;
  /** Problems found before the merge (manifests, rewrite rules): they go into the state too. */
  problems?: readonly Problem[];
  /**
   * Keep why each repository is watched (`ExplainedWatch.reasons`, for `explainBuilder`).
   * Default true; a plain merge of a large farm turns it off (less to allocate and keep).
   */
  explain?: boolean;
  /**
   * Builders whose inputs are unchanged since an earlier merge (the merge cache): their earlier
   * result is taken as it is, they are not merged again.
   */
  recalled?: ReadonlyMap<string, Recalled>;
  /**
   * Filled with sha256 (base64) of each watch file the merge reads, by builder (for the merge
   * cache); "" for a builder whose merge failed (an internal error), never to be cached.
   */
  digests?: Map<string, string>;
  /** Told now and then how many builders are merged (for a progress bar); cheap when absent. */
  onProgress?: (done: number, total: number) => void;
}

/** Why a builder watches a repository (for `explain`). */
export type WatchReason =
  | { kind: "auto"; watchFile: string; origin?: Origin; lastGood?: string }
  | { kind: "manual"; file: string; line: number }
  | { kind: "buildout"; file: string; line?: number };

export interface ExplainedWatch {
  vcs: Vcs;
  url: string;
  original: string;
  branch: string;
  from: WatchSource[];
  /** Empty when the merge ran with `explain: false`. */
  reasons: WatchReason[];
}

/** What became of a builder's watch file. */
export type WatchFileStatus =
  | { status: "accepted"; file: string }
  /** `lastGood`: the file is gone but the builder's last good watches (from that day) are used. */
  | { status: "missing"; file: string; lastGood?: string }
  | { status: "rejected"; file: string; reason: string; lastGood?: string }
  | { status: "ignored"; file: string; reason: string };

/** Everything `explain` needs about one builder. */
export interface BuilderDetail {
  name: string;
  file: string;
  line: number;
  schedule: boolean;
  autoWatch: boolean;
  watchFile: WatchFileStatus;
  watches: ExplainedWatch[];
  problems: Problem[];
}

export interface MergeResult {
  state: State;
  /** The last good watches of this run: each accepted file's, and those used for a rejected one. */
  lastGood: Map<string, LastGoodEntry>;
  problems: Problem[];
  details: Map<string, BuilderDetail>;
}
