import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { CliError } from "./errors.js";
import { processContext, type CliContext } from "./context.js";
import { VERSION } from "./version.js";

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  let exitCode = 0;
  const program = new Command("autowatch")
    .description("Keep a Buildbot farm's watch lists true: introspect buildouts on workers, merge on the master.")
    .version(`autowatch ${VERSION}`, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help and exit")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();
  program.command("help [command]", { hidden: true }).action((name?: string) => {
    const target = name ? program.commands.find((c) => c.name() === name) : undefined;
    (target ?? program).outputHelp();
  });
  for (const spec of commands) {
    const command = program.command(spec.name).description(spec.summary).exitOverride();
    spec.configure(command);
    command.action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command;
      const module = await spec.load();
      exitCode = await module.run(self.opts(), self.args, context);
    });
  }
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors (unknown command/option) exit 2
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return 0;
      }
      if (error.code === "commander.unknownCommand") {
        context.stderr.write(`\n${program.helpInformation()}`);
      }
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      context.stderr.write(`autowatch: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    context.stderr.write(`autowatch: internal error: ${message}\n`);
    if (context.env.AUTOWATCH_DEBUG && error instanceof Error && error.stack) context.stderr.write(`${error.stack}\n`);
    return 70;
  }
}
