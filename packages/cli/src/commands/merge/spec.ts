import type { CommandSpec } from "../../command.js";

export const merge: CommandSpec = {
  name: "merge",
  summary: "(not implemented yet)",
  configure() {},
  load: () => import("./run.js"),
};
