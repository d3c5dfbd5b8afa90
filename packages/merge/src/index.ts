// `@autowatch/merge`: what its README documents, nothing more; every other module is internal.
export { mergeFarm } from "./core.js";
export { mergeFactories, mergeFactory } from "./factories.js";
export { runMerge, MergeSetupError, type RunMergeOptions, type RunMergeResult } from "./run.js";
export { watchMerge, type MergeEvent, type MergeWatcher, type WatchMergeOptions } from "./watch.js";
export { explainBuilder, type Explanation } from "./explain.js";
export { formatExplanation, type ExplanationStyle } from "./explaintext.js";
export { explainOne, type BuilderReport } from "./explainone.js";
export { statesDiffer, stateFingerprint } from "./state.js";
export { parseRewriteRule, parseRewriteFile, type RewriteRule } from "./rewrite.js";
export { readWatchDir } from "./watchdir.js";
export { loadLastGood, saveLastGood, type LastGoodStore } from "./lastgood.js";
export { DEFAULT_POLICY } from "./types.js";
export type {
  WatchFileInput,
  MergePolicy,
  LastGoodEntry,
  LastGoodFailure,
  LastGoodSource,
  FactoryWatch,
  MergeFactory,
  MergeInput,
  WatchReason,
  ExplainedWatch,
  WatchFileStatus,
  BuilderDetail,
  MergeResult,
} from "./types.js";
export type { AutoEntry } from "./decode.js";
export type { Recalled } from "./cache/recall.js";
export type { StateCounts } from "./cache/format.js";
