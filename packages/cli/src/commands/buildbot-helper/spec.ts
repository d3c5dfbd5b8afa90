import type { CommandSpec } from "../../command.js";

export const buildbotHelper: CommandSpec = {
  name: "buildbot-helper",
  summary: "(not implemented yet)",
  configure() {},
  load: () => import("./run.js"),
};
