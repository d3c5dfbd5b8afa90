// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { exitStatusHelp, type CommandSpec } from "../../command.js";
import { mergeInputOptions } from "../merge/spec.js";

export const explain: CommandSpec = {
  name: "explain",
  summary: "Explain why a builder watches each repository, or why it watches nothing (the same inputs as merge).",
  config: true,
  configure(command) {
    mergeInputOptions(command)
      .option("-o, --output <state>", "the state file that merge writes: read, never written (its last-good store <state>.lastgood is used)")
      .option("--builder <name>", "the builder to explain (required)")
      .option("--json", "print the explanation as JSON (schema autowatch.explain/1)")
      .option("--strict", "exit 1 when the builder has an error or a warning")
      .addHelpText(
        "after",
        exitStatusHelp([
          "0  the builder was explained (with --strict: and it has no error or warning)",
          "1  no such builder (close names are suggested), an input cannot be read; with --strict, a problem",
          "2  bad usage (unknown option, missing --builder, --manifest or --watch-dir)",
        ]),
      );
  },
  load: () => import("./run.js"),
};
