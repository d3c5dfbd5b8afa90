// Programmatic entry of @autowatch/cli: run the `autowatch` command in-process (the bin is dist/index.js).
export { main } from "./cli.js";
export type { CliContext } from "./context.js";
