import type { CommandSpec } from "../../command.js";

export const introspect: CommandSpec = {
  name: "introspect",
  summary: "(not implemented yet)",
  configure() {},
  load: () => import("./run.js"),
};
