// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { collect, exitStatusHelp, type CommandSpec } from "../../command.js";

export const introspect: CommandSpec = {
  name: "introspect",
  summary:
    "Write the watch file of a build: the live VCS sources of its buildout, repos.yaml or pip requirements, the pinned ones and why (worker side, after the build).",
  configure(command) {
    command
      .option("-c, --config <file>", "the buildout configuration (as given to bin/buildout -c)")
      .option(
        "--source <file>",
        "a file declaring sources, repeatable: *.cfg buildout, *.yaml git-aggregator repos.yaml, requirement files pip; FORMAT:FILE names the format (buildout, git-aggregator, pip)",
        collect,
      )
      .option("--part <name>", "the anybox.recipe.odoo part (default: the only one)")
      .option("--builder <name>", "builder name recorded in the watch file")
      .option("-o, --output <file>", "write the watch file atomically to FILE (`-` or none: stdout)")
      .option("-q, --quiet", "no summary line (problems are still printed)")
      .option("-U, --no-user-defaults", "ignore ~/.buildout/default.cfg, like bin/buildout -U")
      .option("--list", "also list every watched and pinned source with its reason on stderr (the Buildbot step's log)")
      .option(
        "--problem-exit-code <n>",
        "exit with N (1-125) instead of 0 when introspection reported problems (warnings or errors); the watch file is written all the same",
      )
      .argument("[overrides...]", "buildout command-line assignments section:option=value")
      .addHelpText(
        "after",
        "\nWithout -c or --source, the build directory's known files are read: buildout.cfg, repos.yaml\n" +
          "(or odoo/custom/src/repos.yaml), requirements.txt (or odoo/custom/dependencies/pip.txt).\n" +
          exitStatusHelp([
            "0  a watch file was written (problems inside it are warnings)",
            "N  with --problem-exit-code N: a watch file was written and introspection reported problems",
            "1  nothing sensible could be written (a file missing or unparsable, no recipe part)",
            "2  bad usage (unknown option, no -c/--source and no known file, a --source of unknown format)",
          ]),
      );
  },
  load: () => import("./run.js"),
};
