// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { type ProblemCode, type WatchSource } from "@autowatch/watchfile";
import { quoteValue, compareText } from "@autowatch/watchfile/text";
import type { Candidate, Checks } from "./checks.js";
import type { ExplainedWatch, WatchReason } from "./types.js";

const SOURCE_ORDER: WatchSource[] = ["auto", "manual", "buildout"];
const SOURCE_RANK: Record<WatchSource, number> = { auto: 0, manual: 1, buildout: 2 };

/** Where a settling problem points: the manifest line, or the watch file. */
export interface Where {
  file?: string;
  line?: number;
}

export interface SettleOptions {
  /** Keep each watch's reasons; without, equal watches are shared across builders. */
  explain: boolean;
  checks: Checks;
  warn: (code: ProblemCode, message: string, where: Where) => void;
}

/**
 * One builder's candidates become its watches: one kind of VCS per URL (buildout beats manual
 * beats auto), buildout-self beats a manual line naming its URL on another branch, and
 * duplicates collapse. Sorted by VCS, URL and branch.
 */
export function settle(candidates: Candidate[], options: SettleOptions): ExplainedWatch[] {
  const winners = new Map<string, Candidate>();
  let mixed = false;
  for (const candidate of candidates) {
    const best = winners.get(candidate.url);
    if (!best) {
      winners.set(candidate.url, candidate);
      continue;
    }
    mixed ||= best.vcs !== candidate.vcs;
    if (outranks(candidate, best)) winners.set(candidate.url, candidate);
  }
  const selfWatch = candidates.find((c) => c.source === "buildout");
  const kept = mixed || selfWatch ? dropConflicts(candidates, winners, selfWatch, options.warn) : candidates;
  const { explain } = options;
  // the common case, every URL once: each candidate is a watch of its own
  const watches = winners.size === kept.length ? kept.map((candidate) => soleWatch(candidate, explain)) : mergeDuplicates(kept, explain);
  // without reasons, a watch is its fields only: builders watching the same branch share one
  if (!explain) for (let index = 0; index < watches.length; index++) watches[index] = options.checks.explainedWatch(watches[index]!);
  return watches.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.branch, b.branch));
}

/** Drops the candidates that lose their URL to another VCS, and manual lines contradicting buildout-self. */
function dropConflicts(candidates: Candidate[], winners: Map<string, Candidate>, selfWatch: Candidate | undefined, warn: SettleOptions["warn"]): Candidate[] {
  const kept: Candidate[] = [];
  const reported = new Set<string>();
  for (const candidate of candidates) {
    const winner = winners.get(candidate.url)!;
    if (candidate.vcs !== winner.vcs) {
      const key = `${candidate.url}\u0000${candidate.vcs}\u0000${candidate.source}`;
      if (!reported.has(key)) {
        reported.add(key);
        warn(
          "merge.watch.vcs-conflict",
          `${quoteValue(candidate.url)} is ${winner.vcs} for the ${sourceLabel(winner.source)} but ${candidate.vcs} for the ${sourceLabel(candidate.source)}: the ${candidate.vcs} watch is dropped`,
          whereOf(candidate.reason),
        );
      }
      continue;
    }
    if (
      candidate.source === "manual" &&
      selfWatch &&
      selfWatch.url === candidate.url &&
      selfWatch.vcs === candidate.vcs &&
      selfWatch.branch !== candidate.branch
    ) {
      warn(
        "merge.watch.buildout-branch",
        `watch line names the buildout's own repository ${quoteValue(candidate.url)} on branch ${quoteValue(candidate.branch)}, but the buildout is on ${quoteValue(selfWatch.branch)}: line dropped`,
        whereOf(candidate.reason),
      );
      continue;
    }
    kept.push(candidate);
  }
  return kept;
}

const NO_REASONS: WatchReason[] = Object.freeze([]) as unknown as WatchReason[];

function soleWatch(candidate: Candidate, explain: boolean): ExplainedWatch {
  const { vcs, url, original, branch, source, reason } = candidate;
  return { vcs, url, original, branch, from: sourceList([source]), reasons: explain ? [reason] : NO_REASONS };
}

/**
 * Candidates naming the same URL and branch become one watch (every kept candidate of a URL
 * has its winner's VCS), with each source once and the smallest original URL.
 */
function mergeDuplicates(kept: Candidate[], explain: boolean): ExplainedWatch[] {
  const byKey = new Map<string, ExplainedWatch>();
  const watches: ExplainedWatch[] = [];
  for (const candidate of kept) {
    const key = `${candidate.url}\u0000${candidate.branch}`;
    let watch = byKey.get(key);
    if (!watch) {
      watch = { vcs: candidate.vcs, url: candidate.url, original: candidate.original, branch: candidate.branch, from: [], reasons: explain ? [] : NO_REASONS };
      byKey.set(key, watch);
      watches.push(watch);
    }
    if (!watch.from.includes(candidate.source)) watch.from.push(candidate.source);
    if (compareText(candidate.original, watch.original) < 0) watch.original = candidate.original;
    if (explain) watch.reasons.push(candidate.reason);
  }
  for (const watch of watches) {
    watch.from = sourceList(watch.from);
    if (watch.reasons.length > 1) watch.reasons.sort((a, b) => SOURCE_RANK[a.kind] - SOURCE_RANK[b.kind]);
  }
  return watches;
}

const SOURCE_LISTS = new Map<string, WatchSource[]>(SOURCE_ORDER.map((source) => [source, Object.freeze([source]) as WatchSource[]]));

/**
 * The sources in canonical order, one shared (frozen) array per combination: 200,000 watches
 * need only a handful of distinct lists.
 */
function sourceList(sources: readonly WatchSource[]): WatchSource[] {
  const ordered = sources.length === 1 ? sources : SOURCE_ORDER.filter((source) => sources.includes(source));
  const key = ordered.join(",");
  let shared = SOURCE_LISTS.get(key);
  if (!shared) SOURCE_LISTS.set(key, (shared = Object.freeze([...ordered]) as WatchSource[]));
  return shared;
}

function outranks(candidate: Candidate, best: Candidate): boolean {
  const rank = SOURCE_RANK[candidate.source] - SOURCE_RANK[best.source];
  // among auto entries alone, the smallest VCS name wins, whatever the file's order
  return rank > 0 || (rank === 0 && candidate.source === "auto" && compareText(candidate.vcs, best.vcs) < 0);
}

function sourceLabel(source: WatchSource): string {
  return source === "auto" ? "watch file" : source === "manual" ? "watch line" : "buildout";
}

function whereOf(reason: WatchReason): Where {
  if (reason.kind === "auto") return { file: reason.watchFile };
  return { file: reason.file, line: reason.line };
}
