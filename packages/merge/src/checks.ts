// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { vcsSchema, type BuilderState, type Problem, type Vcs, type WatchSource } from "@autowatch/watchfile";
import { quoteValue, compareText, makeProblem } from "@autowatch/watchfile/text";
import { keptOrigin, type AutoEntry } from "./decode.js";
import { locationProblem, parseLocation, type Location, type Refusal } from "./location.js";
import { branchNameProblem } from "./refname.js";
import { rewriteUrl, type RewriteRule } from "./rewrite.js";
import type { ExplainedWatch, MergePolicy, WatchReason } from "./types.js";

/** A watch that passed the checks, before conflicts between sources are settled. */
export interface Candidate {
  vcs: Vcs;
  original: string;
  url: string;
  branch: string;
  source: WatchSource;
  reason: WatchReason;
}

const VCS_KINDS: ReadonlySet<string> = new Set(vcsSchema.options);

/** A memoised "no problem" (undefined means "not computed yet"). */
const NONE = null;

/** What the checks found about one distinct URL, computed once per merge. */
interface UrlFacts {
  /** The first string seen with this text: shared by every watch naming the URL. */
  url: string;
  problem: Refusal | undefined;
  location?: Location;
  rewritten?: UrlFacts;
  rewrittenBzr?: UrlFacts;
  /** The policy's verdict when the URL is not rewritten (null: allowed). */
  policy?: Refusal | null;
}

interface BranchFacts {
  name: string;
  problem: Refusal | undefined;
}

/** A candidate or why it is refused. */
export function isRefusal(checked: Candidate | Refusal): checked is Refusal {
  return "code" in checked;
}

function listFor<T>(lists: Map<string, T[]>, key: string): T[] {
  let list = lists.get(key);
  if (list === undefined) lists.set(key, (list = []));
  return list;
}

/**
 * The per-URL and per-branch checks of one merge, memoised: the same few hundred
 * repositories come back in thousands of watch files, and every check is a pure function.
 * Each distinct URL and branch is also interned (one string for all its watches), which
 * makes the merge's maps compare pointers and keeps one copy of each in the state. The
 * interning here and in settle.ts pays only where builders are merged afresh (a merge
 * without a usable cache, the start of `--follow`), and there it does: at 10,000 builders
 * the first `--follow` merge peaks at 246 MiB with it, 295 MiB without (strings +10 MiB,
 * settled watches +9, state watches and source lists the rest).
 */
export class Checks {
  private readonly urls = new Map<string, UrlFacts>();
  private readonly branches = new Map<string, BranchFacts>();
  private readonly rewrittenPolicies = new Map<string, Refusal | null>();
  private readonly schemes: ReadonlySet<string>;
  private readonly hosts: ReadonlySet<string>;
  private readonly stateWatches = new Map<string, BuilderState["watches"]>();
  private readonly explainedWatches = new Map<string, ExplainedWatch[]>();

  constructor(
    private readonly policy: MergePolicy,
    private readonly rules: readonly RewriteRule[],
  ) {
    this.schemes = new Set(policy.allowSchemes.map((s) => s.toLowerCase()));
    this.hosts = new Set(policy.allowHosts.map((h) => h.toLowerCase()));
  }

  /**
   * The checks that hold for every source, trusted or not: nothing here may inject options
   * (option injection, transport helpers, control characters, bad ref names, hosts starting
   * with `-`). A refusal says why the watch is refused.
   */
  candidate(vcs: string, url: string, branch: string, source: WatchSource, reason: WatchReason): Candidate | Refusal {
    if (!VCS_KINDS.has(vcs)) return { code: "merge.source.vcs", message: `unknown VCS ${quoteValue(vcs)}` };
    const kind = vcs as Vcs;
    // the interned string: every later map lookup on it is a pointer comparison
    const sent = this.url(url);
    if (sent.problem) return { code: sent.problem.code, message: `${sent.problem.message}: ${quoteValue(url)}` };
    // unrewritten, it is `sent`, checked just above
    const rewritten = this.rewrite(kind, sent);
    if (rewritten.problem)
      return { code: "merge.url.rewritten", message: `rewritten URL refused (${rewritten.problem.message}): ${quoteValue(rewritten.url)}` };
    const plain = kind === "bzr" || kind === "svn";
    let effectiveBranch = "";
    if (!plain) {
      const checked = this.branch(branch);
      if (checked.problem) return { code: checked.problem.code, message: `${checked.problem.message}: ${quoteValue(branch)}` };
      effectiveBranch = checked.name;
    }
    return { vcs: kind, original: sent.url, url: rewritten.url, branch: effectiveBranch, source, reason };
  }

  /**
   * An accepted entry as the merge keeps it (last good watches): the interned strings of its
   * candidate and the origin's file and line (only those are ever stored or shown), not the
   * parsed file's own copies.
   */
  keptEntry(entry: AutoEntry, candidate: Candidate): AutoEntry {
    const kept: AutoEntry = { vcs: candidate.vcs, url: candidate.original, branch: candidate.branch };
    if (entry.origin) kept.origin = keptOrigin(entry.origin);
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

  /** `--allow-host` / `--allow-scheme`: satisfied by the URL the worker sent or by its rewritten form. */
  policyProblem(candidate: Candidate): Refusal | undefined {
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

  private url(url: string): UrlFacts {
    let facts = this.urls.get(url);
    if (facts === undefined) this.urls.set(url, (facts = { url, problem: locationProblem(url) }));
    return facts;
  }

  private branch(name: string): BranchFacts {
    let facts = this.branches.get(name);
    if (facts === undefined) this.branches.set(name, (facts = { name, problem: branchNameProblem(name) }));
    return facts;
  }

  private rewrite(vcs: Vcs, sent: UrlFacts): UrlFacts {
    // without rules only bzr `lp:` locations change
    if (this.rules.length === 0 && vcs !== "bzr") return sent;
    if (vcs === "bzr") return (sent.rewrittenBzr ??= this.url(rewriteUrl(vcs, sent.url, this.rules)));
    return (sent.rewritten ??= this.url(rewriteUrl(vcs, sent.url, this.rules)));
  }

  private computePolicyProblem(sent: UrlFacts, polled: UrlFacts): Refusal | undefined {
    const forms = sent === polled ? [this.location(sent)] : [this.location(sent), this.location(polled)];
    const original = forms[0]!;
    if (!forms.some((form) => this.schemes.has(form.scheme))) {
      return { code: "merge.policy.scheme", message: `scheme ${quoteValue(original.scheme)} not allowed: ${quoteValue(sent.url)}` };
    }
    if (this.policy.allowHosts.length > 0) {
      if (!forms.some((form) => form.host !== "" && this.hosts.has(form.host))) {
        return { code: "merge.policy.host", message: `host ${quoteValue(original.host)} not allowed: ${quoteValue(sent.url)}` };
      }
    }
    return undefined;
  }

  private location(facts: UrlFacts): Location {
    return (facts.location ??= parseLocation(facts.url));
  }
}

/** The warning for each URL watched as several VCS kinds across the farm, naming the builders of each kind. */
export function mixedKinds(builders: Iterable<{ name: string; watches: readonly { url: string; vcs: Vcs }[] }>, urls: ReadonlySet<string>): Problem[] {
  const mixed = new Map<string, Map<Vcs, Set<string>>>();
  for (const url of urls) mixed.set(url, new Map());
  for (const detail of builders) {
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
    const parts = [...byKind].sort(([a], [b]) => compareText(a, b)).map(([vcs, names]) => `${vcs} by ${quotedNames(names)}`);
    problems.push(makeProblem("warning", "merge.url.mixed-vcs", `${mixedKindsPrefix(url)}${parts.join(" and as ")}: one poller for each`));
  }
  return problems;
}

/** How the warning for a URL watched as two VCS kinds starts (what a spliced merge finds it by). */
export function mixedKindsPrefix(url: string): string {
  return `${quoteValue(url)} is watched as `;
}

function quotedNames(names: Iterable<string>): string {
  return [...names]
    .sort(compareText)
    .map((name) => quoteValue(name))
    .join(", ");
}
