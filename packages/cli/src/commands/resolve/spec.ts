import type { CommandSpec } from "../../command.js";

export const resolve: CommandSpec = {
  name: "resolve",
  summary: "(not implemented yet)",
  configure() {},
  load: () => import("./run.js"),
};
