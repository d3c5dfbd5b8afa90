import type { PinReason, Vcs } from "@autowatch/watchfile";
import { quoteValue } from "@autowatch/watchfile/text";

/** Live: follows the branch `revspec` (a short name). Pinned: stays on `revspec` for `why`. */
export type Verdict = { live: true; revspec: string; note?: string } | { live: false; revspec: string; why: PinReason; note?: string };

/** @internal The verdicts' constructors (the package exports `classifyRevision` and `Verdict` only). */
export const live = (revspec: string, note?: string): Verdict => (note ? { live: true, revspec, note } : { live: true, revspec });
export const pinned = (revspec: string, why: PinReason, note?: string): Verdict => (note ? { live: false, revspec, why, note } : { live: false, revspec, why });

const GIT_SHA = /^[0-9a-f]{7,40}$/i;
const HG_NODE = /^[0-9a-f]{12,40}$/i;
const DECIMAL = /^[0-9]+$/;
const BZR_REVNO = /^[0-9]+(\.[0-9]+)*$/;

/** Git ref prefixes a buildout may spell out; watches use the short name. */
export function shortGitName(revision: string): string {
  return revision.replace(/^refs\/heads\//, "");
}

export function isGitSha(revision: string): boolean {
  return GIT_SHA.test(revision);
}

export function isHgNode(revision: string): boolean {
  return HG_NODE.test(revision);
}

/** The rules applied to the revision string alone (no checkout to look at). */
export function classifyRevision(vcs: Vcs, revision: string): Verdict {
  switch (vcs) {
    case "git":
      return classifyGitString(revision);
    case "hg":
      return classifyHgString(revision);
    case "bzr":
      return classifyBzr(revision);
    case "svn":
      return classifySvn(revision);
  }
}

function classifyGitString(revision: string): Verdict {
  if (revision.startsWith("refs/tags/")) return pinned(revision.slice("refs/tags/".length), "tag");
  if (isGitSha(revision)) return pinned(revision, "commit");
  return live(shortGitName(revision));
}

function classifyHgString(revision: string): Verdict {
  if (revision === "") return live("default");
  if (revision === "tip") return hgTip();
  if (isHgNode(revision)) return pinned(revision, "node");
  if (DECIMAL.test(revision)) return pinned(revision, "revision");
  return live(revision);
}

/** @internal `tip` is the newest changeset of any branch: it moves, but no poller follows it as such. */
export function hgTip(): Verdict {
  return live("default", 'hg revision "tip" follows the newest changeset of any branch; watching branch "default"');
}

/** bzr (string rules only, as the recipe's own notion of a fixed revision): the branch is the URL. */
export function classifyBzr(revision: string): Verdict {
  const spec = revision.trim();
  if (spec === "" || spec.startsWith("last:")) return live("");
  if (spec.startsWith("revid:")) return pinned(spec, "revid");
  if (spec.startsWith("tag:")) return pinned(spec, "tag");
  const revno = spec.startsWith("revno:") ? spec.slice("revno:".length) : spec;
  if (BZR_REVNO.test(revno)) return pinned(spec, "revision");
  return pinned(spec, "unknown", `bzr revision ${quoteValue(spec)} is neither last:N nor a fixed revision`);
}

export function classifySvn(revision: string): Verdict {
  const spec = revision.trim();
  if (spec === "" || spec === "HEAD" || spec === "head") return live("HEAD");
  if (DECIMAL.test(spec)) return pinned(spec, "revision");
  return pinned(spec, "unknown", `svn revision ${quoteValue(spec)} is neither HEAD nor a revision number`);
}
