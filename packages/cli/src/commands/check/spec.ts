import type { CommandSpec } from "../../command.js";

export const check: CommandSpec = {
  name: "check",
  summary: "check MANIFEST.cfg files: print each problem as FILE:LINE: level: message",
  configure(command) {
    command
      .option("-m, --manifest <file...>", "MANIFEST.cfg file(s) to check, together (repeatable; a section defined again in a later file is an error)")
      .option("--json", "print the problems (and counts) as JSON on stdout")
      .addHelpText("after", "\nExit status: 0 when there is no error (warnings allowed), 1 when there is one, 2 on bad usage.\n");
  },
  load: () => import("./run.js"),
};
