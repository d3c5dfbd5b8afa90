// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { exitStatusHelp, type CommandSpec } from "../../command.js";

export const buildbotHelper: CommandSpec = {
  name: "buildbot-helper",
  summary: "Print the Python module that turns the merged state into Buildbot pollers, change filters and build steps.",
  configure(command) {
    command
      .option("-o, --output <file>", "write the module atomically to FILE (e.g. MASTER_DIR/autowatch_buildbot.py; `-` or none: stdout)")
      .option("-q, --quiet", "no line saying where the module was written")
      .addHelpText(
        "after",
        "\nIn master.cfg:\n" +
          "  import autowatch_buildbot as autowatch\n" +
          '  state = autowatch.load_state(os.path.join(basedir, "autowatch", "state.json"))\n' +
          '  c["change_source"].extend(autowatch.change_sources(state))\n' +
          '  scheduler = autowatch.scheduler(state, "odoo-10.0", ["odoo-10.0"])  # None: add no scheduler\n' +
          "See the operators guide (docs/operators.md, shipped in this package) for the whole master.cfg and the build steps.\n" +
          exitStatusHelp(["0  the module was printed or written", "1  it could not be written", "2  bad usage"]),
      );
  },
  load: () => import("./run.js"),
};
