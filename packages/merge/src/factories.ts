import type { BuildFactory, ManifestResult } from "@autowatch/manifest";
import type { MergeFactory } from "./types.js";

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
