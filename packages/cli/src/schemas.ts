/** The `schema` id of each command's --json output (JSON Schemas in @autowatch/watchfile/schema/). */
const IDS = {
  check: "autowatch.check/1",
  explain: "autowatch.explain/1",
  resolve: "autowatch.resolve/1",
} as const;

export function jsonId(kind: keyof typeof IDS): string {
  return IDS[kind];
}
