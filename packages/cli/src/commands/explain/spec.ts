import type { CommandSpec } from "../../command.js";

export const explain: CommandSpec = {
  name: "explain",
  summary: "(not implemented yet)",
  configure() {},
  load: () => import("./run.js"),
};
