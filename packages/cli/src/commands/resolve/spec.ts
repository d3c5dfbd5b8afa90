// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { exitStatusHelp, type CommandSpec } from "../../command.js";

export const resolve: CommandSpec = {
  name: "resolve",
  summary: "Print a buildout configuration resolved as zc.buildout 2.x resolves it (like bin/buildout annotate), or as JSON.",
  configure(command) {
    command
      .option("-c, --config <file>", "the buildout configuration (as given to bin/buildout -c)", "buildout.cfg")
      .option(
        "--json",
        "print {schema, sections: {section: {option: value}}} as JSON (sorted keys; schema autowatch.resolve/1) instead of the annotated listing",
      )
      .option("-U, --no-user-defaults", "ignore ~/.buildout/default.cfg and $BUILDOUT_HOME/default.cfg, like bin/buildout -U")
      .argument("[overrides...]", "buildout command-line assignments section:option=value (also +=, -=)")
      .addHelpText(
        "after",
        "\nValues are shown after substitution; a reference only a recipe computes (e.g. ${odoo:location})\n" +
          "is left as written and reported on stderr as a warning.\n" +
          exitStatusHelp([
            "0  the configuration resolves",
            "1  zc.buildout would stop on it too (one line FILE:LINE: message)",
            "2  bad usage (unknown option, an argument that is no assignment)",
          ]),
      );
  },
  load: () => import("./run.js"),
};
