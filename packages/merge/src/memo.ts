import { hash as oneShotHash } from "node:crypto";
import { ManifestMemo } from "@autowatch/manifest";
import type { IndexHead } from "./factoryindex.js";
import type { BuilderState } from "@autowatch/watchfile";
import type { StateLines } from "@autowatch/watchfile/text";
import { PollerTally } from "./pollers.js";
import type { RewriteRule } from "./rewrite.js";
import type { BuilderDetail, LastGoodEntry, MergeFactory, MergePolicy } from "./types.js";

/** What a builder's merge gave for one accepted watch file. */
interface BuilderMemo {
  /** What the merge read of the builder's factory (`factoryKey`). */
  factory: string;
  file: string;
  digest: string;
  detail: BuilderDetail;
  state: BuilderState;
  lastGood: LastGoodEntry;
}

/** The state file as a merge wrote it: not written again while its text and the file are unchanged. */
export interface WrittenState {
  file: string;
  lines: StateLines;
  size: number;
  /** sha256 (base64) of the bytes written. */
  digest: string;
}

/**
 * What one merge keeps for the next in the same process (`autowatch merge --follow`): a
 * builder whose factory (compared by value) and watch file bytes are unchanged, whose file was accepted,
 * and whose merge ran under the same policy, rules and day, gets the same result, so it is
 * not parsed and checked again. Every watch file is still read, and compared by content
 * (sha256), never by its time stamps. A rejected or missing file is always merged again: its
 * result depends on the last-good store, which another process may change.
 */
export class MergeMemo {
  /** Manifest texts and their parse: an unchanged manifest gives the same factory objects. */
  readonly manifests = new ManifestMemo();
  written?: WrittenState;
  /** STATE.factories as last written: the stamps (stat, sha256) of the manifests it was parsed from. */
  indexed?: { file: string; stamps: string; head: IndexHead };
  /** The pollers, counted builder by builder. */
  readonly pollers = new PollerTally();
  private settings?: string;
  private readonly builders = new Map<string, BuilderMemo>();

  /** Starts a merge: everything remembered under other settings is forgotten. */
  begin(settings: { policy: MergePolicy; rules: readonly RewriteRule[]; today: string; explain: boolean }): void {
    const key = JSON.stringify([settings.policy, settings.rules, settings.today, settings.explain]);
    if (key !== this.settings) this.builders.clear();
    this.settings = key;
  }

  recall(factory: MergeFactory, file: string, digest: string): BuilderMemo | undefined {
    const memo = this.builders.get(factory.name);
    return memo && memo.file === file && memo.digest === digest && memo.factory === factoryKey(factory) ? memo : undefined;
  }

  remember(memo: Omit<BuilderMemo, "factory"> & { factory: MergeFactory }): void {
    this.builders.set(memo.factory.name, { ...memo, factory: factoryKey(memo.factory) });
  }

  forget(builder: string): void {
    this.builders.delete(builder);
  }

  /** Drops builders that were not merged this time (gone from the manifests). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.builders.keys()) if (!names.has(name)) this.builders.delete(name);
  }
}

/** Identifies bytes by content: a watch file's, the state file as written. */
export function contentDigest(bytes: Uint8Array): string {
  return oneShotHash("sha256", bytes, "base64");
}

/** A factory by value: everything the merge reads of it, in a fixed order. */
function factoryKey(factory: MergeFactory): string {
  const { name, file, line, schedule, autoWatch, watches, buildoutSelf, treeStableTimer } = factory;
  const lines = watches.map(({ vcs, url, branch, file, line }) => [vcs, url, branch, file, line]);
  const self = buildoutSelf && [buildoutSelf.vcs, buildoutSelf.url, buildoutSelf.branch, buildoutSelf.file, buildoutSelf.line];
  return JSON.stringify([name, file, line, schedule, autoWatch, lines, self, treeStableTimer]);
}
