// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { exitStatusHelp, type CommandSpec } from "../../command.js";

export const check: CommandSpec = {
  name: "check",
  summary: "Check MANIFEST.cfg files: print each problem as FILE:LINE: level: message.",
  config: true,
  configure(command) {
    command
      .option("-m, --manifest <file...>", "MANIFEST.cfg file(s), checked together (repeatable; a section defined again in a later file is an error)")
      .option("--json", "print the problems (and counts) as JSON on stdout (schema autowatch.check/1)")
      .option("-q, --quiet", "no summary line when there is no problem")
      .addHelpText(
        "after",
        exitStatusHelp([
          "0  no error (warnings allowed)",
          "1  an error in a manifest, or a manifest cannot be read",
          "2  bad usage (unknown option, no --manifest, bad config file)",
        ]),
      );
  },
  load: () => import("./run.js"),
};
