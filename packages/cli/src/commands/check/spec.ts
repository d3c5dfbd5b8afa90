import type { CommandSpec } from "../../command.js";

export const check: CommandSpec = {
  name: "check",
  summary: "(not implemented yet)",
  configure() {},
  load: () => import("./run.js"),
};
