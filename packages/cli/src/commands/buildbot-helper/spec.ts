import type { CommandSpec } from "../../command.js";

export const buildbotHelper: CommandSpec = {
  name: "buildbot-helper",
  summary: "print the Python module that turns the merged state into Buildbot pollers, change filters and build steps",
  configure(command) {
    command
      .option("-o, --output <file>", "write the module to FILE (e.g. MASTER_DIR/autowatch_buildbot.py) instead of stdout")
      .addHelpText(
        "after",
        "\nIn master.cfg:\n" +
          "  import autowatch_buildbot as autowatch\n" +
          '  state = autowatch.load_state(os.path.join(basedir, "autowatch", "state.json"))\n' +
          '  c["change_source"].extend(autowatch.change_sources(state))\n' +
          "See docs/operators.md for the change filters and the build steps.\n",
      );
  },
  load: () => import("./run.js"),
};
