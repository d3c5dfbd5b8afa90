// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { Poller, Vcs } from "@autowatch/watchfile";
import { compareText } from "@autowatch/watchfile/text";
import { pollerWorkdir } from "./rewrite.js";
import type { ExplainedWatch } from "./types.js";

/** Every watch of one (URL, VCS kind) seen so far: what its poller is made of. */
interface Kind {
  vcs: Vcs;
  url: string;
  /** A scheduled builder watches it: the poller exists. */
  polled: boolean;
  originals: Set<string>;
  branches: Set<string>;
}

/**
 * Watches gathered per URL and VCS kind, into the pollers of a farm: one per (vcs, rewritten URL)
 * that a scheduled builder watches, with the union of branches; when several originals meet, the
 * smallest names it (its work directory).
 */
export class PollerKinds {
  private readonly byUrl = new Map<string, Map<Vcs, Kind>>();

  /** Adds a builder's watch; only a scheduled builder's makes a poller. */
  add(watch: Pick<ExplainedWatch, "vcs" | "url" | "original" | "branch">, scheduled: boolean): void {
    let kinds = this.byUrl.get(watch.url);
    if (kinds === undefined) this.byUrl.set(watch.url, (kinds = new Map()));
    let kind = kinds.get(watch.vcs);
    if (kind === undefined) kinds.set(watch.vcs, (kind = { vcs: watch.vcs, url: watch.url, polled: false, originals: new Set(), branches: new Set() }));
    if (!scheduled) return;
    kind.polled = true;
    kind.originals.add(watch.original);
    if (watch.branch !== "") kind.branches.add(watch.branch);
  }

  /** The pollers, sorted by vcs then URL. */
  pollers(): Poller[] {
    const pollers: Poller[] = [];
    for (const kinds of this.byUrl.values()) for (const kind of kinds.values()) if (kind.polled) pollers.push(pollerOf(kind));
    return pollers.sort(comparePollers);
  }

  /** URLs watched as more than one VCS kind. */
  mixedUrls(): string[] {
    const urls: string[] = [];
    for (const [url, kinds] of this.byUrl) if (kinds.size > 1) urls.push(url);
    return urls;
  }
}

/** The order of a state's pollers: by vcs, then URL. */
export function comparePollers(a: { vcs: string; url: string }, b: { vcs: string; url: string }): number {
  return compareText(a.vcs, b.vcs) || compareText(a.url, b.url);
}

function pollerOf(kind: Kind): Poller {
  let original: string | undefined;
  for (const candidate of kind.originals) if (original === undefined || compareText(candidate, original) < 0) original = candidate;
  const { vcs, url } = kind;
  return { vcs, url, original: original!, branches: [...kind.branches].sort(compareText), workdir: pollerWorkdir(vcs, original!) };
}
