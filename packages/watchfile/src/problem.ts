// Problem codes and the one Problem factory. Zod-free (served by `@autowatch/watchfile/text` too):
// every package builds its problems here, so that each carries a code from one closed list.
import type { Problem, ProblemLevel } from "./schema.js";

/**
 * Every problem code autowatch emits: `area.subject[.detail]`, lower case, stable (a code is
 * never renamed nor reused for another meaning; new ones may be added). The areas: `watchfile`
 * (a watch file or state file read by this package), `manifest` (MANIFEST.cfg), `merge` (the
 * master's merge: watch directory, last-good store, rewrite rules, refused sources), `buildout`
 * (introspect's zc.buildout resolver), `introspect` (the sources a worker extracts and
 * classifies), `config` (autowatch.ini). Each is documented in this package's README.
 */
export const PROBLEM_CODES = [
  // watchfile: reading a JSON document (parseWatchFile, parseState)
  "watchfile.input.invalid",
  "watchfile.size.limit",
  "watchfile.encoding.invalid",
  "watchfile.encoding.bom",
  "watchfile.json.empty",
  "watchfile.json.depth",
  "watchfile.json.invalid",
  "watchfile.json.forbidden-key",
  "watchfile.document.type",
  "watchfile.schema.missing",
  "watchfile.schema.newer",
  "watchfile.schema.older",
  "watchfile.schema.other",
  "watchfile.entries.limit",
  "watchfile.value.invalid",
  "watchfile.entry.invalid",
  "watchfile.field.unknown",
  "watchfile.internal",
  // manifest: MANIFEST.cfg
  "manifest.read.failed",
  "manifest.encoding.invalid",
  "manifest.syntax.no-section",
  "manifest.syntax.invalid",
  "manifest.section.duplicate",
  "manifest.option.duplicate",
  "manifest.empty",
  "manifest.inherit.default",
  "manifest.inherit.empty",
  "manifest.inherit.unknown",
  "manifest.inherit.cycle",
  "manifest.inherit.limit",
  "manifest.interpolation.syntax",
  "manifest.interpolation.missing",
  "manifest.interpolation.depth",
  "manifest.interpolation.size",
  "manifest.buildout.type",
  "manifest.buildout.tokens",
  "manifest.watch.vcs",
  "manifest.watch.tokens",
  "manifest.watch.duplicate",
  "manifest.auto-watch.invalid",
  "manifest.auto-watch.ineffective",
  "manifest.tree-stable-timer.invalid",
  // merge: the master's merge
  "merge.internal",
  "merge.watchfile.unreadable",
  "merge.watchfile.symlink",
  "merge.watchfile.not-regular",
  "merge.watchfile.size",
  "merge.watchfile.name",
  "merge.watchfile.orphan",
  "merge.watchfile.stray",
  "merge.watchfile.builder",
  "merge.watchfile.distrusted",
  "merge.watchfile.missing",
  "merge.watchfile.gone",
  "merge.watchfile.stale",
  "merge.lastgood.unreadable",
  "merge.lastgood.invalid",
  "merge.rewrite.invalid",
  "merge.source.vcs",
  "merge.url.empty",
  "merge.url.length",
  "merge.url.option",
  "merge.url.control",
  "merge.url.transport",
  "merge.url.rewritten",
  "merge.branch.empty",
  "merge.branch.length",
  "merge.branch.option",
  "merge.branch.invalid",
  "merge.policy.scheme",
  "merge.policy.host",
  "merge.watch.vcs-conflict",
  "merge.watch.buildout-branch",
  "merge.url.mixed-vcs",
  // buildout: introspect's zc.buildout resolver
  "buildout.read.failed",
  "buildout.syntax",
  "buildout.condition",
  "buildout.extends",
  "buildout.macro",
  "buildout.substitution",
  "buildout.section.missing",
  "buildout.option.missing",
  "buildout.option.invalid",
  "buildout.override.invalid",
  "buildout.limit",
  "buildout.computed",
  "buildout.internal",
  // introspect: sources a worker extracts and classifies
  "introspect.part.unknown",
  "introspect.part.recipe",
  "introspect.part.ambiguous",
  "introspect.part.none",
  "introspect.recipe.version",
  "introspect.recipe.addons",
  "introspect.recipe.revisions",
  "introspect.recipe.merges",
  "introspect.develop.ignored",
  "introspect.develop.invalid",
  "introspect.develop.skipped",
  "introspect.mrdeveloper.ignored",
  "introspect.mrdeveloper.sources",
  "introspect.mrdeveloper.invalid",
  "introspect.mrdeveloper.kind",
  "introspect.mrdeveloper.not-polled",
  "introspect.pip.read",
  "introspect.pip.recursion",
  "introspect.pip.invalid",
  "introspect.pip.local",
  "introspect.pip.remote",
  "introspect.aggregator.read",
  "introspect.aggregator.yaml",
  "introspect.aggregator.invalid",
  "introspect.aggregator.env",
  "introspect.aggregator.doodba",
  "introspect.url.credentials",
  "introspect.source.refused",
  "introspect.checkout.unreadable",
  "introspect.remote.unknown",
  "introspect.revision.missing",
  "introspect.revision.unverified",
  "introspect.revision.ambiguous",
  "introspect.branch.unfetched",
  "introspect.self",
  // config: autowatch.ini
  "config.section.unknown",
  "config.key.unknown",
  "config.value.invalid",
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** Where a problem is: builder, file and 1-based line, each when known. */
export interface ProblemPlace {
  builder?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
}

/**
 * The one Problem factory: level, code and message, then the place (fields left undefined are
 * left out). Keys in schema order, so that every problem serialises alike.
 */
export function makeProblem(level: ProblemLevel, code: ProblemCode, message: string, where?: ProblemPlace): Problem {
  const problem: Problem = { level, code, message };
  if (where !== undefined) {
    if (where.builder !== undefined) problem.builder = where.builder;
    if (where.file !== undefined) problem.file = where.file;
    if (where.line !== undefined) problem.line = where.line;
  }
  return problem;
}

const KNOWN: ReadonlySet<string> = new Set(PROBLEM_CODES);

/** Whether `code` is one this autowatch knows. */
export function isProblemCode(code: unknown): code is ProblemCode {
  return typeof code === "string" && KNOWN.has(code);
}

/** The shape of any code, known or not: what a watch file from a newer worker may carry. */
export const PROBLEM_CODE_SHAPE = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+){1,4}$/;
