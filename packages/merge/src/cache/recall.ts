import type { BuilderState, BuilderWatch, Problem } from "@autowatch/watchfile";
import { builderLine } from "@autowatch/watchfile/text";
import { rememberBuilderRendering } from "../state.js";
import { contentHash, type LastGoodStore } from "../lastgood.js";
import type { BuilderDetail, ExplainedWatch, LastGoodEntry, MergeFactory } from "../types.js";
import type { CachedBuilder } from "./format.js";
import type { WatchTable } from "./table.js";

/** A builder's earlier result, as the merge loop takes it instead of merging the builder again. */
export interface Recalled {
  detail: BuilderDetail;
  state: BuilderState;
  lastGood?: LastGoodEntry;
}

const NO_REASONS: ExplainedWatch["reasons"] = Object.freeze([]) as unknown as ExplainedWatch["reasons"];

/**
 * Rebuilds cached results as the merge made them (without reasons: a cached merge never
 * explains), one object per distinct watch as the merge shares them, each builder's state
 * line and digest already known, so it is neither rendered nor hashed again.
 */
export class Recaller {
  private readonly explained: ExplainedWatch[] = [];
  private readonly stated: BuilderWatch[] = [];

  constructor(
    private readonly table: WatchTable,
    private readonly today: string,
    /**
     * A builder's last good watches of the given content hash (read only when someone asks:
     * the store's copy when it has that content, else merged again from its watch file).
     */
    private readonly storedWatches: (builder: string, hash: string) => LastGoodEntry["watches"],
  ) {}

  recall(record: CachedBuilder, factory: MergeFactory): Recalled {
    const recalled: Recalled = this.rebuild(record, factory);
    if (record.kept) recalled.lastGood = this.lastGoodEntry(factory.name, record.kept.hash, record.kept.date ?? this.today);
    return recalled;
  }

  private rebuild(record: CachedBuilder, factory: MergeFactory): Pick<Recalled, "detail" | "state"> {
    const watches = record.watches.map((id) => this.explainedWatch(id));
    const detail: BuilderDetail = {
      name: factory.name,
      file: factory.file,
      line: factory.line,
      schedule: record.schedule,
      autoWatch: record.autoWatch,
      watchFile: record.watchFile,
      watches,
      problems: record.problems.map((p) => ({ ...p }) as Problem),
    };
    const state: BuilderState = { schedule: record.schedule, autoWatch: record.autoWatch, watches: record.watches.map((id) => this.stateWatch(id)) };
    if (record.treeStableTimer !== undefined) state.treeStableTimer = record.treeStableTimer;
    rememberBuilderRendering(state, factory.name, record.watchesDigest, builderLine(factory.name, state, this.table.json(record.watches)));
    return { detail, state };
  }

  /** The entry's hash is known (the store compares by it); its watches are read from the store if someone asks. */
  private lastGoodEntry(builder: string, hash: string, date: string): LastGoodEntry {
    const storedWatches = this.storedWatches;
    let watches: LastGoodEntry["watches"] | undefined;
    return {
      date,
      hash,
      get watches() {
        return (watches ??= storedWatches(builder, hash));
      },
    };
  }

  private explainedWatch(id: number): ExplainedWatch {
    let watch = this.explained[id];
    if (watch === undefined) {
      const { vcs, url, original, branch, from } = this.table.get(id);
      this.explained[id] = watch = { vcs, url, original, branch, from, reasons: NO_REASONS };
    }
    return watch;
  }

  private stateWatch(id: number): BuilderWatch {
    let watch = this.stated[id];
    if (watch === undefined) {
      const { vcs, url, branch, from } = this.table.get(id);
      this.stated[id] = watch = { vcs, url, branch, from };
    }
    return watch;
  }
}

/** A builder's last good watches of that content hash: the store's copy, else merged again from its watch file. */
export function storedOrMerged(
  store: LastGoodStore | undefined,
  factory: MergeFactory,
  hash: string,
  remerged: (factory: MergeFactory) => LastGoodEntry["watches"],
): LastGoodEntry["watches"] {
  const entry = store?.get(factory.name);
  if (entry && "watches" in entry && contentHash(entry.watches) === hash) return entry.watches;
  return remerged(factory);
}
