// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { parseWatchFile, type Problem, type ProblemCode, type ProblemLevel } from "@autowatch/watchfile";
import { makeProblem, quoteValue, watchFileNameFor } from "@autowatch/watchfile/text";
import { autoEntry, type AutoEntry } from "./decode.js";
import { isRefusal, type Candidate, type Checks } from "./checks.js";
import type { Refusal } from "./location.js";
import { settle, type Where } from "./settle.js";
import type {
  BuilderDetail,
  ExplainedWatch,
  LastGoodEntry,
  LastGoodSource,
  MergeFactory,
  MergePolicy,
  PeekableWatchFile,
  WatchFileInput,
  WatchFileStatus,
  WatchReason,
} from "./types.js";

/** What the builders of one farm merge share. */
export interface FarmContext {
  policy: MergePolicy;
  checks: Checks;
  /** The last-good store, asked only for builders whose watch file is missing or rejected. */
  stored: LastGoodSource | undefined;
  /** This merge's last good watches, filled in builder by builder. */
  lastGood: Map<string, LastGoodEntry>;
  /** The day last good entries are dated with. */
  today: string;
  /** Keep each watch's reasons (for `explain`); without, a builder's auto watches share one reason. */
  explain: boolean;
}

/** A listed file read now (without a copy when the lister offers it). */
export function readNow(given: WatchFileInput | undefined): Exclude<WatchFileInput, { read: unknown }> | undefined {
  while (given && "read" in given) given = "peek" in given ? (given as PeekableWatchFile).peek() : given.read();
  return given;
}

/** One builder's merge: its candidates from buildout-self, manual lines and watch file, settled. */
export class BuilderContext {
  readonly problems: Problem[] = [];
  private watchFile: WatchFileStatus;
  private sharedReason?: WatchReason;

  constructor(
    private readonly farm: FarmContext,
    private readonly factory: MergeFactory,
    /** This builder's entry of the merge's watch files (perhaps read already). */
    private readonly given: WatchFileInput | undefined,
  ) {
    this.watchFile = { status: "missing", file: given?.file ?? watchFileNameFor(factory.name) };
  }

  problem(level: ProblemLevel, code: ProblemCode, message: string, where: Where = {}): void {
    this.problems.push(makeProblem(level, code, message, { builder: this.factory.name, file: where.file, line: where.line }));
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
    const warn = (code: ProblemCode, message: string, where: Where): void => this.problem("warning", code, message, where);
    return this.detail(true, settle(candidates, { explain: this.farm.explain, checks: this.farm.checks, warn }));
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
    const self = this.factory.buildoutSelf;
    if (!self) return [];
    const reason: WatchReason = { kind: "buildout", file: self.file };
    if (self.line !== undefined) reason.line = self.line;
    const candidate = this.farm.checks.candidate(self.vcs, self.url, self.branch, "buildout", reason);
    if (isRefusal(candidate)) {
      this.problem("error", candidate.code, `buildout location refused: ${candidate.message}`, { file: reason.file, line: reason.line });
      return [];
    }
    return [candidate];
  }

  private manualCandidates(): Candidate[] {
    const result: Candidate[] = [];
    for (const watch of this.factory.watches) {
      const candidate = this.farm.checks.candidate(watch.vcs, watch.url, watch.branch, "manual", { kind: "manual", file: watch.file, line: watch.line });
      if (isRefusal(candidate)) this.problem("error", candidate.code, `watch line refused: ${candidate.message}`, watch);
      else result.push(candidate);
    }
    return result;
  }

  private autoCandidates(): Candidate[] {
    const { factory, farm } = this;
    const file = this.watchFile.file;
    if (!factory.autoWatch) {
      if (this.given && !("missing" in this.given)) this.watchFile = { status: "ignored", file, reason: "auto-watch is off" };
      return [];
    }
    // read only now, and dropped once parsed: a farm's files are never all in memory
    const given = readNow(this.given);
    if (!given || "missing" in given) return this.missingFile();
    if ("error" in given) return this.rejectFile(given.code, given.error);
    const parsed = parseWatchFile(given.bytes, { maxBytes: farm.policy.maxBytes, maxEntries: farm.policy.maxEntries, builder: factory.name, file });
    if (!parsed.ok) {
      const [first, ...more] = parsed.problems;
      const reason = `${first?.message ?? "not a valid watch file"}${more.length > 0 ? ` (and ${more.length} more problems)` : ""}`;
      return this.rejectFile(first?.code ?? "watchfile.internal", reason, first?.line);
    }
    this.problems.push(...parsed.warnings);
    const named = parsed.value.builder;
    if (named !== undefined && named !== factory.name) {
      return this.rejectFile("merge.watchfile.builder", `the file names builder ${quoteValue(named)}, not this one`);
    }
    const entries = parsed.value.watches.map((raw) => autoEntry(raw.vcs, raw.url, raw.revspec, raw.origin));
    return this.acceptFile(entries);
  }

  /** A watch file that parsed: its entries checked one by one, unless one is hostile. */
  private acceptFile(entries: AutoEntry[]): Candidate[] {
    const file = this.watchFile.file;
    const accepted: AutoEntry[] = [];
    const candidates: Candidate[] = [];
    const refused: Refusal[] = [];
    const hostile: Refusal[] = [];
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]!;
      const candidate = this.autoCandidate(entry, file);
      if ("refused" in candidate) {
        const { code, message } = candidate.refused;
        (candidate.security ? hostile : refused).push({ code, message: `watches[${index}] refused: ${message}` });
        continue;
      }
      accepted.push(this.farm.checks.keptEntry(entry, candidate));
      candidates.push(candidate);
    }
    if (hostile.length > 0) {
      // one hostile entry and the worker is not trusted: none of its entries counts, and the
      // file never becomes the last good one (operator policy refusals alone do not do that)
      for (const { code, message } of hostile) this.problem("error", code, message, { file });
      const shown = hostile
        .slice(0, 3)
        .map((refusal) => refusal.message)
        .join("; ");
      const more = hostile.length > 3 ? `; and ${hostile.length - 3} more` : "";
      const count = `${hostile.length} of ${entries.length} ${entries.length === 1 ? "entry" : "entries"}`;
      return this.rejectFile("merge.watchfile.distrusted", `file distrusted: ${count} refused for security reasons (${shown}${more})`);
    }
    for (const { code, message } of refused) this.problem("error", code, message, { file });
    this.watchFile = { status: "accepted", file };
    this.farm.lastGood.set(this.factory.name, { date: this.farm.today, watches: accepted });
    return candidates;
  }

  /** A watch file refused whole: `code` says why (the reason's own code), the last good watches stand in. */
  private rejectFile(code: ProblemCode, reason: string, line?: number): Candidate[] {
    const file = this.watchFile.file;
    const previous = this.storedLastGood();
    if (!previous) {
      this.watchFile = { status: "rejected", file, reason };
      this.problem("error", code, `${reason}: no earlier good watch file, no auto watches`, { file, line });
      return [];
    }
    this.watchFile = { status: "rejected", file, reason, lastGood: previous.date };
    this.problem("error", code, `${reason}: last good watches from ${previous.date} kept`, { file, line });
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
      this.problem("info", "merge.watchfile.missing", "no watch file yet: only manual and buildout watches", { file });
      return [];
    }
    this.watchFile = { status: "missing", file, lastGood: previous.date };
    this.problem("warning", "merge.watchfile.gone", `watch file is gone (deleted after it was merged?): last good watches from ${previous.date} kept`, {
      file,
    });
    return this.lastGoodCandidates(previous);
  }

  /** The store's last good watches of this builder, if usable (a damaged entry is reported). */
  private storedLastGood(): LastGoodEntry | undefined {
    const stored = this.farm.stored?.get(this.factory.name);
    if (stored && "failure" in stored) {
      this.problem("warning", stored.code, stored.failure, { file: stored.file });
      return undefined;
    }
    return stored;
  }

  private lastGoodCandidates(previous: LastGoodEntry): Candidate[] {
    const file = this.watchFile.file;
    this.farm.lastGood.set(this.factory.name, previous);
    const candidates: Candidate[] = [];
    for (const entry of previous.watches) {
      // the policy may have changed since: last good watches are checked again
      const candidate = this.autoCandidate(entry, file, previous.date);
      if ("refused" in candidate) this.problem("error", candidate.refused.code, `last good entry refused: ${candidate.refused.message}`, { file });
      else candidates.push(candidate);
    }
    return candidates;
  }

  /**
   * An entry a worker sent, checked: refused for security (the checks every source passes) or
   * by the operator's policy (`--allow-host`, `--allow-scheme`).
   */
  private autoCandidate(entry: AutoEntry, watchFile: string, lastGood?: string): Candidate | { refused: Refusal; security: boolean } {
    const candidate = this.farm.checks.candidate(entry.vcs, entry.url, entry.branch, "auto", this.autoReason(entry, watchFile, lastGood));
    if (isRefusal(candidate)) return { refused: candidate, security: true };
    const refused = this.farm.checks.policyProblem(candidate);
    return refused === undefined ? candidate : { refused, security: false };
  }

  private autoReason(entry: AutoEntry, watchFile: string, lastGood?: string): WatchReason {
    // problems about an auto watch name only its watch file: without explain, one object serves all
    if (!this.farm.explain && this.sharedReason) return this.sharedReason;
    const reason: WatchReason = { kind: "auto", watchFile };
    if (lastGood) reason.lastGood = lastGood;
    if (!this.farm.explain) return (this.sharedReason = reason);
    if (entry.origin) reason.origin = entry.origin;
    return reason;
  }
}
