import * as z from "zod";
import { originSchema, pinnedEntrySchema, problemSchema, vcsSchema, watchSourceSchema } from "./schema.js";

// The --json outputs of the CLI besides the state (autowatch.state/1), described here so that
// every machine output of autowatch has a schema id and a JSON Schema in one package.

export const CHECK_SCHEMA_ID = "autowatch.check/1";
export const EXPLAIN_SCHEMA_ID = "autowatch.explain/1";
export const RESOLVE_SCHEMA_ID = "autowatch.resolve/1";

/** `autowatch resolve --json`: a buildout configuration as zc.buildout resolves it. */
export const resolveReportSchema = z.object({
  schema: z.literal(RESOLVE_SCHEMA_ID),
  /** Every section, every option, values after substitution (keys sorted). */
  sections: z.record(z.string(), z.record(z.string(), z.string())),
});
export type ResolveReport = z.infer<typeof resolveReportSchema>;

/** `autowatch check --json`: the manifests checked together, counts, every problem. */
export const checkReportSchema = z.object({
  schema: z.literal(CHECK_SCHEMA_ID),
  /** The manifests as given on the command line (or in autowatch.ini). */
  manifests: z.array(z.string()),
  /** Build factories (sections) found. */
  factories: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  problems: z.array(problemSchema),
});
export type CheckReport = z.infer<typeof checkReportSchema>;

const watchReasonSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("auto"), watchFile: z.string(), origin: originSchema.optional(), lastGood: z.string().optional() }),
  z.object({ kind: z.literal("manual"), file: z.string(), line: z.number().int() }),
  z.object({ kind: z.literal("buildout"), file: z.string(), line: z.number().int().optional() }),
]);

const watchFileStatusSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("accepted"), file: z.string() }),
  z.object({ status: z.literal("missing"), file: z.string() }),
  z.object({ status: z.literal("rejected"), file: z.string(), reason: z.string(), lastGood: z.string().optional() }),
  z.object({ status: z.literal("ignored"), file: z.string(), reason: z.string() }),
]);

/** What `autowatch explain` says of the state file, when it was given (-o or autowatch.ini). */
const stateNoteSchema = z.object({
  file: z.string(),
  /** ISO time the state file was written; null when there is none yet. */
  modified: z.string().nullable(),
  /** Inputs changed after the state was written, in words (the next merge takes them in). */
  behind: z.array(z.string()),
  /** Flags of this explain that differ from those the state was merged with (STATE.inputs). */
  differ: z.array(z.string()),
});

/**
 * Where the manifest section came from: "state", as the last merge parsed it (STATE.factories,
 * every manifest unchanged since); "merge", the manifests read again. The answer is the same.
 */
const fromSchema = z.enum(["state", "merge"]);

const explainFound = z.object({
  schema: z.literal(EXPLAIN_SCHEMA_ID),
  found: z.literal(true),
  builder: z.object({
    name: z.string(),
    /** The manifest section: file and line. */
    file: z.string(),
    line: z.number().int(),
    /** False for an empty `watch =`: the builder gets no scheduler. */
    schedule: z.boolean(),
    autoWatch: z.boolean(),
    watchFile: watchFileStatusSchema,
    watches: z.array(
      z.object({
        vcs: vcsSchema,
        /** As polled (rewritten). */
        url: z.string(),
        /** As declared, before rewrite rules. */
        original: z.string(),
        branch: z.string(),
        from: z.array(watchSourceSchema),
        reasons: z.array(watchReasonSchema),
      }),
    ),
    problems: z.array(problemSchema),
  }),
  /** Why the builder watches nothing; empty when it watches something. */
  nothing: z.array(z.string()),
  /** Sources the accepted watch file pins (not watched), with why. */
  pinned: z.array(pinnedEntrySchema),
  /** ISO time the watch file was written; null when there is none. */
  watchFileModified: z.string().nullable(),
  state: stateNoteSchema.optional(),
  from: fromSchema,
  /** Problems of the operator's inputs met on the way (rewrite rules, last-good store). */
  problems: z.array(problemSchema),
});

const explainNotFound = z.object({
  schema: z.literal(EXPLAIN_SCHEMA_ID),
  found: z.literal(false),
  name: z.string(),
  /** Close builder names, closest first. */
  suggestions: z.array(z.string()),
  state: stateNoteSchema.optional(),
  from: fromSchema,
  problems: z.array(problemSchema),
});

/** `autowatch explain --json`: one builder, found or not. */
export const explainReportSchema = z.discriminatedUnion("found", [explainFound, explainNotFound]);
export type ExplainReport = z.infer<typeof explainReportSchema>;
