import type { BuildFactory } from "@autowatch/manifest";
import {
  STATE_SCHEMA_ID,
  parseWatchFile,
  quoteValue,
  vcsSchema,
  watchFileNameFor,
  type BuilderState,
  type Origin,
  type Problem,
  type ProblemLevel,
  type State,
  type Vcs,
  type WatchSource,
} from "@autowatch/watchfile";
import { autoEntry, keptOrigin, type AutoEntry } from "./decode.js";
import { contentDigest } from "./memo.js";
import { PollerTally } from "./pollers.js";
import { locationProblem, parseLocation, type Location } from "./location.js";
import { branchNameProblem } from "./refname.js";
import { rewriteUrl, type RewriteRule } from "./rewrite.js";
import { compareText, problemLine } from "@autowatch/watchfile/text";
import { rememberRendering, renderCanonical, stateProblems } from "./state.js";
import {
  DEFAULT_POLICY,
  type BuilderDetail,
  type ExplainedWatch,
  type LastGoodEntry,
  type MergeInput,
  type MergePolicy,
  type MergeResult,
  type WatchFileInput,
  type WatchFileStatus,
  type WatchReason,
} from "./types.js";

/** A watch before conflicts are settled. */
interface Candidate {
  vcs: Vcs;
  original: string;
  url: string;
  branch: string;
  source: WatchSource;
  reason: WatchReason;
}

const SOURCE_ORDER: WatchSource[] = ["auto", "manual", "buildout"];
const SOURCE_RANK: Record<WatchSource, number> = { auto: 0, manual: 1, buildout: 2 };

/**
 * The pure core: manifests' factories + watch files (+ last good watches) → merged state.
 * Never throws on bad input: every problem is data, and a failure while processing one
 * builder is contained to that builder.
 */
export function mergeFarm(input: MergeInput): MergeResult {
  const policy: MergePolicy = { ...DEFAULT_POLICY, ...input.policy };
  const checks = new Checks(policy, input.rules ?? []);
  const lastGood = new Map<string, LastGoodEntry>();
  const today = input.now.toISOString().slice(0, 10);
  const problems: Problem[] = [...(input.problems ?? [])];
  const details = new Map<string, BuilderDetail>();
  const builders: [string, BuilderState][] = [];

  const factories = new Map<string, BuildFactory>();
  for (const factory of input.factories) if (!factories.has(factory.name)) factories.set(factory.name, factory);

  const explain = input.explain ?? true;
  const memo = input.memo;
  memo?.begin({ policy, rules: input.rules ?? [], today, explain });
  const onProgress = input.onProgress;
  let done = 0;
  for (const [name, factory] of factories) {
    if (onProgress !== undefined && (done++ & 255) === 0) onProgress(done - 1, factories.size);
    let given = input.watchFiles.get(name);
    let digest: string | undefined;
    // read here, without a copy, and parsed before the next file is read; with a memo, the
    // bytes decide whether the last result still holds
    if (factory.schedule && factory.autoWatch) given = readNow(given);
    if (memo && factory.schedule && factory.autoWatch && given && "bytes" in given) {
      digest = contentDigest(given.bytes);
      const known = memo.recall(factory, given.file, digest);
      if (known) {
        details.set(name, known.detail);
        problems.push(...known.detail.problems);
        builders.push([name, known.state]);
        lastGood.set(name, known.lastGood);
        continue;
      }
    }
    const context = new BuilderContext(factory, input, given, policy, checks, lastGood, today, explain);
    let detail: BuilderDetail;
    let failed = false;
    try {
      detail = context.run();
    } catch (error) {
      // a bug must not cost the other builders: this one is reported and watches nothing new
      context.problem("error", `internal error while merging this builder: ${quoteValue(error instanceof Error ? error.message : error)}`);
      detail = context.failed();
      failed = true;
    }
    details.set(name, detail);
    problems.push(...detail.problems);
    const watches = detail.watches.map((watch) => checks.stateWatch(watch));
    const state: BuilderState = { schedule: detail.schedule, autoWatch: detail.autoWatch, watches };
    // only a scheduled builder has a scheduler to time
    if (detail.schedule && factory.treeStableTimer !== undefined) state.treeStableTimer = factory.treeStableTimer;
    builders.push([name, state]);
    if (memo) {
      const accepted = lastGood.get(name);
      if (!failed && digest !== undefined && given && detail.watchFile.status === "accepted" && accepted) {
        memo.remember({ factory, file: given.file, digest, detail, state, lastGood: accepted });
      } else memo.forget(name);
    }
  }
  onProgress?.(factories.size, factories.size);
  memo?.keepOnly(new Set(factories.keys()));

  for (const [name, file] of input.watchFiles) {
    if (factories.has(name)) continue;
    problems.push({ level: "warning", file: file.file, message: `watch file for ${quoteValue(name)}, a builder in no manifest: ignored` });
  }

  builders.sort(([a], [b]) => compareText(a, b));
  // kept by the memo across merges: only the builders merged again are counted again
  const tally = memo?.pollers ?? new PollerTally();
  tally.update(details);
  const pollers = tally.pollers();
  const mixed = tally.mixedUrls();
  if (mixed.length > 0) problems.push(...mixedKinds(details, new Set(mixed)));
  const sorted = stateProblems(problems);
  // built in canonical key order and sorted: rendered once, for the fingerprint and the file
  const builderMap = Object.fromEntries(builders);
  const { lines, fingerprint } = renderCanonical(pollers, builderMap);
  const state: State = { schema: STATE_SCHEMA_ID, fingerprint, pollers, builders: builderMap, problems: sorted };
  rememberRendering(state, { ...lines, problems: sorted.map(problemLine) }, fingerprint);
  return { state, lastGood, problems: sorted, details };
}

/** A listed file read now (without a copy when the lister offers it). */
function readNow(given: WatchFileInput | undefined): Exclude<WatchFileInput, { read: unknown }> | undefined {
  while (given && "read" in given) given = given.peek ? given.peek() : given.read();
  return given;
}

/** The warning for each URL watched as several VCS kinds, naming the builders of each kind. */
function mixedKinds(details: Map<string, BuilderDetail>, urls: ReadonlySet<string>): Problem[] {
  const mixed = new Map<string, Map<Vcs, Set<string>>>();
  for (const url of urls) mixed.set(url, new Map());
  for (const detail of details.values()) {
    for (const watch of detail.watches) {
      const byKind = mixed.get(watch.url);
      if (!byKind) continue;
      let names = byKind.get(watch.vcs);
      if (!names) byKind.set(watch.vcs, (names = new Set()));
      names.add(detail.name);
    }
  }
  const problems: Problem[] = [];
  for (const [url, byKind] of mixed) {
    const parts = [...byKind]
      .sort(([a], [b]) => compareText(a, b))
      .map(
        ([vcs, names]) =>
          `${vcs} by ${[...names]
            .sort(compareText)
            .map((n) => quoteValue(n))
            .join(", ")}`,
      );
    problems.push({ level: "warning", message: `${quoteValue(url)} is watched as ${parts.join(" and as ")}: one poller for each` });
  }
  return problems;
}

class BuilderContext {
  readonly problems: Problem[] = [];
  private watchFile: WatchFileStatus;

  constructor(
    private readonly factory: BuildFactory,
    private readonly input: MergeInput,
    /** This builder's entry of `input.watchFiles` (perhaps read already). */
    private readonly given: WatchFileInput | undefined,
    private readonly policy: MergePolicy,
    private readonly checks: Checks,
    private readonly lastGood: Map<string, LastGoodEntry>,
    private readonly today: string,
    /** Keep each watch's reasons (for `explain`); without, a builder's auto watches share one reason. */
    private readonly explain: boolean,
  ) {
    this.watchFile = { status: "missing", file: given?.file ?? watchFileNameFor(factory.name) };
  }

  problem(level: ProblemLevel, message: string, where: { file?: string; line?: number } = {}): void {
    const problem: Problem = { level, builder: this.factory.name, message };
    if (where.file !== undefined) problem.file = where.file;
    if (where.line !== undefined) problem.line = where.line;
    this.problems.push(problem);
  }

  failed(): BuilderDetail {
    return this.detail(this.factory.schedule, []);
  }

  run(): BuilderDetail {
    const { factory } = this;
    if (!factory.schedule) {
      if (this.given && !("missing" in this.given)) {
        this.watchFile = { status: "ignored", file: this.watchFile.file, reason: "`watch =` is empty" };
      }
      return this.detail(false, []);
    }
    const candidates = [...this.buildoutCandidates(), ...this.manualCandidates(), ...this.autoCandidates()];
    return this.detail(true, this.settle(candidates));
  }

  private detail(schedule: boolean, watches: ExplainedWatch[]): BuilderDetail {
    const { factory } = this;
    return {
      name: factory.name,
      file: factory.file,
      line: factory.line,
      schedule,
      autoWatch: schedule && factory.autoWatch,
      watchFile: this.watchFile,
      watches,
      problems: this.problems,
    };
  }

  private buildoutCandidates(): Candidate[] {
    const self = this.factory.buildout?.self;
    if (!self) return [];
    const origin = this.factory.optionOrigins.buildout;
    const reason: WatchReason = { kind: "buildout", file: origin?.file ?? this.factory.file };
    if (origin) reason.line = origin.line;
    const candidate = this.candidate(self.vcs, self.url, self.branch, "buildout", reason);
    if (typeof candidate === "string") {
      this.problem("error", `buildout location refused: ${candidate}`, { file: reason.file, line: reason.line });
      return [];
    }
    return [candidate];
  }

  private manualCandidates(): Candidate[] {
    const result: Candidate[] = [];
    for (const watch of this.factory.watches) {
      const candidate = this.candidate(watch.vcs, watch.url, watch.branch, "manual", { kind: "manual", file: watch.file, line: watch.line });
      if (typeof candidate === "string") this.problem("error", `watch line refused: ${candidate}`, watch);
      else result.push(candidate);
    }
    return result;
  }

  private autoCandidates(): Candidate[] {
    const { factory } = this;
    const file = this.watchFile.file;
    if (!factory.autoWatch) {
      if (this.given && !("missing" in this.given)) this.watchFile = { status: "ignored", file, reason: "auto-watch is off" };
      return [];
    }
    // read only now, and dropped once parsed: a farm's files are never all in memory
    const given = readNow(this.given);
    if (!given || "missing" in given) return this.missingFile();
    if ("error" in given) return this.rejectFile(given.error);
    const parsed = parseWatchFile(given.bytes, { maxBytes: this.policy.maxBytes, maxEntries: this.policy.maxEntries, builder: factory.name, file });
    if (!parsed.ok) {
      const [first, ...more] = parsed.problems;
      const reason = `${first?.message ?? "not a valid watch file"}${more.length > 0 ? ` (and ${more.length} more problems)` : ""}`;
      return this.rejectFile(reason, first?.line);
    }
    this.problems.push(...parsed.warnings);
    const named = parsed.value.builder;
    if (named !== undefined && named !== factory.name) {
      return this.rejectFile(`the file names builder ${quoteValue(named)}, not this one`);
    }
    const accepted: AutoEntry[] = [];
    const candidates: Candidate[] = [];
    const refused: string[] = [];
    const hostile: string[] = [];
    const watches = parsed.value.watches;
    for (let index = 0; index < watches.length; index++) {
      const raw = watches[index]!;
      const entry = autoEntry(raw.vcs, raw.url, raw.revspec, raw.origin);
      const candidate = this.autoCandidate(entry, file);
      if ("refused" in candidate) {
        (candidate.security ? hostile : refused).push(`watches[${index}] refused: ${candidate.refused}`);
        continue;
      }
      accepted.push(this.checks.keptEntry(entry, candidate));
      candidates.push(candidate);
    }
    if (hostile.length > 0) {
      // one hostile entry and the worker is not trusted: none of its entries counts, and the
      // file never becomes the last good one (operator policy refusals alone do not do that)
      for (const message of hostile) this.problem("error", message, { file });
      const shown = hostile.slice(0, 3).join("; ");
      const more = hostile.length > 3 ? `; and ${hostile.length - 3} more` : "";
      return this.rejectFile(
        `file distrusted: ${hostile.length} of ${watches.length} ${watches.length === 1 ? "entry" : "entries"} refused for security reasons (${shown}${more})`,
      );
    }
    for (const message of refused) this.problem("error", message, { file });
    this.watchFile = { status: "accepted", file };
    this.lastGood.set(factory.name, { date: this.today, watches: accepted });
    return candidates;
  }

  private rejectFile(reason: string, line?: number): Candidate[] {
    const file = this.watchFile.file;
    const previous = this.storedLastGood();
    if (!previous) {
      this.watchFile = { status: "rejected", file, reason };
      this.problem("error", `${reason}: no earlier good watch file, no auto watches`, { file, line });
      return [];
    }
    this.watchFile = { status: "rejected", file, reason, lastGood: previous.date };
    this.problem("error", `${reason}: last good watches from ${previous.date} kept`, { file, line });
    return this.lastGoodCandidates(previous);
  }

  /**
   * No watch file: not uploaded yet, or deleted after it was merged. A builder with last good
   * watches keeps them (a deleted file never unwatches silently), with a warning naming the file.
   */
  private missingFile(): Candidate[] {
    const file = this.watchFile.file;
    const previous = this.storedLastGood();
    if (!previous) {
      this.problem("info", "no watch file yet: only manual and buildout watches", { file });
      return [];
    }
    this.watchFile = { status: "missing", file, lastGood: previous.date };
    this.problem("warning", `watch file is gone (deleted after it was merged?): last good watches from ${previous.date} kept`, { file });
    return this.lastGoodCandidates(previous);
  }

  /** The store's last good watches of this builder, if usable (a damaged entry is reported). */
  private storedLastGood(): LastGoodEntry | undefined {
    const stored = this.input.lastGood?.get(this.factory.name);
    if (stored && "failure" in stored) {
      this.problem("warning", stored.failure, { file: stored.file });
      return undefined;
    }
    return stored;
  }

  private lastGoodCandidates(previous: LastGoodEntry): Candidate[] {
    const file = this.watchFile.file;
    this.lastGood.set(this.factory.name, previous);
    const candidates: Candidate[] = [];
    for (const entry of previous.watches) {
      // the policy may have changed since: last good watches are checked again
      const candidate = this.autoCandidate(entry, file, previous.date);
      if ("refused" in candidate) this.problem("error", `last good entry refused: ${candidate.refused}`, { file });
      else candidates.push(candidate);
    }
    return candidates;
  }

  /**
   * An entry a worker sent, checked: refused for security (`candidate`'s checks: option
   * injection, transport helpers, control characters, bad ref names, hosts starting with `-`)
   * or by the operator's policy (`--allow-host`, `--allow-scheme`).
   */
  private autoCandidate(entry: AutoEntry, watchFile: string, lastGood?: string): Candidate | { refused: string; security: boolean } {
    const candidate = this.candidate(entry.vcs, entry.url, entry.branch, "auto", this.autoReason(entry, watchFile, lastGood));
    if (typeof candidate === "string") return { refused: candidate, security: true };
    const refused = this.checks.policyProblem(candidate);
    return refused === undefined ? candidate : { refused, security: false };
  }

  private sharedReason?: WatchReason;

  private autoReason(entry: AutoEntry, watchFile: string, lastGood?: string): WatchReason {
    // problems about an auto watch name only its watch file: without explain, one object serves all
    if (!this.explain && this.sharedReason) return this.sharedReason;
    const reason: WatchReason = { kind: "auto", watchFile };
    if (lastGood) reason.lastGood = lastGood;
    if (!this.explain) return (this.sharedReason = reason);
    if (entry.origin) reason.origin = entry.origin;
    return reason;
  }

  /** Checks that hold for every source, trusted or not: nothing here may inject options. */
  private candidate(vcs: string, url: string, branch: string, source: WatchSource, reason: WatchReason): Candidate | string {
    if (!VCS_KINDS.has(vcs)) return `unknown VCS ${quoteValue(vcs)}`;
    const kind = vcs as Vcs;
    const checks = this.checks;
    // the interned string: every later map lookup on it is a pointer comparison
    const sent = checks.url(url);
    if (sent.problem) return `${sent.problem}: ${quoteValue(url)}`;
    // unrewritten, it is `sent`, checked just above
    const rewritten = checks.rewrite(kind, sent);
    if (rewritten.problem) return `rewritten URL refused (${rewritten.problem}): ${quoteValue(rewritten.url)}`;
    const plain = kind === "bzr" || kind === "svn";
    let effectiveBranch = "";
    if (!plain) {
      const checked = checks.branch(branch);
      if (checked.problem) return `${checked.problem}: ${quoteValue(branch)}`;
      effectiveBranch = checked.name;
    }
    return { vcs: kind, original: sent.url, url: rewritten.url, branch: effectiveBranch, source, reason };
  }

  /**
   * One kind of VCS per URL (buildout beats manual beats auto), buildout-self beats a
   * manual line naming its URL on another branch, and duplicates collapse.
   */
  private settle(candidates: Candidate[]): ExplainedWatch[] {
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
    const kept = mixed || selfWatch ? this.dropConflicts(candidates, winners, selfWatch) : candidates;
    // the common case, every URL once: each candidate is a watch of its own
    const watches = winners.size === kept.length ? kept.map((candidate) => soleWatch(candidate, this.explain)) : mergeDuplicates(kept, this.explain);
    // without reasons, a watch is its fields only: builders watching the same branch share one
    if (!this.explain) for (let index = 0; index < watches.length; index++) watches[index] = this.checks.explainedWatch(watches[index]!);
    return watches.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url) || compareText(a.branch, b.branch));
  }

  /** Drops the candidates that lose their URL to another VCS, and manual lines contradicting buildout-self. */
  private dropConflicts(candidates: Candidate[], winners: Map<string, Candidate>, selfWatch: Candidate | undefined): Candidate[] {
    const kept: Candidate[] = [];
    const reported = new Set<string>();
    for (const candidate of candidates) {
      const winner = winners.get(candidate.url)!;
      if (candidate.vcs !== winner.vcs) {
        const key = `${candidate.url}\u0000${candidate.vcs}\u0000${candidate.source}`;
        if (!reported.has(key)) {
          reported.add(key);
          this.problem(
            "warning",
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
        this.problem(
          "warning",
          `watch line names the buildout's own repository ${quoteValue(candidate.url)} on branch ${quoteValue(candidate.branch)}, but the buildout is on ${quoteValue(selfWatch.branch)}: line dropped`,
          whereOf(candidate.reason),
        );
        continue;
      }
      kept.push(candidate);
    }
    return kept;
  }
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

function whereOf(reason: WatchReason): { file?: string; line?: number } {
  if (reason.kind === "auto") return { file: reason.watchFile };
  return { file: reason.file, line: reason.line };
}

const VCS_KINDS: ReadonlySet<string> = new Set(vcsSchema.options);

function listFor<T>(lists: Map<string, T[]>, key: string): T[] {
  let list = lists.get(key);
  if (list === undefined) lists.set(key, (list = []));
  return list;
}

/** A memoised "no problem" (undefined means "not computed yet"). */
const NONE = null;

/** What the checks found about one distinct URL, computed once per merge. */
interface UrlFacts {
  /** The first string seen with this text: shared by every watch naming the URL. */
  url: string;
  problem: string | undefined;
  location?: Location;
  rewritten?: UrlFacts;
  rewrittenBzr?: UrlFacts;
  /** The policy's verdict when the URL is not rewritten (null: allowed). */
  policy?: string | null;
}

interface BranchFacts {
  name: string;
  problem: string | undefined;
}

/**
 * The per-URL and per-branch checks of one merge, memoised: the same few hundred
 * repositories come back in thousands of watch files, and every check is a pure function.
 * Each distinct URL and branch is also interned (one string for all its watches), which
 * makes the merge's maps compare pointers and keeps one copy of each in the state.
 */
class Checks {
  private readonly urls = new Map<string, UrlFacts>();
  private readonly branches = new Map<string, BranchFacts>();
  private readonly rewrittenPolicies = new Map<string, string | null>();
  private readonly schemes: ReadonlySet<string>;
  private readonly hosts: ReadonlySet<string>;

  constructor(
    private readonly policy: MergePolicy,
    private readonly rules: readonly RewriteRule[],
  ) {
    this.schemes = new Set(policy.allowSchemes.map((s) => s.toLowerCase()));
    this.hosts = new Set(policy.allowHosts.map((h) => h.toLowerCase()));
  }

  /**
   * An accepted entry as the merge keeps it (last good watches, a memo across merges): the
   * interned strings of its candidate, and one shared origin per distinct file and line (only
   * those are ever stored or shown), not the parsed file's own copies.
   */
  keptEntry(entry: AutoEntry, candidate: Candidate): AutoEntry {
    const kept: AutoEntry = { vcs: candidate.vcs, url: candidate.original, branch: candidate.branch };
    if (entry.origin) kept.origin = this.origin(entry.origin);
    return kept;
  }

  /**
   * One object for equal watches across builders (10,000 builders watch a few thousand
   * distinct branches): what a farm's state and a memo keep is that much smaller. The strings
   * and `from` lists are interned already, so fields compare by identity; a URL has a handful
   * of variants, looked through in a short list.
   */
  stateWatch(watch: ExplainedWatch): BuilderState["watches"][number] {
    const { vcs, url, branch, from } = watch;
    const variants = listFor(this.stateWatches, url);
    const known = variants.find((w) => w.branch === branch && w.vcs === vcs && w.from === from);
    if (known) return known;
    const made = { vcs, url, branch, from };
    variants.push(made);
    return made;
  }

  /** The same for a settled watch without reasons (nothing in it is builder-specific). */
  explainedWatch(watch: ExplainedWatch): ExplainedWatch {
    const variants = listFor(this.explainedWatches, watch.url);
    const known = variants.find((w) => w.branch === watch.branch && w.original === watch.original && w.vcs === watch.vcs && w.from === watch.from);
    if (known) return known;
    variants.push(watch);
    return watch;
  }

  private readonly stateWatches = new Map<string, BuilderState["watches"]>();
  private readonly explainedWatches = new Map<string, ExplainedWatch[]>();

  private readonly origins = new Map<string, Map<number | undefined, Origin>>();

  private origin({ file, line }: Origin): Origin {
    let byLine = this.origins.get(file);
    if (byLine === undefined) this.origins.set(file, (byLine = new Map()));
    let origin = byLine.get(line);
    if (origin === undefined) byLine.set(line, (origin = keptOrigin({ file, line })));
    return origin;
  }

  url(url: string): UrlFacts {
    let facts = this.urls.get(url);
    if (facts === undefined) this.urls.set(url, (facts = { url, problem: locationProblem(url) }));
    return facts;
  }

  branch(name: string): BranchFacts {
    let facts = this.branches.get(name);
    if (facts === undefined) this.branches.set(name, (facts = { name, problem: branchNameProblem(name) }));
    return facts;
  }

  rewrite(vcs: Vcs, sent: UrlFacts): UrlFacts {
    // without rules only bzr `lp:` locations change
    if (this.rules.length === 0 && vcs !== "bzr") return sent;
    if (vcs === "bzr") return (sent.rewrittenBzr ??= this.url(rewriteUrl(vcs, sent.url, this.rules)));
    return (sent.rewritten ??= this.url(rewriteUrl(vcs, sent.url, this.rules)));
  }

  /** `--allow-host` / `--allow-scheme`: satisfied by the URL the worker sent or by its rewritten form. */
  policyProblem(candidate: Candidate): string | undefined {
    const sent = this.url(candidate.original);
    if (candidate.url === candidate.original) {
      if (sent.policy === undefined) sent.policy = this.computePolicyProblem(sent, sent) ?? NONE;
      return sent.policy ?? undefined;
    }
    // the verdict depends on the two URLs only: one computation per distinct pair
    const key = `${candidate.original}\u0000${candidate.url}`;
    let known = this.rewrittenPolicies.get(key);
    if (known === undefined) this.rewrittenPolicies.set(key, (known = this.computePolicyProblem(sent, this.url(candidate.url)) ?? NONE));
    return known ?? undefined;
  }

  private computePolicyProblem(sent: UrlFacts, polled: UrlFacts): string | undefined {
    const forms = sent === polled ? [this.location(sent)] : [this.location(sent), this.location(polled)];
    const original = forms[0]!;
    if (!forms.some((form) => this.schemes.has(form.scheme))) {
      return `scheme ${quoteValue(original.scheme)} not allowed: ${quoteValue(sent.url)}`;
    }
    if (this.policy.allowHosts.length > 0) {
      if (!forms.some((form) => form.host !== "" && this.hosts.has(form.host))) {
        return `host ${quoteValue(original.host)} not allowed: ${quoteValue(sent.url)}`;
      }
    }
    return undefined;
  }

  private location(facts: UrlFacts): Location {
    return (facts.location ??= parseLocation(facts.url));
  }
}
