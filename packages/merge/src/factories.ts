import type { BuildFactory, ManifestResult } from "@autowatch/manifest";
import type { FactoryWatch, MergeFactory } from "./types.js";

/** The one place where `@autowatch/manifest`'s parse becomes what the merge reads. */
export function mergeFactories(manifests: Pick<ManifestResult, "factories">): MergeFactory[] {
  return manifests.factories.map(mergeFactory);
}

/** One MANIFEST.cfg section as the merge reads it. */
export function mergeFactory(section: BuildFactory): MergeFactory {
  const factory: MergeFactory = {
    name: section.name,
    file: section.file,
    line: section.line,
    schedule: section.schedule,
    autoWatch: section.autoWatch,
    watches: section.watches,
  };
  const self = section.buildout?.self;
  if (self) {
    // explain shows the buildout option's own line; the section's file when it is not known
    const origin = section.optionOrigins.buildout;
    factory.buildoutSelf = { vcs: self.vcs, url: self.url, branch: self.branch, file: origin?.file ?? section.file };
    if (origin) factory.buildoutSelf.line = origin.line;
  }
  if (section.treeStableTimer !== undefined) factory.treeStableTimer = section.treeStableTimer;
  return factory;
}

/** A factory by value: everything the merge reads of it, in a fixed order (JSON). */
export function factoryKey(factory: MergeFactory): string {
  return keyOf.get(factory) ?? sectionText(factory, true);
}

/**
 * Whether two factories are the same section written elsewhere: equal but for the files and
 * lines they were read from (lines inserted or removed above it, or moved to another manifest).
 */
export function samePlacedElsewhere(a: MergeFactory, b: MergeFactory): boolean {
  return sectionText(a, false) === sectionText(b, false);
}

/** What the merge reads of a factory, in a fixed order (JSON); `placed`: with the files and lines it was read from. */
function sectionText(factory: MergeFactory, placed: boolean): string {
  const { name, file, line, schedule, autoWatch, watches, buildoutSelf: self, treeStableTimer } = factory;
  const lines = watches.map((watch) => (placed ? [watch.vcs, watch.url, watch.branch, watch.file, watch.line] : [watch.vcs, watch.url, watch.branch]));
  const buildout = self && (placed ? [self.vcs, self.url, self.branch, self.file, self.line] : [self.vcs, self.url, self.branch]);
  const where = placed ? [file, line] : [];
  return JSON.stringify([name, ...where, schedule, autoWatch, lines, buildout, treeStableTimer]);
}

/** The files a factory was read from: where its section, its watch lines and its buildout option are. */
export function placesOf(factory: MergeFactory): Set<string> {
  const places = new Set([factory.file, ...factory.watches.map((watch) => watch.file)]);
  if (factory.buildoutSelf) places.add(factory.buildoutSelf.file);
  return places;
}

/** The key a factory read back from a key was made from (such a factory is not changed after): not made again. */
const keyOf = new WeakMap<MergeFactory, string>();

/** The factory a `factoryKey` was made from; undefined when the text is not one. */
export function factoryFromKey(key: string): MergeFactory | undefined {
  try {
    const [name, file, line, schedule, autoWatch, lines, self, timer] = JSON.parse(key) as unknown[];
    if (typeof name !== "string" || typeof file !== "string" || typeof line !== "number") return undefined;
    if (typeof schedule !== "boolean" || typeof autoWatch !== "boolean" || !Array.isArray(lines)) return undefined;
    const watches = lines.map(([vcs, url, branch, file, line]: FactoryWatchRow) => ({ vcs, url, branch, file, line }) as FactoryWatch);
    const factory: MergeFactory = { name, file, line, schedule, autoWatch, watches };
    if (Array.isArray(self)) {
      const [vcs, url, branch, selfFile, selfLine] = self as FactoryWatchRow;
      factory.buildoutSelf = { vcs, url, branch, file: selfFile };
      if (typeof selfLine === "number") factory.buildoutSelf.line = selfLine;
    }
    if (typeof timer === "number") factory.treeStableTimer = timer;
    // what comes back must be what went in (a damaged cache is never read as a factory)
    if (factoryKey(factory) !== key) return undefined;
    keyOf.set(factory, key);
    return factory;
  } catch {
    return undefined;
  }
}

type FactoryWatchRow = [FactoryWatch["vcs"], string, string, string, number];
