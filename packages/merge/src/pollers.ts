// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { Poller, Vcs } from "@autowatch/watchfile";
import { compareText } from "@autowatch/watchfile/text";
import { pollerWorkdir } from "./rewrite.js";
import type { BuilderDetail, ExplainedWatch } from "./types.js";

/** Every watch of one (URL, VCS kind): what its poller is made of, counted so it can be taken back. */
interface KindTally {
  vcs: Vcs;
  url: string;
  /** Watches of any builder (for the mixed-kinds warning). */
  watched: number;
  /** Watches of scheduled builders: the poller exists while this is above 0. */
  polled: number;
  originals: Map<string, number>;
  branches: Map<string, number>;
  /** Built when first asked, dropped when a count changes. */
  poller?: Poller;
}

/**
 * The pollers of a farm, tallied builder by builder: one per (vcs, rewritten URL) of a
 * scheduled builder, with the union of branches; when several originals meet, the smallest
 * names it. A builder whose detail is the same object as last time is not counted again, so
 * a tally brought up to date costs what changed, not the whole farm.
 * Details are never mutated once made.
 */
export class PollerTally {
  private counted = new Map<string, BuilderDetail>();
  private byUrl = new Map<string, KindTally[]>();
  private sorted?: Poller[];

  /** Brings the tally to exactly these details. */
  update(details: ReadonlyMap<string, BuilderDetail>): void {
    try {
      for (const [name, detail] of this.counted) {
        if (details.get(name) !== detail) {
          this.count(detail, -1);
          this.counted.delete(name);
        }
      }
      for (const [name, detail] of details) {
        if (this.counted.has(name)) continue;
        this.count(detail, 1);
        this.counted.set(name, detail);
      }
    } catch (error) {
      // half counted is worse than nothing: the next update starts from zero
      this.reset();
      throw error;
    }
  }

  /** The pollers, sorted by vcs then URL (the same objects while nothing changed). */
  pollers(): Poller[] {
    if (this.sorted) return this.sorted;
    const pollers: Poller[] = [];
    for (const kinds of this.byUrl.values()) for (const kind of kinds) if (kind.polled > 0) pollers.push((kind.poller ??= pollerOf(kind)));
    return (this.sorted = pollers.sort((a, b) => compareText(a.vcs, b.vcs) || compareText(a.url, b.url)));
  }

  /** URLs watched as more than one VCS kind. */
  mixedUrls(): string[] {
    const urls: string[] = [];
    // kinds no builder watches any more are dropped as they reach 0
    for (const [url, kinds] of this.byUrl) if (kinds.length > 1) urls.push(url);
    return urls;
  }

  private reset(): void {
    this.counted = new Map();
    this.byUrl = new Map();
    this.sorted = undefined;
  }

  private count(detail: BuilderDetail, sign: 1 | -1): void {
    for (const watch of detail.watches) this.countWatch(watch, detail.schedule, sign);
  }

  private countWatch(watch: ExplainedWatch, scheduled: boolean, sign: 1 | -1): void {
    let kinds = this.byUrl.get(watch.url);
    if (kinds === undefined) this.byUrl.set(watch.url, (kinds = []));
    let kind = kinds.find((known) => known.vcs === watch.vcs);
    if (kind === undefined) {
      kind = { vcs: watch.vcs, url: watch.url, watched: 0, polled: 0, originals: new Map(), branches: new Map() };
      kinds.push(kind);
    }
    kind.watched += sign;
    if (scheduled) {
      kind.polled += sign;
      bump(kind.originals, watch.original, sign);
      if (watch.branch !== "") bump(kind.branches, watch.branch, sign);
      kind.poller = undefined;
      // a poller appeared, went or changed
      this.sorted = undefined;
    }
    if (kind.watched === 0) {
      kinds.splice(kinds.indexOf(kind), 1);
      if (kinds.length === 0) this.byUrl.delete(watch.url);
    }
  }
}

function bump(counts: Map<string, number>, key: string, sign: 1 | -1): void {
  const count = (counts.get(key) ?? 0) + sign;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}

function pollerOf(kind: KindTally): Poller {
  let original: string | undefined;
  for (const candidate of kind.originals.keys()) if (original === undefined || compareText(candidate, original) < 0) original = candidate;
  const { vcs, url } = kind;
  return { vcs, url, original: original!, branches: [...kind.branches.keys()].sort(compareText), workdir: pollerWorkdir(vcs, original!) };
}
