import type { CommandSpec } from "../../command.js";
import { mergeInputOptions } from "../merge/spec.js";

export const explain: CommandSpec = {
  name: "explain",
  summary: "Explain why a builder watches each repository, or why it watches nothing (same inputs as merge).",
  configure(command) {
    mergeInputOptions(command)
      .requiredOption("--builder <name>", "the builder to explain")
      .option("--json", "print the explanation as JSON");
  },
  load: () => import("./run.js"),
};
