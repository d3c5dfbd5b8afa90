import type { CommandSpec } from "../../command.js";

export const introspect: CommandSpec = {
  name: "introspect",
  summary: "Write the watch file of a buildout: its live VCS sources, the pinned ones and why (worker side, after bin/buildout).",
  configure(command) {
    command
      .requiredOption("-c, --config <file>", "the buildout configuration (as given to bin/buildout -c)")
      .option("--part <name>", "the anybox.recipe.odoo part (default: the only one)")
      .option("--builder <name>", "builder name recorded in the watch file")
      .option("-o, --output <file>", "write the watch file atomically to FILE (default: stdout)")
      .option("-U, --no-user-defaults", "ignore ~/.buildout/default.cfg, like bin/buildout -U")
      .argument("[overrides...]", "buildout command-line assignments section:option=value")
      .addHelpText(
        "after",
        "\nExit status: 0 when a watch file was written (problems inside it are warnings);\n" +
          "1 when nothing sensible could be written (configuration missing or unparsable, no recipe part).\n",
      );
  },
  load: () => import("./run.js"),
};
