import * as z from "zod";
import { CHECK_SCHEMA_ID, checkReportSchema, EXPLAIN_SCHEMA_ID, explainReportSchema, RESOLVE_SCHEMA_ID, resolveReportSchema } from "./reports.js";
import { legacyWatchFileSchema, STATE_SCHEMA_ID, stateSchema, WATCHFILE_SCHEMA_ID, watchFileSchema } from "./schema.js";

export type JsonSchema = Record<string, unknown>;

/** The JSON Schemas shipped in `schema/` (file name → generator), from the zod schemas. */
export const jsonSchemaFiles = {
  "watchfile.json": watchFileJsonSchema,
  "watchfile-legacy.json": legacyWatchFileJsonSchema,
  "state.json": stateJsonSchema,
  "check.json": checkJsonSchema,
  "explain.json": explainJsonSchema,
  "resolve.json": resolveJsonSchema,
} as const;

/** JSON Schema of `autowatch resolve --json`. */
export function resolveJsonSchema(): JsonSchema {
  return generate(
    resolveReportSchema,
    `autowatch resolved buildout (${RESOLVE_SCHEMA_ID})`,
    "A buildout configuration resolved as zc.buildout 2.x resolves it: every section and option, values after substitution.",
  );
}

/** JSON Schema of `autowatch check --json`. */
export function checkJsonSchema(): JsonSchema {
  return generate(checkReportSchema, `autowatch check report (${CHECK_SCHEMA_ID})`, "Problems of MANIFEST.cfg files checked together, with counts.");
}

/** JSON Schema of `autowatch explain --json`. */
export function explainJsonSchema(): JsonSchema {
  return generate(
    explainReportSchema,
    `autowatch explain report (${EXPLAIN_SCHEMA_ID})`,
    "Why one builder watches each repository, or why nothing; or close names when there is no such builder.",
  );
}

/**
 * JSON Schema (draft 2020-12) of the watch file v2, as accepted on input: `pinned` and
 * `problems` may be left out, and extra fields are allowed (the parser drops them with a warning).
 */
export function watchFileJsonSchema(): JsonSchema {
  return generate(
    watchFileSchema,
    `autowatch watch file (${WATCHFILE_SCHEMA_ID})`,
    "Written by a worker after bin/buildout: the live sources of one build factory.",
  );
}

/** JSON Schema of the legacy watch file: a bare list of `{vcs, url, revspec}`. */
export function legacyWatchFileJsonSchema(): JsonSchema {
  return generate(legacyWatchFileSchema, "autowatch legacy watch file", "The format of the original Python helper, still accepted by the master.");
}

/** JSON Schema of the merged state written by `autowatch merge`. */
export function stateJsonSchema(): JsonSchema {
  return generate(stateSchema, `autowatch merged state (${STATE_SCHEMA_ID})`, "Pollers and per-builder watches merged from MANIFEST.cfg and the watch files.");
}

function generate(schema: z.ZodType, title: string, description: string): JsonSchema {
  const generated = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return { $schema, title, description, ...rest };
}
