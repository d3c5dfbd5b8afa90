import type { CachedBuilder, MergeCacheData } from "../src/cache/format.js";
import type { WatchTable } from "../src/cache/table.js";
import type { BuildFactory, ManualWatch } from "@autowatch/manifest";
import type { Vcs } from "@autowatch/watchfile";
import { mergeFactory, type MergeFactory, type WatchFileInput } from "../src/index.js";

/** A build factory as @autowatch/manifest would produce it, as the merge reads it. */
export function factory(
  name: string,
  options: Partial<BuildFactory> & { self?: { vcs: Vcs; url: string; branch: string }; manual?: Omit<ManualWatch, "file" | "line">[] } = {},
): MergeFactory {
  const { self, manual, ...rest } = options;
  const result: BuildFactory = {
    name,
    file: "MANIFEST.cfg",
    line: 1,
    options: {},
    optionOrigins: {},
    watches: (manual ?? []).map((watch, index) => ({ ...watch, file: "MANIFEST.cfg", line: 10 + index })),
    schedule: true,
    autoWatch: true,
    autoWatchExplicit: false,
    inherits: [],
    ...rest,
  };
  if (self) {
    result.buildout = { type: self.vcs, positional: [self.url, self.branch, "buildout.cfg"], options: {}, frozen: false, self };
    result.optionOrigins = { ...result.optionOrigins, buildout: { file: "MANIFEST.cfg", line: 3 } };
  }
  return mergeFactory(result);
}

export function watchFileText(builder: string | undefined, watches: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ schema: "autowatch.watchfile/2", ...(builder === undefined ? {} : { builder }), watches, ...extra }, null, 2);
}

export function fileInput(builder: string, text: string | Uint8Array): WatchFileInput {
  return { file: `watch/${builder}.json`, bytes: typeof text === "string" ? Buffer.from(text, "utf8") : text };
}

export function git(url: string, revspec: string, line?: number) {
  return { vcs: "git", url, revspec, ...(line === undefined ? {} : { origin: { file: "buildout.cfg", line } }) };
}

export const NOW = new Date("2026-11-24T10:00:00Z");

/** A merge cache as a merge writes it, with these builders' records (fields the tests do not look at filled in). */
export function cacheDataOf(table: WatchTable, builders: CachedBuilder[], today = "2026-12-06"): MergeCacheData {
  return {
    code: "c",
    key: "k",
    startedMs: 0,
    today,
    global: "g",
    manifests: [],
    manifestProblems: [],
    factories: null,
    state: null,
    lastGoodIndex: null,
    table,
    builders,
  };
}
