import { exitStatusHelp, type CommandSpec } from "../../command.js";

export const introspect: CommandSpec = {
  name: "introspect",
  summary: "Write the watch file of a buildout: its live VCS sources, the pinned ones and why (worker side, after bin/buildout).",
  configure(command) {
    command
      .option("-c, --config <file>", "the buildout configuration (as given to bin/buildout -c; required)")
      .option("--part <name>", "the anybox.recipe.odoo part (default: the only one)")
      .option("--builder <name>", "builder name recorded in the watch file")
      .option("-o, --output <file>", "write the watch file atomically to FILE (`-` or none: stdout)")
      .option("-q, --quiet", "no summary line (problems are still printed)")
      .option("-U, --no-user-defaults", "ignore ~/.buildout/default.cfg, like bin/buildout -U")
      .argument("[overrides...]", "buildout command-line assignments section:option=value")
      .addHelpText(
        "after",
        exitStatusHelp([
          "0  a watch file was written (problems inside it are warnings)",
          "1  nothing sensible could be written (configuration missing or unparsable, no recipe part)",
          "2  bad usage (unknown option, no -c)",
        ]),
      );
  },
  load: () => import("./run.js"),
};
