import * as z from "zod";
import { PROBLEM_CODE_SHAPE, PROBLEM_CODES } from "./problem.js";

/** Version control systems autowatch knows about. */
export const vcsSchema = z.enum(["git", "hg", "bzr", "svn"]);
export type Vcs = z.infer<typeof vcsSchema>;

export const WATCHFILE_SCHEMA_ID = "autowatch.watchfile/2";
export const STATE_SCHEMA_ID = "autowatch.state/1";

/** A format name: short, lower case, no spaces or control characters. */
export const FORMAT_NAME = /^[a-z][a-z0-9.+-]{0,39}$/;

/** Where a source was declared in the buildout (for `explain`). */
export const originSchema = z.object({
  file: z.string(),
  line: z.number().int().nonnegative().optional(),
  section: z.string().optional(),
  option: z.string().optional(),
  /**
   * The source format that declared it (`pip`, `git-aggregator`, `mr.developer`...); absent for
   * the buildout recipe and gp.vcsdevelop, which every watch file before it came from.
   */
  format: z.string().regex(FORMAT_NAME).optional(),
});
export type Origin = z.infer<typeof originSchema>;

/** A live source: follows a branch. `revspec` is a short branch name. */
export const watchEntrySchema = z.object({
  vcs: vcsSchema,
  url: z.string().min(1),
  revspec: z.string(),
  origin: originSchema.optional(),
});
export type WatchEntry = z.infer<typeof watchEntrySchema>;

/** Closed union of reasons why a source is not watched. */
export const pinReasonSchema = z.enum(["commit", "tag", "revision", "node", "revid", "unknown"]);
export type PinReason = z.infer<typeof pinReasonSchema>;

export const pinnedEntrySchema = z.object({
  vcs: vcsSchema,
  url: z.string().min(1),
  revspec: z.string(),
  why: pinReasonSchema,
  origin: originSchema.optional(),
});
export type PinnedEntry = z.infer<typeof pinnedEntrySchema>;

export const problemLevelSchema = z.enum(["error", "warning", "info"]);
export type ProblemLevel = z.infer<typeof problemLevelSchema>;

/** The closed union of problem codes (see the README's table). */
export const problemCodeSchema = z.enum(PROBLEM_CODES).meta({
  id: "ProblemCode",
  description: "What kind of problem: stable codes, documented in @autowatch/watchfile's README.",
});

/**
 * A problem as data: never thrown, always attributed where possible. `code` says what kind of
 * problem it is (stable, for machines: match codes, not messages); `message` says it to people.
 */
export const problemSchema = z.object({
  level: problemLevelSchema,
  code: problemCodeSchema,
  message: z.string(),
  builder: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().nonnegative().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/**
 * A problem in a watch file's own `problems`: workers older than codes wrote none, and a newer
 * worker may send a code this master does not know yet, so any code-shaped string is read.
 */
export const watchFileProblemSchema = problemSchema.extend({
  code: z.string().regex(PROBLEM_CODE_SHAPE, { error: "not a problem code (lower-case words joined by dots, such as merge.url.option)" }).optional(),
});
export type WatchFileProblem = z.infer<typeof watchFileProblemSchema>;

export const watchFileSchema = z.object({
  schema: z.literal(WATCHFILE_SCHEMA_ID),
  builder: z.string().optional(),
  generated: z.string().optional(),
  generator: z.string().optional(),
  buildout: z
    .object({
      config: z.string(),
      part: z.string().optional(),
    })
    .optional(),
  watches: z.array(watchEntrySchema),
  pinned: z.array(pinnedEntrySchema).default([]),
  problems: z.array(watchFileProblemSchema).default([]),
});
export type WatchFile = z.infer<typeof watchFileSchema>;

/** The format of the original Python helper: a bare list of live sources. */
export const legacyWatchFileSchema = z.array(
  z.object({
    vcs: vcsSchema,
    url: z.string().min(1),
    revspec: z.string(),
  }),
);
export type LegacyWatchFile = z.infer<typeof legacyWatchFileSchema>;

export const watchSourceSchema = z.enum(["auto", "manual", "buildout"]);
export type WatchSource = z.infer<typeof watchSourceSchema>;

export const pollerSchema = z.object({
  vcs: vcsSchema,
  /** Rewritten URL: what the poller polls and reports. */
  url: z.string(),
  /** URL before rewrite rules: the poller's identity. */
  original: z.string(),
  branches: z.array(z.string()),
  workdir: z.string(),
});
export type Poller = z.infer<typeof pollerSchema>;

export const builderWatchSchema = z.object({
  vcs: vcsSchema,
  url: z.string(),
  branch: z.string(),
  from: z.array(watchSourceSchema),
});
export type BuilderWatch = z.infer<typeof builderWatchSchema>;

export const builderStateSchema = z.object({
  schedule: z.boolean(),
  autoWatch: z.boolean(),
  /** MANIFEST.cfg's `tree-stable-timer` (seconds), when the factory sets one: the helper's scheduler applies it. */
  treeStableTimer: z.number().int().nonnegative().optional(),
  watches: z.array(builderWatchSchema),
});
export type BuilderState = z.infer<typeof builderStateSchema>;

export const stateSchema = z.object({
  schema: z.literal(STATE_SCHEMA_ID),
  /** sha256 (hex) of the pollers and change filters, right after `schema`: compared from the file's head. */
  fingerprint: z.string().optional(),
  pollers: z.array(pollerSchema),
  builders: z.record(z.string(), builderStateSchema),
  problems: z.array(problemSchema),
});
export type State = z.infer<typeof stateSchema>;
