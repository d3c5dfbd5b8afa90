// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
/**
 * The `schema` id of each command's --json output (JSON Schemas in @autowatch/watchfile/schema/;
 * the ids are repeated here so that the commands need not load zod: a test keeps them equal).
 */
const IDS = {
  check: "autowatch.check/1",
  explain: "autowatch.explain/1",
  resolve: "autowatch.resolve/1",
} as const;

export function jsonId(kind: keyof typeof IDS): string {
  return IDS[kind];
}
